/**
 * TypeScript/JavaScript → CommonJS, one file at a time, with esbuild's transform (no bundling,
 * no type information: types are checked separately and never block grading). A syntax error
 * is reported as `rnn.ts:12:5: message`.
 *
 * esbuild runs in a child process, never in the grader's: a file that overflows its parser's stack
 * (e.g. thousands of nested arrow functions) kills esbuild's service, which in the grader's process
 * would fail every later submission. Here it costs only the submission that did it: a crash or
 * hang of the child is a TranspilerFault (the grader's, exit 3). The batch grader's child is a
 * long-lived helper serving one submission at a time (restarted after a failure); synchronous
 * callers (tests, tools) get a one-shot child each.
 * Nesting beyond MAX_NESTING is refused beforehand, as the submission's own error.
 */
import { spawnSync } from 'node:child_process';
import type { SubmissionFile } from './collect';
import { TranspilerFault } from '../faults';
import { HelperPool } from './transpile-helper';
import type { HelperReply } from './transpile-helper';

export type TranspileResult = { ok: true; code: string } | { ok: false; error: string };
export type TranspileFilesResult = { ok: true; codes: string[] } | { ok: false; error: string };

/** Deepest bracket nesting ((, [, {) accepted in one file; real code stays far below. */
export const MAX_NESTING = 500;
/**
 * Most arrow functions in one file: a chain of them (`x => x => …`) nests without brackets, and
 * esbuild's time grows steeply with it (500: ~2 s; 1000: ~15 s; 2000: over a minute).
 */
export const MAX_ARROWS = 500;
/** Wall-clock budget of one submission's transpilation (a normal one takes well under a second). */
export const TRANSPILE_TIMEOUT_MS = 30_000;

const ESBUILD_OPTIONS = {
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: 'inline',
  logLevel: 'silent',
  tsconfigRaw: { compilerOptions: { useDefineForClassFields: true, verbatimModuleSyntax: false } },
} as const;

/** Exit code of the child when its own budget ran out (it then stops esbuild's service first). */
const CHILD_TIMED_OUT = 75;

/**
 * The transpiler's process: reads requests {files, options}, one line of JSON each, on stdin and
 * answers each with {codes} or {failed: {rel, errors}} on a line of stdout, one request at a time,
 * each within its budget (then it stops esbuild's service and exits with CHILD_TIMED_OUT). Anything
 * else (a crash, esbuild's service dying) is a non-zero exit without answer. It uses esbuild's
 * asynchronous service so that its own timer can stop the service (esbuild's Go process, which
 * would otherwise outlive a killed child and keep its pipes open). The long-lived helper
 * (./transpile-helper.ts) is this script serving many requests; the one-shot child, one. esbuild's service starting on a transform of nothing, before the first request, is
 * part of the helper's start-up. An error without a location (the service died) ends the helper.
 */
const HELPER_SCRIPT = `
const esbuild = require(process.argv[1]);
const budget = Number(process.argv[2]);
let queue = esbuild.transform('', { loader: 'ts' }).catch(() => undefined);
const fail = (message) => { console.error('Error: ' + message); esbuild.stop(); process.exit(1); };
async function serve(request) {
  const timer = setTimeout(() => { esbuild.stop(); process.exit(${CHILD_TIMED_OUT}); }, budget);
  const { files, options } = request;
  const codes = [];
  let answer;
  for (const file of files) {
    if (file.kind === 'json') { codes.push(file.text); continue; }
    try {
      codes.push((await esbuild.transform(file.text, { ...options, loader: file.kind, sourcefile: file.rel })).code);
    } catch (error) {
      const errors = error && Array.isArray(error.errors) ? error.errors : undefined;
      if (!errors || errors.length === 0 || !errors[0].location) fail(error && error.message);
      const slim = errors.map((m) => ({ text: m.text, location: m.location && { file: m.location.file, line: m.location.line, column: m.location.column } }));
      answer = { failed: { rel: file.rel, errors: slim } };
      break;
    }
  }
  clearTimeout(timer);
  await new Promise((resolve) => process.stdout.write(JSON.stringify(answer ?? { codes }) + '\\n', resolve));
}
let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  for (let newline = pending.indexOf('\\n'); newline >= 0; newline = pending.indexOf('\\n')) {
    const request = JSON.parse(pending.slice(0, newline));
    pending = pending.slice(newline + 1);
    queue = queue.then(() => serve(request));
  }
});
process.stdin.on('end', () => queue.then(() => { esbuild.stop(); process.exit(0); }));
`;

