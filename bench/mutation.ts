/**
 * Mutation benchmark: how many one-token mutants of a correct submission does the check battery
 * catch? Each mutant changes one token of a student function of submissions/correct-loops/rnn.ts
 * (an arithmetic or comparison operator, a numeric constant, an index), and is graded by the whole
 * battery in a child process of its own (so an endless loop costs only that mutant). A mutant is
 * killed when any check does not pass it. Every survivor must be listed in EQUIVALENT below with
 * the reason it computes the same results on every input the contract allows; an unlisted
 * survivor is a gap in the battery, and the run exits non-zero.
 *
 *   RNN_LAB_DATA=… npx tsx bench/mutation.ts [--count 130] [--jobs 1] [--list] [--rest]
 *
 * --count N picks N mutants spread evenly over all of them; --rest grades the others instead.
 *
 * train.converges (500 training steps of the mutant, seconds each) runs only for mutants that
 * survive every other check: a mutant the faster checks kill is killed either way.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { CATALOGUE } from '../checks/catalogue';
import { runBattery } from '../checks/battery';
import { loadInProcess } from '../checks/executors/in-process';
import { loadTrainData, ROOT } from '../tests/checks/helpers';

const SOURCE = join(ROOT, 'submissions', 'correct-loops', 'rnn.ts');
const WORK_DIR = join(ROOT, '.cache', 'mutants');
const MUTANT_TIMEOUT_MS = 240_000;
const BATTERY_SEED = 1;

export interface Mutant {
  id: number;
  line: number;
  /** The function or method the token is in. */
  where: string;
  from: string;
  to: string;
  source: string;
}

const OPERATOR_SWAPS: Record<string, string[]> = {
  '+': ['-'],
  '-': ['+'],
  '*': ['/'],
  '/': ['*'],
  '<': ['<='],
  '<=': ['<'],
  '>': ['>='],
  '>=': ['>'],
  '+=': ['-='],
  '-=': ['+='],
  '===': ['!=='],
  '!==': ['==='],
};

function constantSwaps(text: string): string[] {
  const value = Number(text);
  if (!Number.isFinite(value)) return [];
  if (value === 0) return ['1'];
  if (value === 1) return ['0', '2'];
  if (Number.isInteger(value)) return [String(value + 1), String(value - 1)];
  return [String(value * 2)];
}

/** The name of the function or method each position belongs to (for the report). */
function enclosingNames(file: ts.SourceFile): Array<{ start: number; end: number; name: string }> {
  const spans: Array<{ start: number; end: number; name: string }> = [];
  const visit = (node: ts.Node) => {
    if (
      (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node)) &&
      node.body
    ) {
      const name = ts.isConstructorDeclaration(node) ? 'constructor' : (node.name?.getText(file) ?? '?');
      spans.push({ start: node.body.getStart(file), end: node.body.getEnd(), name });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return spans;
}

/** Every one-token mutant of the student functions' bodies, in source order. */
export function generateMutants(source: string): Mutant[] {
  const file = ts.createSourceFile('rnn.ts', source, ts.ScriptTarget.ES2022, true);
  const spans = enclosingNames(file);
  const scanner = ts.createScanner(ts.ScriptTarget.ES2022, false, ts.LanguageVariant.Standard, source);
  const mutants: Mutant[] = [];
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    const start = scanner.getTokenStart();
    const text = scanner.getTokenText();
    const span = spans.find((s) => start >= s.start && start < s.end);
    if (!span) continue; // only code inside functions: not imports, types or field declarations
    const replacements = kind === ts.SyntaxKind.NumericLiteral ? constantSwaps(text) : (OPERATOR_SWAPS[text] ?? []);
    for (const to of replacements) {
      const mutated = source.slice(0, start) + to + source.slice(start + text.length);
      mutants.push({
        id: mutants.length,
        line: file.getLineAndCharacterOfPosition(start).line + 1,
        where: span.name,
        from: text,
        to,
        source: mutated,
      });
    }
  }
  return mutants;
}

/** `count` mutants spread evenly over the whole list (deterministic). */
export function selectMutants(all: Mutant[], count: number): Mutant[] {
  if (all.length <= count) return all;
  return Array.from({ length: count }, (_, i) => all[Math.floor((i * all.length) / count)]);
}

const describeMutant = (m: Pick<Mutant, 'line' | 'where' | 'from' | 'to'>) =>
  `${m.where}:${m.line} ${m.from} → ${m.to}`;

/**
 * Survivors that compute the same results as the original on every input the contract allows,
 * keyed by describeMutant. Each needs its reason.
 */
export const EQUIVALENT: Record<string, string> = {
  'doTrainingStep:221 < → <=':
    'writes w[i][H] += g.w[i][H] (NaN) into an extra slot of the local gradient sum; the update loop reads only k < H, so no parameter, loss or rng call changes',
  'doTrainingStep:222 < → <=':
    'writes u[i][F] += g.u[i][F] (NaN) into an extra slot of the local gradient sum; the update loop reads only j < F, so no parameter, loss or rng call changes',
};

/**
 * Survivors that do change behaviour, and the check that will catch them (work tracked elsewhere).
 * Reported apart from the equivalent ones; they still count as survivors.
 */
