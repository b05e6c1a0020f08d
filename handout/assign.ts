/**
 * `npm run assign -- --out DIR [--data FILE] [--force] [--no-lockfile] [--classroom]`: generates the
 * student handout from the reference. It refuses when the reference does not get every check of the
 * full battery, so a broken reference never reaches students. `--classroom`: a GitHub Classroom
 * assignment's handout (handout/classroom-workflow.ts).
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'fs';
import path from 'path';
import { Command } from 'commander';
import type { Matrix } from 'rnn-lab';
import { DataError, loadPollutionData } from 'rnn-lab/data';
import { runBattery } from '../checks/battery';
import { CATALOGUE } from '../checks/catalogue';
import { createInProcessExecutor } from '../checks/executors/in-process';
import { prepareData } from '../reference/pipeline';
import * as reference from '../reference/rnn';
import { buildFixtures } from './fixtures';
import { handoutFiles } from './files';

export class AssignError extends Error {}

/** The reference is trusted project code: it runs in-process here. */
export async function verifyReference(raw: Matrix, solution: Record<string, unknown> = reference): Promise<string[]> {
  const train = prepareData(raw).train;
  const results = await runBattery(createInProcessExecutor(solution), CATALOGUE, {
    seed: 1,
    loadTrainData: async () => train,
  });
  return results
    .filter((result) => result.status !== 'passed')
    .map((result) => `${result.id}: ${result.status} — ${result.message}`);
}

export interface AssignOptions {
  out: string;
  dataPath?: string;
  force?: boolean;
  lockfile?: boolean;
  /** Ship the GitHub Classroom workflow (classroom.yml) instead of grade.yml. */
  classroom?: boolean;
  log?: (line: string) => void;
  /** The solution to verify before generating (tests pass a wrong one to see the refusal). */
  solution?: Record<string, unknown>;
}

export async function assign(options: AssignOptions): Promise<string[]> {
  const log = options.log ?? (() => {});
  if (existsSync(options.out) && readdirSync(options.out).length > 0 && !options.force) {
    throw new AssignError(`${options.out} is not empty; pass --force to write into it anyway`);
  }
  const raw = await loadPollutionData({ dataPath: options.dataPath });
  const failures = await verifyReference(raw, options.solution);
  if (failures.length > 0)
    throw new AssignError(
      `refusing to generate the handout: the reference does not pass every check:\n  ${failures.join('\n  ')}`,
    );
  log('reference: every check passed');
  const files = handoutFiles(buildFixtures(raw), { classroom: options.classroom });
  for (const [relative, content] of files) {
    const target = path.join(options.out, relative);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  log(`wrote ${files.size} files to ${options.out}`);
  if (options.lockfile !== false) {
    // npm ci needs a lockfile; the registry (or npm's cache) resolves the pinned versions.
    const npm = spawnSync(
      'npm',
      ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'],
      { cwd: options.out, encoding: 'utf8' },
    );
    if (npm.status !== 0)
      throw new AssignError(
        `could not create package-lock.json in ${options.out}: ${npm.stderr.trim().split('\n').slice(-3).join(' ')}`,
      );
    log('wrote package-lock.json');
  }
  return [...files.keys()];
}

if (require.main === module) {
  const options = new Command()
    .name('npm run assign --')
    .description('Generate the student handout (skeleton rnn.ts, support module, public checks, README, CI workflow).')
    .requiredOption('--out <dir>', 'folder to write the handout into')
    .option('--data <file>', 'pollution.csv to use (also: RNN_LAB_DATA); needed to verify the reference')
    .option('--force', 'write into a folder that is not empty')
    .option('--no-lockfile', 'do not run npm to create package-lock.json')
    .option('--classroom', 'for a GitHub Classroom assignment: classroom.yml reports the public points to Classroom')
    .parse()
    .opts<{ out: string; data?: string; force?: boolean; lockfile: boolean; classroom?: boolean }>();
  assign({
    out: options.out,
    dataPath: options.data,
    force: options.force,
    lockfile: options.lockfile,
    classroom: options.classroom,
    log: (line) => console.log(line),
  }).catch((error: unknown) => {
    console.error(error instanceof AssignError || error instanceof DataError ? `assign: ${error.message}` : error);
    process.exitCode = 1;
  });
}
