/**
 * Runs every sample submission of submissions/manifest.yaml against the whole check battery
 * over many battery seeds, and reports where a verdict differs from the manifest:
 *
 *  - false failures: a check the manifest expects to pass did not pass (for a correct sample,
 *    this is the grader wrongly failing a good submission);
 *  - missed catches: a check the manifest expects to fail (or error) passed: the mistake went
 *    unnoticed with that seed;
 *  - other mismatches (e.g. failed instead of error).
 *
 * Usage: RNN_LAB_DATA=../shared/data/pollution.csv npx tsx bench/seeds.ts [--seeds 20] [--first-seed 1] [--samples a,b] [--catches-only] [--verbose]
 *        npx tsx bench/seeds.ts --show SAMPLE [--first-seed 1]   (every verdict and message of one sample)
 *
 * --catches-only: a wrong or broken sample runs only the checks its manifest entry expects not to
 * pass (is its mistake caught on every seed?); correct samples still run every check. This is the
 * long sweep of docs/tolerances.md (50 seeds), affordable on a busy machine.
 *
 * train.converges runs with its own fixed seed (CONVERGENCE_SEED), whatever the battery seed, so
 * its verdict cannot change from one battery seed to the next: it runs once per sample (first seed).
 */
import { CATALOGUE } from '../checks/catalogue';
import type { CheckResult } from '../checks/types';
import {
  expectedVerdict,
  loadManifest,
  loadTrainSplit,
  mismatchesOf,
  runSample,
  sampleFolders,
} from '../tests/checks/helpers';
import type { Mismatch, SampleSpec } from '../tests/checks/helpers';

const SEED_INDEPENDENT = new Set(['train.converges']);

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/** `--show NAME`: every verdict and message of one sample (seed from --first-seed, default 1). */
async function show(name: string, seed: number): Promise<void> {
  for (const result of await runSample(name, seed)) {
    console.log(
      `${result.id.padEnd(26)} ${result.status.padEnd(7)} ${String(result.durationMs).padStart(6)} ms  ${result.message.replace(/\s+/g, ' ').slice(0, 600)}${result.diagnosis ? ` [${result.diagnosis}]` : ''}`,
    );
  }
}

async function main(): Promise<void> {
  const shown = option('show');
  if (shown) return show(shown, Number(option('first-seed') ?? 1));
  const numSeeds = Number(option('seeds') ?? 20);
  const firstSeed = Number(option('first-seed') ?? 1);
  const only = option('samples')?.split(',');
  const verbose = process.argv.includes('--verbose');
  const catchesOnly = process.argv.includes('--catches-only');
  const seeds = Array.from({ length: numSeeds }, (_, i) => firstSeed + i);

  const manifest = loadManifest().filter((spec) => !only || only.includes(spec.name));
  const unlisted = sampleFolders().filter((name) => !loadManifest().some((spec) => spec.name === name));
  if (unlisted.length) console.log(`not in the manifest (not run): ${unlisted.join(', ')}`);
  const split = await loadTrainSplit();
  const skip = new Set<string>();
  if (split.problem !== undefined) {
    for (const check of CATALOGUE) if (check.usesData) skip.add(check.id);
    console.log(`NOTE: real data not available (${split.problem.split('\n')[0]}); not judging ${[...skip].join(', ')}`);
  }
  const perSeed = CATALOGUE.filter((check) => !SEED_INDEPENDENT.has(check.id));
  const once = CATALOGUE.filter((check) => SEED_INDEPENDENT.has(check.id));

  const falseFailures: string[] = [];
  const missedCatches: string[] = [];
  const others: string[] = [];
  const started = Date.now();
  let verdicts = 0;
  for (const spec of manifest) {
    const sampleStarted = Date.now();
    const tally = new Map<string, { mismatch: Mismatch; seeds: number[] }>();
    let convergence = '';
    const judged = (check: (typeof CATALOGUE)[number]) =>
      !catchesOnly || spec.kind === 'correct' || expectedVerdict(spec, check.id) !== 'passed';
    for (const [index, seed] of seeds.entries()) {
      const results: CheckResult[] = await runSample(
        spec.name,
        seed,
        (index === 0 ? [...perSeed, ...once] : perSeed).filter(judged),
      );
      verdicts += results.length;
      const converges = results.find((result) => result.id === 'train.converges');
      if (converges) convergence = describeConvergence(converges);
      for (const mismatch of mismatchesOf(spec, results, skip)) {
        const key = `${mismatch.id}: expected ${mismatch.expected}, got ${mismatch.got}`;
        const entry = tally.get(key) ?? { mismatch, seeds: [] };
        entry.seeds.push(seed);
        tally.set(key, entry);
      }
    }
    for (const [key, { mismatch, seeds: hit }] of tally) {
      const line =
        `${spec.name} (${spec.kind}) ${key} on ${hit.length}/${SEED_INDEPENDENT.has(mismatch.id) ? 1 : seeds.length} seed(s) [${hit.join(', ')}]` +
        (verbose ? `\n    ${mismatch.message.replace(/\s+/g, ' ').slice(0, 400)}` : '');
      if (mismatch.expected === 'passed') falseFailures.push(line);
      else if (mismatch.got === 'passed') missedCatches.push(line);
      else others.push(line);
    }
    process.stdout.write(
      `${spec.name.padEnd(36)} ${(tally.size === 0 ? 'as expected' : `${tally.size} kind(s) of mismatch`).padEnd(22)} ${convergence.padEnd(34)} ${((Date.now() - sampleStarted) / 1000).toFixed(1)} s\n`,
    );
  }

  console.log(
    `\n${manifest.length} samples × ${seeds.length} battery seeds (${seeds[0]}..${seeds[seeds.length - 1]}), ${verdicts} verdicts${catchesOnly ? ' (wrong and broken samples: only the checks expected not to pass)' : ''}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  console.log(`\nFalse failures (expected passed, got something else): ${falseFailures.length}`);
  for (const line of falseFailures) console.log(`  ${line}`);
  console.log(`\nMissed catches (expected a failure, got passed): ${missedCatches.length}`);
  for (const line of missedCatches) console.log(`  ${line}`);
  console.log(`\nOther mismatches: ${others.length}`);
  for (const line of others) console.log(`  ${line}`);
  if (verbose) {
    console.log('\nExpected non-passing verdicts:');
    for (const spec of manifest) console.log(`  ${spec.name}: ${describeExpected(spec)}`);
  }
  process.exitCode = falseFailures.length + missedCatches.length + others.length === 0 ? 0 : 1;
}

/** "train.converges passed (0.0464)": the verdict and the statistic its message reports. */
function describeConvergence(result: CheckResult): string {
  const statistic = /mean of the last 25 losses(?: is)?:? ([-+0-9.e]+)/.exec(result.message)?.[1];
  return `train.converges ${result.status}${statistic ? ` (${statistic.replace(/[.;]$/, '')})` : ''}`;
}

function describeExpected(spec: SampleSpec): string {
  const failing = CATALOGUE.filter((check) => expectedVerdict(spec, check.id) !== 'passed').map(
    (check) => `${check.id}=${expectedVerdict(spec, check.id)}`,
  );
  return failing.join(', ') || '(all pass)';
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 2;
});
