/**
 * Where a rubric problem is, in words: the YAML document with line positions, problems keyed by
 * their path in it (`items.2.partial.0.points`) and worded as `file:line:col: item 3 (check: x),
 * partial 1: problem`, and the field-by-field validation of one mapping with a zod schema.
 */
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import type { z } from 'zod';
import { ITEM_KINDS } from './rubric-schema';
import type { ItemKind } from './rubric-schema';

export class RubricError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`The rubric ${file} is not valid:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'RubricError';
  }
}

// --- step 0: YAML ------------------------------------------------------------------------------

export interface YamlSource {
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** The document as plain data (what the schemas validate). */
  data: unknown;
}

/** Parses the YAML (duplicate keys are errors); throws RubricError on a syntax error. */
export function readYaml(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new RubricError(
      file,
      doc.errors.map((error) => {
        const pos = lineCounter.linePos(error.pos[0]);
        return `${file}:${pos.line}:${pos.col}: YAML syntax error: ${error.message.split('\n')[0]}`;
      }),
    );
  }
  try {
    return { doc, lineCounter, data: doc.toJS() };
  } catch (error) {
    // e.g. an alias expanded too often ("billion laughs"): yaml refuses to build the data.
    throw new RubricError(file, [`${file}: cannot be read as data: ${(error as Error).message}`]);
  }
}

// --- problems, located by their path in the file ----------------------------------------------

export type Path = ReadonlyArray<string | number>;

/** Collects problems by YAML path and words them as `file:line:col: item 3 (check: x): problem`. */
export class Problems {
  private readonly found: Array<{ topLevel: boolean; offset: number; text: string }> = [];
  /** The raw document, as plain data (what the schemas validate). */
  readonly data: unknown;

  constructor(
    private readonly file: string,
    private readonly source: YamlSource,
  ) {
    this.data = source.data;
  }

  /** A problem with the value at `path` (or with its key, for `at: 'key'`; or named `where`, instead of the item). */
  add(path: Path, problem: string, options: { at?: 'key' | 'value'; where?: string } = {}): void {
    const node = this.nodeAt(path, options.at ?? 'value');
    const offset = node?.range?.[0];
    const pos = offset === undefined ? undefined : this.source.lineCounter.linePos(offset);
    const where = options.where ?? this.describe(path);
    this.found.push({
      topLevel: path[0] !== 'items' || path.length === 1,
      offset: offset ?? 0,
      text: `${this.file}${pos ? `:${pos.line}:${pos.col}` : ''}: ${where ? `${where}: ` : ''}${problem}`,
    });
  }

  /** The problems of a zod validation of the object at `path`, each at its field. */
  addIssues(path: Path, issues: readonly z.core.$ZodIssue[], allowed: { keys: readonly string[]; what: string }): void {
    for (const issue of issues) {
      const at = [...path, ...(issue.path as Array<string | number>)];
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys)
          this.add(
            [...at, key],
            `unknown ${allowed.what === 'top-level' ? 'top-level key' : 'key'} "${key}" (allowed${allowed.what === 'top-level' || allowed.what === '' ? '' : ` for ${allowed.what}`}: ${allowed.keys.join(', ')})`,
            { at: 'key' },
          );
        continue;
      }
      const field = issue.path.length > 0 ? issue.path[issue.path.length - 1] : undefined;
      this.add(at, typeof field === 'string' ? `\`${field}:\` ${issue.message}` : issue.message);
    }
  }

  throwIfAny(): void {
    if (this.found.length === 0) return;
    // Top-level problems first, then the items' in file order.
    const ordered = this.found
      .map((problem, index) => ({ ...problem, index }))
      .sort((a, b) => Number(b.topLevel) - Number(a.topLevel) || a.offset - b.offset || a.index - b.index);
    throw new RubricError(
      this.file,
      ordered.map((problem) => problem.text),
    );
  }

  /** The deepest node on `path` that exists (a missing field is reported at its parent). */
  private nodeAt(path: Path, at: 'key' | 'value'): Node | undefined {
    let node = this.source.doc.contents as Node | null;
    for (const [i, segment] of path.entries()) {
      if (isMap(node)) {
        const pair = node.items.find(
          (entry) => String((entry.key as { value?: unknown } | null)?.value ?? entry.key) === String(segment),
        );
        if (!pair) break;
        node = (at === 'key' && i === path.length - 1 ? pair.key : pair.value) as Node | null;
      } else if (isSeq(node) && typeof segment === 'number' && node.items[segment]) {
        node = node.items[segment] as Node;
      } else break;
    }
    return node ?? undefined;
  }

  /** "item 3 (check: loss.mse), partial 2" for a path inside an item; "" at the top level. */
  private describe(path: Path): string {
    if (path[0] !== 'items' || typeof path[1] !== 'number') return '';
    const items = (this.data as { items?: unknown[] }).items ?? [];
    const label = itemLabel(items[path[1]], path[1]);
    return path[2] === 'partial' && typeof path[3] === 'number' ? `${label}, partial ${path[3] + 1}` : label;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The kinds an item claims to be (a valid item has exactly one). */
export function kindsOf(raw: Record<string, unknown>): ItemKind[] {
  return ITEM_KINDS.filter((kind) => kind in raw);
}

/** The trimmed id of an item of one kind, when it is a non-empty string. */
export function idOf(raw: unknown): { kind: ItemKind; id: string } | undefined {
  if (!isRecord(raw)) return undefined;
  const kinds = kindsOf(raw);
  const value = kinds.length === 1 ? raw[kinds[0]] : undefined;
  return typeof value === 'string' && value.trim() !== '' ? { kind: kinds[0], id: value.trim() } : undefined;
}

export function itemLabel(raw: unknown, index: number): string {
  const named = idOf(raw);
  return named ? `item ${index + 1} (${named.kind}: ${named.id})` : `item ${index + 1}`;
}

/**
 * Validates a mapping field by field, so that one bad field does not hide the others: returns
 * the fields that are valid, and `ok` when the whole object is (its cross-field rules included).
 */
export function readObject<S extends z.ZodObject>(
  schema: S,
  raw: Record<string, unknown>,
  path: Path,
  problems: Problems,
  what: string,
  skip: readonly string[] = [],
): { fields: Partial<z.output<S>>; ok: boolean } {
  const keys = Object.keys(schema.shape);
  const fields: Record<string, unknown> = {};
  let ok = true;
  const unknown = Object.keys(raw).filter((key) => !keys.includes(key));
  if (unknown.length > 0) {
    problems.addIssues(path, [{ code: 'unrecognized_keys', keys: unknown, path: [], message: '', input: raw }], {
      keys,
      what,
    });
    ok = false;
  }
  for (const key of keys) {
    if (skip.includes(key)) continue;
    const result = (schema.shape[key] as z.ZodType).safeParse(raw[key]);
    if (result.success) fields[key] = result.data;
    else {
      problems.addIssues(
        path,
        result.error.issues.map((issue) => ({ ...issue, path: [key, ...issue.path] })),
        { keys, what },
      );
      ok = false;
    }
  }
  if (ok && skip.length === 0) {
    // The object's own rules (e.g. "exactly one of"), once every field is valid.
    const whole = schema.safeParse(raw);
    if (!whole.success) {
      problems.addIssues(path, whole.error.issues, { keys, what });
      ok = false;
    }
  }
  return { fields: fields as Partial<z.output<S>>, ok };
}