export const KNOWN_GAPS: Record<string, string> = {
  // Empty: trainRnn's learning rate (0.01 → 0.02), the last one, is caught by train.protocol's comparison with 3 reference steps.
};

/** In the child: grade one mutant, print the ids of the checks that did not pass. */
async function gradeOne(path: string): Promise<void> {
  const executor = loadInProcess(path);
  const fast = CATALOGUE.filter((check) => check.id !== 'train.converges');
  let results = await runBattery(executor, fast, { seed: BATTERY_SEED, loadTrainData });
  if (results.every((result) => result.status === 'passed')) {
    results = await runBattery(
      executor,
      CATALOGUE.filter((check) => check.id === 'train.converges'),
      { seed: BATTERY_SEED, loadTrainData },
    );
  }
  const failing = results
    .filter((result) => result.status !== 'passed')
    .map((result) => `${result.id}=${result.status}`);
  process.stdout.write(`${JSON.stringify(failing)}\n`);
}

function runChild(path: string): Promise<{ killedBy: string[] }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...process.execArgv, __filename, '--one', path],
      { timeout: MUTANT_TIMEOUT_MS, maxBuffer: 1 << 20, env: process.env },
      (error, stdout) => {
        const line = stdout.trim().split('\n').pop() ?? '';
        try {
          resolve({ killedBy: JSON.parse(line) as string[] });
        } catch {
          resolve({
            killedBy: [
              error?.killed ? 'timeout (child killed)' : `child failed: ${(error?.message ?? line).slice(0, 120)}`,
            ],
          });
        }
      },
    );
  });
}

async function main(): Promise<void> {
  const one = process.argv.indexOf('--one');
  if (one >= 0) return gradeOne(process.argv[one + 1]);
  const option = (name: string) => {
    const index = process.argv.indexOf(`--${name}`);
    return index >= 0 ? process.argv[index + 1] : undefined;
  };
  const count = Number(option('count') ?? 130);
  const jobs = Number(option('jobs') ?? 1);
  const all = generateMutants(readFileSync(SOURCE, 'utf8'));
  const picked = selectMutants(all, count);
  const chosen = process.argv.includes('--rest') ? all.filter((mutant) => !picked.includes(mutant)) : picked;
  if (process.argv.includes('--list')) {
    for (const m of chosen) console.log(`#${m.id} ${describeMutant(m)}`);
    return;
  }
  console.log(
    `${all.length} one-token mutants of submissions/correct-loops/rnn.ts; grading ${chosen.length} (battery seed ${BATTERY_SEED})`,
  );
  rmSync(WORK_DIR, { recursive: true, force: true });
  const started = Date.now();
  const outcomes: Array<{ mutant: Mutant; killedBy: string[] }> = [];
  let next = 0;
  const worker = async () => {
    while (next < chosen.length) {
      const mutant = chosen[next++];
      const dir = join(WORK_DIR, `m${mutant.id}`);
      mkdirSync(dir, { recursive: true });
      const path = join(dir, 'rnn.ts');
      writeFileSync(path, mutant.source);
      const { killedBy } = await runChild(path);
      outcomes.push({ mutant, killedBy });
      console.log(
        `#${String(mutant.id).padEnd(4)} ${describeMutant(mutant).padEnd(40)} ${killedBy.length ? `killed by ${killedBy.slice(0, 4).join(', ')}${killedBy.length > 4 ? ', …' : ''}` : 'SURVIVED'}`,
      );
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  rmSync(WORK_DIR, { recursive: true, force: true });

  const survivors = outcomes.filter((outcome) => outcome.killedBy.length === 0);
  const explained = survivors.filter((outcome) => EQUIVALENT[describeMutant(outcome.mutant)]);
  const gaps = survivors.filter((outcome) => KNOWN_GAPS[describeMutant(outcome.mutant)]);
  const unexplained = survivors.filter(
    (outcome) => !EQUIVALENT[describeMutant(outcome.mutant)] && !KNOWN_GAPS[describeMutant(outcome.mutant)],
  );
  const killed = outcomes.length - survivors.length;
  console.log(
    `\n${outcomes.length} mutants in ${((Date.now() - started) / 1000).toFixed(0)} s: ${killed} killed (${((100 * killed) / outcomes.length).toFixed(1)} %), ${survivors.length} survived`,
  );
  console.log(
    `kill rate over the non-equivalent mutants: ${killed}/${outcomes.length - explained.length} (${((100 * killed) / (outcomes.length - explained.length)).toFixed(1)} %)`,
  );
  for (const { mutant } of explained)
    console.log(`  equivalent: ${describeMutant(mutant)} — ${EQUIVALENT[describeMutant(mutant)]}`);
  for (const { mutant } of gaps)
    console.log(`  known gap (changes behaviour): ${describeMutant(mutant)} — ${KNOWN_GAPS[describeMutant(mutant)]}`);
  for (const { mutant } of unexplained) console.log(`  NOT EXPLAINED: #${mutant.id} ${describeMutant(mutant)}`);
  process.exitCode = unexplained.length + gaps.length === 0 ? 0 : 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 2;
  });
}
