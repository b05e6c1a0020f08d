/**
 * Turns the reference solution into the student's skeleton: every `#!TAG HWBEGIN … #!TAG HWEND`
 * region becomes its `#!MSG` lines as comments plus a throw of "not implemented yet: <name>",
 * where <name> is the function or method the region sits in (found with the TypeScript parser,
 * not by guessing from indentation).
 */
import ts from 'typescript';
import { EXPORT_NAMES, LAB, RNN_CLASS } from '../checks/lab/definition';
import type { Param } from '../checks/lab/definition';

export interface Region {
  /** 0-based line numbers of the HWBEGIN and HWEND marker lines. */
  begin: number;
  end: number;
  messages: string[];
  /** Enclosing function or method, e.g. `computeGradB`; undefined at top level. */
  owner?: string;
}

const BEGIN = /^\s*\/\/\s*#!TAG HWBEGIN\s*$/;
const END = /^\s*\/\/\s*#!TAG HWEND\s*$/;
const MESSAGE = /^\s*\/\/\s*#!MSG ?(.*)$/;

export class MarkerError extends Error {}

export function findRegions(source: string, fileName = 'rnn.ts'): Region[] {
  const lines = source.split('\n');
  const regions: Region[] = [];
  let open: Region | undefined;
  lines.forEach((line, index) => {
    if (BEGIN.test(line)) {
      if (open)
        throw new MarkerError(`${fileName}:${index + 1}: HWBEGIN inside the region opened at line ${open.begin + 1}`);
      open = { begin: index, end: -1, messages: [] };
    } else if (END.test(line)) {
      if (!open) throw new MarkerError(`${fileName}:${index + 1}: HWEND without HWBEGIN`);
      open.end = index;
      regions.push(open);
      open = undefined;
    } else if (open && MESSAGE.test(line)) {
      open.messages.push(MESSAGE.exec(line)![1]);
    }
  });
  if (open) throw new MarkerError(`${fileName}:${open.begin + 1}: HWBEGIN is never closed`);
  const owners = ownersByLine(source, fileName);
  for (const region of regions) region.owner = owners(region.begin);
  return regions;
}

/** For a line, the name of the innermost function-like declaration containing it. */
function ownersByLine(source: string, fileName: string): (line: number) => string | undefined {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true);
  const spans: Array<{ start: number; end: number; name: string }> = [];
  const visit = (node: ts.Node) => {
    let name: string | undefined;
    if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) name = node.name?.getText(file);
    else if (ts.isConstructorDeclaration(node)) name = 'RNN constructor';
    if (name) {
      spans.push({
        start: file.getLineAndCharacterOfPosition(node.getStart(file)).line,
        end: file.getLineAndCharacterOfPosition(node.getEnd()).line,
        name,
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return (line) =>
    spans.filter((span) => span.start <= line && line <= span.end).sort((a, b) => b.start - a.start)[0]?.name;
}

/** Replaces the reference's file comment (it speaks of the solution) in the skeleton. */
const STUDENT_HEADER = `/**
 * Lab 8, Exercise 3: a recurrent network trained by backpropagation through time to predict
 * Beijing's temperature one hour ahead from the previous 24 hours of weather.
 *
 *   h_t = tanh(U x_t + W h_{t-1} + b),  h_0 = 0,     ŷ = v·h_τ + c,     L = (ŷ - y)²
 *
 * Your work: every TODO below. Each function throws "not implemented yet" until you write it.
 * Keep every exported name and signature: the checks call them. Run \`npm test\` to check.
 */`;

/** The skeleton: regions replaced; top-level regions (helpers of the solution) removed entirely. */
export function makeSkeleton(source: string, fileName = 'rnn.ts'): string {
  const body = makeSkeletonBody(source, fileName);
  return body.startsWith('/**') ? STUDENT_HEADER + body.slice(body.indexOf('*/') + 2) : body;
}

function makeSkeletonBody(source: string, fileName: string): string {
  const lines = source.split('\n');
  const regions = findRegions(source, fileName);
  const out: string[] = [];
  let next = 0;
  for (const region of regions) {
    out.push(...lines.slice(next, region.begin));
    const indent = /^\s*/.exec(lines[region.begin])![0];
    if (region.owner) {
      for (const message of region.messages) out.push(`${indent}// ${message}`);
      out.push(`${indent}throw new Error('not implemented yet: ${region.owner}');`);
    }
    next = region.end + 1;
  }
  out.push(...lines.slice(next));
  return out.join('\n');
}

/**
 * The solution's own lines: non-trivial code lines inside the regions of the student's functions,
 * normalised for whitespace. A handout must contain none of them. (A region outside every function
 * is the reference's own machinery, dropped whole from the skeleton; its generic lines such as
 * `return true;` are no one's solution.)
 */
export function solutionLines(source: string, fileName = 'rnn.ts'): string[] {
  const lines = source.split('\n');
  const trivial = /^[\s{}();,[\]]*$|^\s*\/\//;
  const studentRegions = findRegions(source, fileName).filter((region) => region.owner !== undefined);
  return studentRegions.flatMap((region) =>
    lines
      .slice(region.begin + 1, region.end)
      .filter((line) => !trivial.test(line))
      .map((line) => line.trim().replace(/\s+/g, ' '))
      .filter((line) => line.length >= 12),
  );
}

/** Where the handout's README (handout/template/README.md) shows the table of exports. */
export const EXPORTS_TABLE_MARKER = '<!-- the table of exports, generated from checks/lab/definition.ts -->';

/** The README's table of what each export must do, from the lab definition. */
export function exportsTable(): string {
  const call = (name: string, params: readonly Param[]) => `\`${name}(${params.map((p) => p.name).join(', ')})\``;
  const rows = EXPORT_NAMES.flatMap((name) => {
    const entry = LAB[name];
    if (entry.kind === 'function') return [[call(name, entry.params), entry.role]];
    return [
      [call(`new ${name}`, entry.constructorParams), entry.role],
      ...Object.entries(RNN_CLASS.methods).map(([method, m]) => [call(`${name}.${method}`, m.params), m.role]),
    ];
  });
  return ['| export | meaning |', '| --- | --- |', ...rows.map(([left, right]) => `| ${left} | ${right} |`)].join('\n');
}
