/**
 * The token stream the similarity report compares (grader/similarity.ts, docs/similarity.md): a
 * TypeScript source parsed and normalised so that renaming variables and reformatting change
 * nothing — every identifier is one token, every number, string and template piece too,
 * `let`/`const`/`var` are one token, and comments, whitespace, semicolons and trailing commas are gone.
 */
import ts from 'typescript';

export interface Token {
  /** The normalised token (a SyntaxKind, or a class such as "any identifier"). */
  code: number;
  /** Offsets of the original text, for line numbers. */
  start: number;
  end: number;
}

const IDENTIFIER = 100_001;
const NUMBER = 100_002;
const STRING = 100_003;
const REGEXP = 100_004;
const DECLARATION = 100_005;

// Bound by tokenize on first use: the grader loads this module at start-up, typescript (~0.3 s) only to compare.
let K: typeof ts.SyntaxKind;
let CLOSING: Set<ts.SyntaxKind>;
let CLASSES: Map<ts.SyntaxKind, number | undefined>;

/**
 * The token classes: each kind listed stands for its class, so that a renamed variable, another
 * literal or `let` for `const` changes nothing; semicolons and the end of file are dropped.
 * Built on first use, with the SyntaxKind numbers of the typescript module loaded then.
 */
function tokenClasses(): Map<ts.SyntaxKind, number | undefined> {
  const classes: Array<[number | undefined, ts.SyntaxKind[]]> = [
    [IDENTIFIER, [K.Identifier, K.PrivateIdentifier]],
    [NUMBER, [K.NumericLiteral, K.BigIntLiteral]],
    [STRING, [K.StringLiteral, K.NoSubstitutionTemplateLiteral, K.TemplateHead, K.TemplateMiddle, K.TemplateTail]],
    [REGEXP, [K.RegularExpressionLiteral]],
    [DECLARATION, [K.VarKeyword, K.LetKeyword, K.ConstKeyword]],
    [undefined, [K.SemicolonToken, K.EndOfFileToken]],
  ];
  return new Map(classes.flatMap(([code, kinds]) => kinds.map((kind) => [kind, code] as const)));
}

/** A token's class (see tokenClasses), its own kind where it has none, undefined where it is dropped. */
function normalise(kind: ts.SyntaxKind): number | undefined {
  return CLASSES.has(kind) ? CLASSES.get(kind) : kind;
}

/** The normalised tokens of a TypeScript source (it need not compile: the parser recovers). */
export function tokenize(text: string): Token[] {
  K ??= ts.SyntaxKind;
  CLOSING ??= new Set([K.CloseParenToken, K.CloseBracketToken, K.CloseBraceToken, K.GreaterThanToken]);
  CLASSES ??= tokenClasses();
  const file = ts.createSourceFile('rnn.ts', text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const raw: Array<{ kind: ts.SyntaxKind; start: number; end: number }> = [];
  const visit = (node: ts.Node): void => {
    if (node.kind >= K.FirstJSDocNode && node.kind <= K.LastJSDocNode) return;
    const children = node.getChildren(file);
    if (children.length === 0) {
      const start = node.getStart(file);
      // Zero-width nodes are tokens the parser made up for a syntax error.
      if (node.end > start) raw.push({ kind: node.kind, start, end: node.end });
      return;
    }
    for (const child of children) visit(child);
  };
  visit(file);
  const tokens: Token[] = [];
  raw.forEach((token, index) => {
    if (token.kind === K.CommaToken && index + 1 < raw.length && CLOSING.has(raw[index + 1].kind)) return; // a trailing comma
    const code = normalise(token.kind);
    if (code !== undefined) tokens.push({ code, start: token.start, end: token.end });
  });
  return tokens;
}
