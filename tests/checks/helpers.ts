/**
 * Shared by tests/checks/samples.test.ts and bench/seeds.ts: the sample submissions in
 * submissions/, their expected verdicts (submissions/manifest.yaml), the real training split,
 * and running the check battery in-process against one sample.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { Matrix } from 'rnn-lab';
import { loadPollutionData } from 'rnn-lab/data';
import { prepareData } from '../../reference/pipeline';
import { runBattery } from '../../checks/battery';
import { CATALOGUE } from '../../checks/catalogue';
import { loadInProcess } from '../../checks/executors/in-process';
import type { CheckDefinition, CheckResult, Verdict } from '../../checks/types';

export const ROOT = resolve(__dirname, '..', '..');
export const SUBMISSIONS_DIR = join(ROOT, 'submissions');
export const MANIFEST_PATH = join(SUBMISSIONS_DIR, 'manifest.yaml');

export type SampleKind = 'correct' | 'wrong' | 'broken';
const KINDS: readonly SampleKind[] = ['correct', 'wrong', 'broken'];
const VERDICTS: readonly Verdict[] = ['passed', 'failed', 'error', 'timeout', 'memory'];

export interface SampleSpec {
  name: string;
  kind: SampleKind;
  why: string;
  /** Verdict of every check not listed in `expected`. */
  defaultVerdict: Verdict;
  /** Check id → verdict, for the checks that differ from the default. */
  expected: Record<string, Verdict>;
}

/** Reads and validates submissions/manifest.yaml (throws with the offending entry named). */
export function loadManifest(path = MANIFEST_PATH): SampleSpec[] {
  const root = parse(readFileSync(path, 'utf8')) as { samples?: Record<string, unknown> } | null;
  if (!root || typeof root !== 'object' || !root.samples || typeof root.samples !== 'object')
    throw new Error(`${path}: expected a top-level \`samples:\` mapping`);
  return Object.entries(root.samples).map(([name, raw]) => {
    const entry = raw as { kind?: unknown; why?: unknown; expected?: unknown };
    const where = `${path}: sample ${name}`;
    if (!KINDS.includes(entry?.kind as SampleKind))
      throw new Error(`${where}: kind must be one of ${KINDS.join(', ')}`);
    if (typeof entry.why !== 'string' || entry.why.trim() === '')
      throw new Error(`${where}: needs a one-line \`why:\``);
    if (!entry.expected || typeof entry.expected !== 'object')
      throw new Error(`${where}: needs an \`expected:\` mapping`);
    const expected: Record<string, Verdict> = {};
    let defaultVerdict: Verdict | undefined;
    for (const [id, verdict] of Object.entries(entry.expected as Record<string, unknown>)) {
      if (!VERDICTS.includes(verdict as Verdict))
        throw new Error(`${where}: ${id}: ${String(verdict)} is not a verdict (${VERDICTS.join(', ')})`);
      if (id === 'default') defaultVerdict = verdict as Verdict;
      else expected[id] = verdict as Verdict;
    }
    if (!defaultVerdict) throw new Error(`${where}: expected needs a \`default:\` verdict`);
    return { name, kind: entry.kind as SampleKind, why: entry.why.trim(), defaultVerdict, expected };
  });
}

/** Every folder of submissions/ that holds an rnn.ts (the samples stored as edits once written out: jest's global setup). */
export function sampleFolders(): string[] {
  return readdirSync(SUBMISSIONS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(SUBMISSIONS_DIR, entry.name, 'rnn.ts')))
    .map((entry) => entry.name)
    .sort();
}

export function samplePath(name: string): string {
  return join(SUBMISSIONS_DIR, name, 'rnn.ts');
}

export function expectedVerdict(spec: SampleSpec, id: string): Verdict {
  return spec.expected[id] ?? spec.defaultVerdict;
}

/** The standardized training split of the real data, or why it is not available. */
export type TrainSplit = { matrix: Matrix; problem?: undefined } | { matrix?: undefined; problem: string };

let trainSplit: Promise<TrainSplit> | undefined;

/**
 * Loads pollution.csv once per process (RNN_LAB_DATA, else the cache, else a download) and
 * prepares it as the reference pipeline does.
 */
export function loadTrainSplit(): Promise<TrainSplit> {
  return (trainSplit ??= loadPollutionData({ log: () => undefined }).then(
    (raw) => ({ matrix: prepareData(raw).train }),
    (error: unknown) => ({ problem: error instanceof Error ? error.message : String(error) }),
  ));
}

/** For runBattery: the training split, or a throw saying why there is none. */
export async function loadTrainData(): Promise<Matrix> {
  const split = await loadTrainSplit();
  if (split.problem !== undefined) throw new Error(`the real data is not available: ${split.problem}`);
  return split.matrix;
}

/** Runs `checks` in-process against one sample with the given battery seed. */
export function runSample(
  name: string,
  seed: number,
  checks: readonly CheckDefinition[] = CATALOGUE,
): Promise<CheckResult[]> {
  return runBattery(loadInProcess(samplePath(name)), checks, { seed, loadTrainData });
}

export interface Mismatch {
  id: string;
  expected: Verdict;
  got: Verdict;
  message: string;
}

/** Checks whose verdict differs from the manifest (`skip`: ids whose verdict is not judged). */
export function mismatchesOf(
  spec: SampleSpec,
  results: readonly CheckResult[],
  skip: ReadonlySet<string> = new Set(),
): Mismatch[] {
  return results
    .filter((result) => !skip.has(result.id) && result.status !== expectedVerdict(spec, result.id))
    .map((result) => ({
      id: result.id,
      expected: expectedVerdict(spec, result.id),
      got: result.status,
      message: result.message,
    }));
}

/** One line per mismatch, messages shortened, for a failing assertion. */
export function formatMismatches(name: string, seed: number, mismatches: readonly Mismatch[]): string {
  const lines = mismatches.map(
    (m) =>
      `  ${m.id}: expected ${m.expected}, got ${m.got}${m.message ? ` — ${m.message.replace(/\s+/g, ' ').slice(0, 300)}` : ''}`,
  );
  return `${name} (battery seed ${seed}): ${mismatches.length} check(s) differ from submissions/manifest.yaml\n${lines.join('\n')}`;
}

/** Results without their timings, for comparing two runs. */
export function withoutTimings(results: readonly CheckResult[]): Array<Omit<CheckResult, 'durationMs'>> {
  return results.map(({ durationMs: _ignored, ...rest }) => rest);
}

/** Battery seeds from a comma-separated list (env BATTERY_SEEDS) or a count (`3` → 1, 2, 3). */
export function parseSeeds(text: string | undefined, fallback: number[]): number[] {
  if (!text || text.trim() === '') return fallback;
  const parts = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  if (parts.length === 1 && /^\d+$/.test(parts[0]) && !text.includes(',')) {
    return Array.from({ length: Number(parts[0]) }, (_, i) => i + 1);
  }
  return parts.map((part) => {
    const seed = Number(part);
    if (!Number.isInteger(seed)) throw new Error(`BATTERY_SEEDS: ${part} is not an integer`);
    return seed;
  });
}
