/**
 * `npm run grade -- similarity DIR... [--out DIR] [--threshold X]`: which pairs of submissions
 * share unusually much code. A hint for a human, never an automatic penalty.
 *
 * Method (docs/similarity.md): each rnn.ts is parsed with the TypeScript parser and turned into a
 * token stream in which every identifier is the same token, every number, string and template
 * piece too, `let`/`const`/`var` are one token, and comments, whitespace, semicolons and trailing
 * commas are gone: renaming variables and reformatting change nothing. Every run of K tokens is
 * hashed; winnowing (Schleimer, Wilkerson and Aiken, SIGMOD 2003) keeps the smallest hash of each
 * window of W consecutive hashes as a fingerprint, which guarantees that any shared run of at
 * least K + W − 1 tokens is found. Fingerprints that occur anywhere in the handout skeleton are
 * dropped, so code every student was given counts for nobody. A pair's similarity is
 * 2·|shared| / (|A| + |B|) over the remaining fingerprints (0 when either has none).
 *
 * For the pairs at or above the threshold, the shared fragments are found with every K-gram (not
 * only the fingerprints) and shown side by side with their line numbers.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { discoverSubmissions } from './discover';
import { DEFAULT_COLLECT_LIMITS } from './compile/collect';
import { fnv1a } from './fnv1a';
import { handoutManifest } from './handout-manifest';
import { readRegularText } from './compile/read-file';
import { tokenize } from './similarity-tokens';
import type { Token } from './similarity-tokens';
import { mdFenced, mdInline } from './reports/md-text';

export class SimilarityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimilarityError';
  }
}

/** Tokens per hashed run (the noise threshold: shorter shared runs are ignored). */
export const DEFAULT_K = 12;
/** Hashes per winnowing window: every shared run of K + W − 1 tokens yields a shared fingerprint. */
export const DEFAULT_WINDOW = 8;
export const DEFAULT_THRESHOLD = 0.5;
/** Fragments shown per pair. */
export const DEFAULT_MAX_FRAGMENTS = 6;
/** Pairs listed in similarity.md's table, and pairs whose fragments it shows (similarity.json has all). */
const MAX_TABLE_ROWS = 500;
const MAX_DETAILED_PAIRS = 50;
/** Source lines shown per fragment side. */
const MAX_FRAGMENT_LINES = 40;
const COLUMN_WIDTH = 64;

/** The hash of every run of k tokens (position i: tokens i … i+k−1), below 2^53. */
export function kgramHashes(tokens: readonly Token[], k: number): number[] {
  const hashes: number[] = [];
  const codes = tokens.map((token) => token.code);
  for (let i = 0; i + k <= tokens.length; i++) {
    // Two independent 32-bit hashes, 53 bits kept: FNV-1a, and a multiply-shift one.
    let b = 0x01000193;
    for (let j = i; j < i + k; j++) b = Math.imul(b + codes[j], 0x5bd1e995) ^ (b >>> 15);
    hashes.push(fnv1a(codes, i, i + k) * 0x200000 + ((b >>> 0) & 0x1fffff));
  }
  return hashes;
}

/** Robust winnowing: the rightmost smallest hash of each window, each chosen position once. */
export function winnow(hashes: readonly number[], window: number): Array<{ hash: number; position: number }> {
  const chosen: Array<{ hash: number; position: number }> = [];
  if (hashes.length === 0) return chosen;
  const w = Math.min(window, hashes.length);
  let last = -1;
  for (let end = w - 1; end < hashes.length; end++) {
    let min = end;
    for (let i = end - 1; i > end - w; i--) if (hashes[i] < hashes[min]) min = i;
    if (min !== last) {
      chosen.push({ hash: hashes[min], position: min });
      last = min;
    }
  }
  return chosen;
}

export interface Document {
  id: string;
  path: string;
  text: string;
  tokens: Token[];
  /** Every k-gram hash (for fragments). */
  hashes: number[];
  /** The winnowed fingerprints not in the skeleton. */
  fingerprints: Set<number>;
}

export interface SimilarityOptions {
  k?: number;
  window?: number;
  threshold?: number;
  maxFragments?: number;
}

/** A source every student was given (the handout's rnn.ts): its k-grams count for nobody. */
export function skeletonHashes(text: string, k = DEFAULT_K): Set<number> {
  return new Set(kgramHashes(tokenize(text), k));
}

