/**
 * `npm test` of the handout: the public checks on rnn.ts, printed as failures and a summary.
 *
 *   npm test                      failures, points per function, the training, the total
 *   npm test -- --verbose         also every passing check and all that rnn.ts printed (or RNN_LAB_VERBOSE=1)
 *   npm run watch                 the same after every save of rnn.ts (npm test -- --watch)
 *   npm test -- --json FILE       also the run as JSON (or {"error": …} when the checks could not run)
 *   npm test -- --github          also the job summary and annotations of a GitHub Actions run
 *   CHECK_REPLAY="<id>:<seed>:<path>" npm test    replays one failing check exactly
 */
import { createHash } from 'crypto';
import { readFileSync, watch, writeFileSync } from 'fs';
import path from 'path';
import type { Fixtures } from '../public';
import { runSucceeded } from './report';
import type { RunReport } from './report';
import { parseReplay, runPublicChecks } from './run';
import { renderText } from './text';
import { TypeChecker } from './typecheck';

const ROOT = path.join(__dirname, '..', '..');

interface CliOptions {
  verbose: boolean;
  watch: boolean;
  github: boolean;
  json?: string;
}

function parseArgs(argv: string[]): CliOptions {
  const options: CliOptions = {
    verbose: /^(1|true|yes)$/i.test(process.env.RNN_LAB_VERBOSE ?? ''),
    watch: false,
    github: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--verbose' || arg === '-v') options.verbose = true;
    else if (arg === '--watch' || arg === '--watchAll') options.watch = true;
    else if (arg === '--github') options.github = true;
    else if (arg === '--json') options.json = argv[++i];
    else if (arg === '--help' || arg === '-h') {
      console.log(
        readFileSync(__filename, 'utf8')
          .split('*/')[0]
          .replace(/^\/\*\*|^ \* ?/gm, '')
          .trim(),
      );
      process.exit(0);
    } else {
      console.error(`npm test: unknown option ${arg} (try npm test -- --help)`);
      process.exit(2);
    }
  }
  return options;
}

function readFixtures(): Fixtures {
  return JSON.parse(readFileSync(path.join(ROOT, 'checks', 'public', 'fixtures.json'), 'utf8')) as Fixtures;
}

/** A progress line on an interactive terminal only (CI logs and pipes get the summary alone). */
function progress(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}`);
}

function hashOf(file: string): string {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return '';
  }
}

function clock(iso: string): string {
  return new Date(iso).toLocaleTimeString();
}

/** Set once a run's JSON is written: a later crash does not replace it with the error. */
let wroteJson = false;

async function once(
  options: CliOptions,
  typeChecker: TypeChecker,
  signal?: AbortSignal,
): Promise<RunReport | undefined> {
  progress('Checking rnn.ts …');
  const report = await runPublicChecks({
    root: ROOT,
    fixtures: readFixtures(),
    typeChecker,
    seed: Number(process.env.CHECK_SEED ?? 1),
    replay: parseReplay(process.env.CHECK_REPLAY),
    signal,
    onResult: (result, done, total) => progress(`Checking rnn.ts … ${done}/${total} ${result.target}`),
  });
  progress('');
  if (!report) return undefined;
  writeFileSync(path.join(ROOT, '.public-results.json'), JSON.stringify(report));
  if (options.json) {
    writeFileSync(path.resolve(options.json), JSON.stringify(report, null, 1));
    wroteJson = true;
  }
  return report;
}

async function main(options: CliOptions): Promise<void> {
  const typeChecker = new TypeChecker(ROOT);
  if (!options.watch) {
    try {
      const report = await once(options, typeChecker);
      const text = renderText(report!, { verbose: options.verbose });
      // Loaded only here: it needs the TypeScript parser, which a plain `npm test` can do without.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      if (options.github) (require('./github') as typeof import('./github')).printForGithub(report!, ROOT, text);
      else console.log(text);
      process.exitCode = runSucceeded(report!) ? 0 : 1;
    } finally {
      await typeChecker.close();
    }
    return;
  }
  await watchLoop(options, typeChecker);
}

/**
 * Re-runs on every save of rnn.ts. A save during a run stops that run and starts a new one, and
 * each summary says which save it is about, so what is on screen is never left over from before.
 */
async function watchLoop(options: CliOptions, typeChecker: TypeChecker): Promise<void> {
  let controller: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const start = () => {
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    running = running.then(async () => {
      if (mine.signal.aborted) return;
      if (process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
      console.log(`[watch] checking rnn.ts (${new Date().toLocaleTimeString()}) …`);
      const report = await once(options, typeChecker, mine.signal);
      if (!report || mine.signal.aborted) return;
      // A save the watcher has not reported yet: this summary would be stale, so check again.
      if (hashOf(path.join(ROOT, 'rnn.ts')) !== report.sourceHash) return start();
      if (process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
      console.log(renderText(report, { verbose: options.verbose }));
      console.log(
        `\n[watch] results for rnn.ts as read at ${clock(report.checkedAt)}. Waiting for the next save (Ctrl+C to stop).`,
      );
    });
  };
  // The folder, not the file: editors often save by writing a new file and renaming it over.
  watch(ROOT, (_event, name) => {
    if (name !== 'rnn.ts') return;
    clearTimeout(timer);
    timer = setTimeout(start, 150);
  });
  start();
  await new Promise(() => {});
}

const cliOptions = parseArgs(process.argv.slice(2));
main(cliOptions).catch((error: unknown) => {
  progress('');
  const message = error instanceof Error ? error.message : String(error);
  console.error(`npm test could not run the checks: ${message}`);
  console.error(
    "This is a problem of the lab's test set-up, not of your rnn.ts: run `npm ci` again, and if that does not help, tell the course staff.",
  );
  // The JSON says so too, so that what reads it (the GitHub Classroom step) can give the reason.
  if (cliOptions.json && !wroteJson) {
    try {
      writeFileSync(path.resolve(cliOptions.json), JSON.stringify({ error: message }) + '\n');
    } catch {
      // the message above is what there is
    }
  }
  process.exitCode = 2;
});