/** The parent's own limit, past the child's: only if the child itself cannot stop. */
const PARENT_TIMEOUT_MS = TRANSPILE_TIMEOUT_MS + 15_000;
const childArgs = () => ['-e', HELPER_SCRIPT, require.resolve('esbuild'), String(TRANSPILE_TIMEOUT_MS)];

let helpers: HelperPool | undefined;

/** The helpers, with a budget per request (tests give a short one). */
function helperPool(): HelperPool {
  return (helpers ??= createHelperPool(TRANSPILE_TIMEOUT_MS));
}

export function createHelperPool(budgetMs: number, parentTimeoutMs = budgetMs + 15_000): HelperPool {
  return new HelperPool({
    script: HELPER_SCRIPT,
    args: [require.resolve('esbuild'), String(budgetMs)],
    budgetMs,
    parentTimeoutMs,
  });
}

/** Starts the first helper now, so that node and esbuild's service start beside the grader's own start-up. */
export function warmUpTranspiler(): void {
  helperPool().warmUp();
}

/** Ends the helpers (tests; a grader run's helpers end with it). */
export function stopTranspiler(): void {
  helpers?.stop();
}

interface ChildMessage {
  location?: { file: string; line: number; column: number };
  text: string;
}
type ChildAnswer = { codes: string[] } | { failed: { rel: string; errors: ChildMessage[] } };

/** Why a file is refused before esbuild sees it (too deeply nested), or undefined. */
export function nestingProblem(file: SubmissionFile): string | undefined {
  if (file.kind === 'json') return undefined;
  const { depth, line, arrows } = scanNesting(file.text);
  if (depth > MAX_NESTING)
    return `${file.rel}:${line}: brackets nested more than ${MAX_NESTING} levels deep (the grader's limit); simplify the expression`;
  if (arrows > MAX_ARROWS)
    return `${file.rel}: more than ${MAX_ARROWS} arrow functions (=>) in one file (the grader's limit); use named functions`;
  return undefined;
}

/** Deepest bracket nesting outside strings and comments, the line where it is first reached, and the number of `=>`. */
function scanNesting(text: string): { depth: number; line: number; arrows: number } {
  let depth = 0;
  let deepest = 0;
  let deepestLine = 1;
  let line = 1;
  let arrows = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '\n') line++;
    else if (char === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      line++;
    } else if (char === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 1;
      for (let j = i; j < stop; j++) if (text[j] === '\n') line++;
      i = stop;
    } else if (char === '"' || char === "'" || char === '`') {
      // Template substitutions are counted as part of the string: a conservative simplification.
      for (i++; i < text.length && text[i] !== char; i++) {
        if (text[i] === '\\') i++;
        else if (text[i] === '\n') line++;
      }
    } else if (char === '(' || char === '[' || char === '{') {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        deepestLine = line;
      }
    } else if (char === ')' || char === ']' || char === '}') depth = Math.max(0, depth - 1);
    else if (char === '=' && text[i + 1] === '>') arrows++;
  }
  return { depth: deepest, line: deepestLine, arrows };
}

function request(files: readonly SubmissionFile[]): string {
  return JSON.stringify({ files, options: ESBUILD_OPTIONS });
}