export function makeDocument(
  id: string,
  path: string,
  text: string,
  skeleton: ReadonlySet<number>,
  options: SimilarityOptions = {},
): Document {
  const k = options.k ?? DEFAULT_K;
  const tokens = tokenize(text);
  const hashes = kgramHashes(tokens, k);
  const fingerprints = new Set<number>();
  for (const { hash } of winnow(hashes, options.window ?? DEFAULT_WINDOW))
    if (!skeleton.has(hash)) fingerprints.add(hash);
  return { id, path, text, tokens, hashes, fingerprints };
}

export interface LineRange {
  startLine: number;
  endLine: number;
}

export interface Fragment {
  a: LineRange;
  b: LineRange;
  /** Normalised tokens in the shared run. */
  tokens: number;
}

export interface PairResult {
  a: string;
  b: string;
  similarity: number;
  /** Fingerprints the two share. */
  shared: number;
  /** Shares of A's and B's fingerprints that the other has too. */
  coverageA: number;
  coverageB: number;
  fragments: Fragment[];
}

/** The similarity of two documents (no fragments). */
export function pairScore(a: Document, b: Document): Omit<PairResult, 'fragments'> {
  let shared = 0;
  const [small, large] =
    a.fingerprints.size <= b.fingerprints.size ? [a.fingerprints, b.fingerprints] : [b.fingerprints, a.fingerprints];
  for (const hash of small) if (large.has(hash)) shared++;
  const total = a.fingerprints.size + b.fingerprints.size;
  return {
    a: a.id,
    b: b.id,
    similarity: total === 0 ? 0 : (2 * shared) / total,
    shared,
    coverageA: a.fingerprints.size === 0 ? 0 : shared / a.fingerprints.size,
    coverageB: b.fingerprints.size === 0 ? 0 : shared / b.fingerprints.size,
  };
}

function lineOf(offset: number, starts: number[]): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
}

/**
 * The shared runs of two documents, most original code first, none overlapping another in either
 * file (greedy tiling over the k-gram matches). Runs may pass through skeleton code (shown in
 * context), but a run made of skeleton k-grams only is not a fragment.
 */
export function sharedFragments(
  a: Document,
  b: Document,
  skeleton: ReadonlySet<number>,
  options: SimilarityOptions = {},
): Fragment[] {
  const k = options.k ?? DEFAULT_K;
  const inB = new Map<number, number[]>();
  b.hashes.forEach((hash, j) => {
    const list = inB.get(hash);
    if (list) list.push(j);
    else inB.set(hash, [j]);
  });
  // Matches grouped by diagonal (i − j); consecutive i on a diagonal form one run.
  const diagonals = new Map<number, number[]>();
  a.hashes.forEach((hash, i) => {
    for (const j of inB.get(hash) ?? []) {
      const list = diagonals.get(i - j);
      if (list) list.push(i);
      else diagonals.set(i - j, [i]);
    }
  });
  const runs: Array<{ i: number; j: number; length: number; original: number }> = [];
  for (const [diagonal, positions] of diagonals) {
    let start = 0;
    for (let n = 1; n <= positions.length; n++) {
      if (n < positions.length && positions[n] === positions[n - 1] + 1) continue;
      const first = positions[start];
      const last = positions[n - 1];
      let original = 0;
      for (let i = first; i <= last; i++) if (!skeleton.has(a.hashes[i])) original++;
      if (original > 0) runs.push({ i: first, j: first - diagonal, length: last - first + k, original });
      start = n;
    }
  }
  runs.sort((x, y) => y.original - x.original || y.length - x.length || x.i - y.i || x.j - y.j);
  const usedA = new Uint8Array(a.tokens.length);
  const usedB = new Uint8Array(b.tokens.length);
  const tiles: typeof runs = [];
  for (const run of runs) {
    let free = true;
    for (let t = 0; t < run.length && free; t++) if (usedA[run.i + t] || usedB[run.j + t]) free = false;
    if (!free) continue;
    usedA.fill(1, run.i, run.i + run.length);
    usedB.fill(1, run.j, run.j + run.length);
    tiles.push(run);
  }
  const startsA = lineStarts(a.text);
  const startsB = lineStarts(b.text);
  const range = (doc: Document, starts: number[], first: number, length: number): LineRange => ({
    startLine: lineOf(doc.tokens[first].start, starts),
    endLine: lineOf(doc.tokens[first + length - 1].end - 1, starts),
  });
  return tiles.map((tile) => ({
    a: range(a, startsA, tile.i, tile.length),
    b: range(b, startsB, tile.j, tile.length),
    tokens: tile.length,
  }));
}