function interpret(
  files: readonly SubmissionFile[],
  status: number | null,
  signal: NodeJS.Signals | null,
  stdout: string,
  stderr: string,
  parentTimedOut: boolean,
  budgetMs = TRANSPILE_TIMEOUT_MS,
): TranspileFilesResult {
  let timedOut = parentTimedOut;
  let answer: ChildAnswer | undefined;
  try {
    answer = status === 0 ? (JSON.parse(stdout) as ChildAnswer) : undefined;
  } catch {
    answer = undefined;
  }
  if (answer && 'codes' in answer && answer.codes.length === files.length) return { ok: true, codes: answer.codes };
  if (answer && 'failed' in answer)
    return { ok: false, error: describeErrors(answer.failed.rel, answer.failed.errors) };
  if (status === CHILD_TIMED_OUT) timedOut = true;
  const how = timedOut
    ? `did not finish within ${budgetMs / 1000} s`
    : signal
      ? `was killed (${signal})`
      : `stopped (exit code ${status})`;
  // esbuild's own last words (e.g. Go's "goroutine stack exceeds" line), never the full stack dump.
  const reason = stderr
    .split('\n')
    .find((text) => /fatal|exceeds|panic|Error:/.test(text))
    ?.trim()
    .slice(0, 200);
  throw new TranspilerFault(`the transpiler (esbuild) ${how} on this submission's files${reason ? `: ${reason}` : ''}`);
}

/** Transpiles every file of one submission in a child process; blocks the calling thread. */
export function transpileFiles(files: readonly SubmissionFile[]): TranspileFilesResult {
  for (const file of files) {
    const problem = nestingProblem(file);
    if (problem) return { ok: false, error: problem };
  }
  const run = spawnSync(process.execPath, childArgs(), {
    input: `${request(files)}\n`,
    encoding: 'utf8',
    timeout: PARENT_TIMEOUT_MS,
    maxBuffer: 256 * 1024 * 1024,
    killSignal: 'SIGKILL',
    windowsHide: true,
  });
  const timedOut = (run.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  return interpret(files, run.status, run.signal, run.stdout ?? '', run.stderr ?? '', timedOut);
}

/**
 * The same without blocking the grader's event loop, on a long-lived helper process
 * (./transpile-helper.ts): a crash or hang of esbuild ends that helper and is this submission's
 * TranspilerFault only; the next submission gets a fresh helper.
 */
export async function transpileFilesAsync(
  files: readonly SubmissionFile[],
  pool: { run(line: string): Promise<HelperReply>; budgetMs?: number } = helperPool(),
): Promise<TranspileFilesResult> {
  for (const file of files) {
    const problem = nestingProblem(file);
    if (problem) return { ok: false, error: problem };
  }
  const reply = await pool.run(request(files));
  const budgetMs = pool.budgetMs ?? TRANSPILE_TIMEOUT_MS;
  if (reply.ok) return interpret(files, 0, null, reply.answer, '', false, budgetMs);
  const { status, signal, stderr, timedOut, spawnError } = reply.failure;
  if (spawnError) throw new TranspilerFault(`the transpiler could not be started: ${spawnError}`);
  return interpret(files, status, signal, '', stderr, timedOut, budgetMs);
}

/** One file (tests and tools). */
export function transpileFile(file: SubmissionFile): TranspileResult {
  const result = transpileFiles([file]);
  return result.ok ? { ok: true, code: result.codes[0] } : result;
}

function describeErrors(rel: string, errors: ChildMessage[]): string {
  const first = errors[0];
  const where = first.location
    ? `${first.location.file || rel}:${first.location.line}:${first.location.column + 1}`
    : rel;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
  return `${where}: ${first.text}${more}`;
}

/** The output name of a source file: `lib/a.ts` → `lib/a.js`. */
export function outputName(file: SubmissionFile): string {
  return file.kind === 'ts' ? file.rel.replace(/\.ts$/, '.js') : file.rel;
}