export interface SimilarityReport {
  schemaVersion: 1;
  notice: string;
  method: { tokens: string; k: number; window: number; guaranteedRun: number; skeleton: string };
  threshold: number;
  submissions: Array<{ id: string; path: string; tokens: number; fingerprints: number }>;
  /** Submissions that could not be compared (no rnn.ts, unreadable). */
  skipped: Array<{ id: string; path: string; reason: string }>;
  /** Over every pair: how similar the class is, to judge what "unusual" means. */
  stats: { pairs: number; median: number; p90: number; max: number };
  /** Pairs at or above the threshold, most similar first. */
  pairs: PairResult[];
}

export const NOTICE =
  'This report is a hint for a human reader, never an automatic penalty. Similar code has innocent causes ' +
  '(the same lecture notes or textbook formulas, a permitted study group, a tutorial everybody used, a short ' +
  'exercise with few ways to write it). Read the fragments side by side and talk to the students before ' +
  'drawing any conclusion.';

export interface SimilarityInput {
  id: string;
  path: string;
  text?: string;
  /** Why it cannot be compared (then text is absent). */
  problem?: string;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** Compares every pair of inputs. `skeleton` is the handout's rnn.ts text (or null for none). */
export function compareSubmissions(
  inputs: readonly SimilarityInput[],
  skeleton: { text: string; source: string } | null,
  options: SimilarityOptions = {},
): SimilarityReport {
  const k = options.k ?? DEFAULT_K;
  const window = options.window ?? DEFAULT_WINDOW;
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const skeletonSet = skeleton ? skeletonHashes(skeleton.text, k) : new Set<number>();
  const documents: Document[] = [];
  const skipped: SimilarityReport['skipped'] = [];
  for (const input of inputs) {
    if (input.text === undefined)
      skipped.push({ id: input.id, path: input.path, reason: input.problem ?? 'no rnn.ts' });
    else documents.push(makeDocument(input.id, input.path, input.text, skeletonSet, { k, window }));
  }
  // Shared fingerprints per pair through an index (pairs sharing nothing cost nothing).
  const owners = new Map<number, number[]>();
  documents.forEach((doc, index) => {
    for (const hash of doc.fingerprints) {
      const list = owners.get(hash);
      if (list) list.push(index);
      else owners.set(hash, [index]);
    }
  });
  const n = documents.length;
  const shared = new Map<number, number>();
  for (const list of owners.values()) {
    for (let x = 0; x < list.length; x++)
      for (let y = x + 1; y < list.length; y++)
        shared.set(list[x] * n + list[y], (shared.get(list[x] * n + list[y]) ?? 0) + 1);
  }
  const scores: number[] = [];
  const pairs: PairResult[] = [];
  for (let x = 0; x < n; x++) {
    for (let y = x + 1; y < n; y++) {
      const common = shared.get(x * n + y) ?? 0;
      const total = documents[x].fingerprints.size + documents[y].fingerprints.size;
      const similarity = total === 0 ? 0 : (2 * common) / total;
      scores.push(similarity);
      if (similarity < threshold || common === 0) continue;
      const score = pairScore(documents[x], documents[y]);
      pairs.push({
        ...score,
        similarity: round4(score.similarity),
        coverageA: round4(score.coverageA),
        coverageB: round4(score.coverageB),
        fragments: sharedFragments(documents[x], documents[y], skeletonSet, { k }).slice(
          0,
          options.maxFragments ?? DEFAULT_MAX_FRAGMENTS,
        ),
      });
    }
  }
  pairs.sort(
    (p, q) => q.similarity - p.similarity || (p.a < q.a ? -1 : p.a > q.a ? 1 : p.b < q.b ? -1 : p.b > q.b ? 1 : 0),
  );
  scores.sort((p, q) => p - q);
  return {
    schemaVersion: 1,
    notice: NOTICE,
    method: {
      tokens:
        'TypeScript tokens; identifiers, numbers, strings and let/const/var each one token; comments, whitespace, semicolons and trailing commas dropped',
      k,
      window,
      guaranteedRun: k + window - 1,
      skeleton: skeleton ? skeleton.source : 'none',
    },
    threshold,
    submissions: documents.map((doc) => ({
      id: doc.id,
      path: doc.path,
      tokens: doc.tokens.length,
      fingerprints: doc.fingerprints.size,
    })),
    skipped,
    stats: {
      pairs: scores.length,
      median: round4(quantile(scores, 0.5)),
      p90: round4(quantile(scores, 0.9)),
      max: round4(scores.length > 0 ? scores[scores.length - 1] : 0),
    },
    pairs,
  };
}

// --- rendering -----------------------------------------------------------------------------------

const percent = (x: number) => `${Math.round(x * 100)} %`;

function cell(text: string, width: number): string {
  const flat = text.replace(/\t/g, '  ').replace(/\s+$/, '');
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat.padEnd(width);
}

/** Two line ranges next to each other, numbered, in a fixed-width block. */
export function sideBySide(
  left: { text: string; range: LineRange },
  right: { text: string; range: LineRange },
  width = COLUMN_WIDTH,
): string {
  const side = (source: { text: string; range: LineRange }) => {
    const lines = source.text.split('\n');
    const numbers = Array.from(
      { length: source.range.endLine - source.range.startLine + 1 },
      (_, i) => source.range.startLine + i,
    );
    const shown = numbers
      .slice(0, MAX_FRAGMENT_LINES)
      .map((number) => `${String(number).padStart(4)}  ${lines[number - 1] ?? ''}`);
    if (numbers.length > MAX_FRAGMENT_LINES) shown.push(`      … ${numbers.length - MAX_FRAGMENT_LINES} more lines`);
    return shown;
  };
  const a = side(left);
  const b = side(right);
  const rows: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    rows.push(`${cell(a[i] ?? '', width)} │ ${(b[i] ?? '').replace(/\t/g, '  ').replace(/\s+$/, '')}`.trimEnd());
  return rows.join('\n');
}

export function renderSimilarityMarkdown(report: SimilarityReport, texts: ReadonlyMap<string, string>): string {
  const lines: string[] = ['# Similarity report', '', `> **${report.notice}**`, ''];
  lines.push(
    `Method: winnowing over normalised TypeScript tokens (identifiers, literals and formatting do not matter; k = ${report.method.k}, window ${report.method.window}: ` +
      `every shared run of ${report.method.guaranteedRun} or more tokens is seen). Code from the handout skeleton (${mdInline(report.method.skeleton)}) is ignored. ` +
      'Similarity = shared fingerprints / average fingerprints of the two; "A shared" is the part of A\'s own code (after the skeleton) also found in B.',
    '',
    `${report.submissions.length} submissions compared (${report.stats.pairs} pairs): median similarity ${percent(report.stats.median)}, 90th percentile ${percent(report.stats.p90)}, highest ${percent(report.stats.max)}. ` +
      `**${report.pairs.length}** pair${report.pairs.length === 1 ? '' : 's'} at or above the threshold of ${percent(report.threshold)}.`,
    '',
  );
  if (report.skipped.length > 0) {
    lines.push('Not compared:', '');
    for (const s of report.skipped) lines.push(`- ${mdInline(s.id)} (${mdInline(s.path)}): ${mdInline(s.reason)}`);
    lines.push('');
  }
  if (report.pairs.length === 0) return `${lines.join('\n').trimEnd()}\n`;
  if (report.pairs.length > MAX_DETAILED_PAIRS) {
    lines.push(
      `> ${report.pairs.length} pairs are many: for this assignment the threshold may be too low (compare it with the median and 90th percentile above). ` +
        `The table lists the first ${Math.min(report.pairs.length, MAX_TABLE_ROWS)}, the fragments are shown for the first ${MAX_DETAILED_PAIRS}; similarity.json has every pair and its fragments' lines.`,
      '',
    );
  }
  lines.push(
    '| # | A | B | similarity | A shared | B shared | longest fragment (tokens) |',
    '|---:|---|---|---:|---:|---:|---:|',
  );
  report.pairs.slice(0, MAX_TABLE_ROWS).forEach((pair, index) => {
    const longest = pair.fragments[0]?.tokens ?? 0;
    lines.push(
      `| ${index + 1} | ${mdInline(pair.a)} | ${mdInline(pair.b)} | ${percent(pair.similarity)} | ${percent(pair.coverageA)} | ${percent(pair.coverageB)} | ${longest} |`,
    );
  });
  lines.push('');
  report.pairs.slice(0, MAX_DETAILED_PAIRS).forEach((pair, index) => {
    lines.push(`## ${index + 1}. ${mdInline(pair.a)} ↔ ${mdInline(pair.b)}: ${percent(pair.similarity)}`, '');
    pair.fragments.forEach((fragment, number) => {
      const block = sideBySide(
        { text: texts.get(pair.a) ?? '', range: fragment.a },
        { text: texts.get(pair.b) ?? '', range: fragment.b },
      );
      lines.push(
        `### Fragment ${number + 1}: ${mdInline(pair.a)} lines ${fragment.a.startLine}–${fragment.a.endLine} ↔ ${mdInline(pair.b)} lines ${fragment.b.startLine}–${fragment.b.endLine} (${fragment.tokens} tokens)`,
        '',
        // The fence outgrows any run of backticks in the code (template literals) or the ids.
        mdFenced(
          [
            `${cell(pair.a, COLUMN_WIDTH)} │ ${pair.b}`,
            `${'─'.repeat(COLUMN_WIDTH)}─┼─${'─'.repeat(COLUMN_WIDTH)}`,
            block,
          ].join('\n'),
        ),
        '',
      );
    });
  });
  return `${lines.join('\n').trimEnd()}\n`;
}

export function renderSimilarityJson(report: SimilarityReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

// --- the command ---------------------------------------------------------------------------------

export interface SimilarityCommandOptions {
  inputs: string[];
  out: string;
  threshold: number;
  /** A file every student started from (default: the handout's rnn.ts). */
  skeleton?: string;
  cwd: string;
}

/**
 * Finds the submissions (as the grader does: folders, folders of folders, zips), compares them and
 * writes similarity.md and similarity.json into `out`. Throws DiscoveryError or SimilarityError.
 */
export function runSimilarity(options: SimilarityCommandOptions): { report: SimilarityReport; written: string[] } {
  let skeleton: { text: string; source: string };
  if (options.skeleton) {
    try {
      skeleton = { text: readFileSync(resolve(options.cwd, options.skeleton), 'utf8'), source: options.skeleton };
    } catch (error) {
      throw new SimilarityError(`cannot read the skeleton ${options.skeleton}: ${(error as Error).message}`);
    }
  } else {
    skeleton = { text: handoutManifest().skeleton.text, source: "the handout's rnn.ts" };
  }
  const extractDir = mkdtempSync(join(tmpdir(), 'rnn-similarity-'));
  try {
    const inputs: SimilarityInput[] = discoverSubmissions(options.inputs, { extractDir, cwd: options.cwd }).map(
      (submission) => {
        if (submission.problem) return { id: submission.id, path: submission.path, problem: submission.problem };
        try {
          // Never through a link, never a device or FIFO, never more than the grader compiles.
          return {
            id: submission.id,
            path: submission.path,
            text: readRegularText(join(submission.dir, 'rnn.ts'), DEFAULT_COLLECT_LIMITS.maxFileBytes),
          };
        } catch (error) {
          return {
            id: submission.id,
            path: submission.path,
            problem: `cannot read rnn.ts: ${(error as Error).message}`,
          };
        }
      },
    );
    const report = compareSubmissions(inputs, skeleton, { threshold: options.threshold });
    const texts = new Map(inputs.filter((input) => input.text !== undefined).map((input) => [input.id, input.text!]));
    const out = resolve(options.cwd, options.out);
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'similarity.md'), renderSimilarityMarkdown(report, texts));
    writeFileSync(join(out, 'similarity.json'), renderSimilarityJson(report));
    return { report, written: ['similarity.json', 'similarity.md'] };
  } finally {
    rmSync(extractDir, { recursive: true, force: true });
  }
}

/** Parses --threshold: a number in [0, 1] or a percentage ("60%"). */
export function parseThreshold(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  const value = match ? Number(match[1]) / (match[2] ? 100 : 1) : NaN;
  if (!(value >= 0 && value <= 1))
    throw new Error(`--threshold must be a number between 0 and 1 (or a percentage such as 60%), got "${text}"`);
  return value;
}
