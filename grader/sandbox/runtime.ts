/**
 * What the sandbox is built from, decided once per grader run: the bundled runner.js, and the
 * strongest containment this machine offers.
 *
 *  - `bwrap`: prlimit → bubblewrap (every namespace unshared: no network, private pid/ipc/uts,
 *    a new user namespace as uid 65534 when the kernel allows it, no capabilities, a read-only
 *    view of /usr and of the prepared work dir, nothing else of the host's file system) → node
 *    with the permission model (reads only inside the sandbox, no writes, no child processes,
 *    no workers, no addons, no inspector).
 *  - `fallback` (no working bwrap): prlimit → [unshare --net, when root] → [setpriv to uid 65534,
 *    when root] → node with the permission model. Without root, the network is NOT blocked.
 *
 * The choice is made by running a real node inside the candidate sandbox (a self-test), so a
 * bwrap that is installed but cannot create namespaces (e.g. in some containers) falls back.
 */
import { buildSync } from 'esbuild';
import { spawn, spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  constants,
  copyFileSync,
  existsSync,
  lstatSync,
  readlinkSync,
  realpathSync,
  writeFileSync,
  mkdtempSync,
  mkdirSync,
} from 'node:fs';
import { delimiter, dirname, join, relative, resolve, sep } from 'node:path';
import { getBuildDir } from '../compile/build-dir';
import { RUNTIME_BUNDLE, freshPrebuilt } from '../compile/prebuilt';
import { MATRIX_DIR_INSIDE, matrixDir } from './store-file';
import { launcherTransport } from './launcher-transport';
import type { TransportFactory } from './transport';
import { addressSpaceBytes } from './limits';
import type { SandboxLimits } from './limits';

export type SandboxMode = 'bwrap' | 'fallback';
export type RequestedMode = 'auto' | SandboxMode;

/**
 * The child runs its garbage collector on the submission's own thread. V8's GC helper threads
 * cost 0–45 % extra CPU in allocation-heavy training code (`npx tsx bench/child-flags.ts`), and
 * a batch already keeps every core busy with one submission each, so they buy no wall time.
 */
export const DEFAULT_NODE_FLAGS: readonly string[] = ['--single-threaded-gc'];

/** Unprivileged uid/gid the submission runs as (nobody on Debian). */
export const SANDBOX_UID = 65534;
export const SANDBOX_GID = 65534;

/**
 * The fallback's per-child uids: FALLBACK_UID_BASE + a number unique among this grader's live
 * children (and spread by the grader's pid across concurrent graders). No account needs them:
 * they own nothing and belong to no group but SANDBOX_GID.
 */
export const FALLBACK_UID_BASE = 1_500_000;
let nextChildUid = 0;
export function allocateChildUid(): number {
  nextChildUid = (nextChildUid + 1) % 10_000;
  return FALLBACK_UID_BASE + (process.pid % 100) * 10_000 + nextChildUid;
}

/** bubblewrap, as found and self-tested. */
export interface BwrapSandbox {
  path: string;
  version: string;
  /** A user namespace (uid 65534 inside); without one (root only) bwrap runs as root with no capabilities. */
  userNamespace: boolean;
}

/** The fallback's layers, the strongest that passed the self-test. */
export interface FallbackSandbox {
  /** Why bubblewrap is not used. */
  reason: string;
  unsharePath?: string;
  setprivPath?: string;
  dropToUid: boolean;
}

interface RuntimeCommon {
  /** Host path of the bundled runner. */
  runnerPath: string;
  /** Project-relative sources bundled into the runner (never reference or check code). */
  runnerInputs: string[];
  /** Real path of the node binary the children run. */
  nodePath: string;
  prlimitPath?: string;
  /** Node's permission model (`--experimental-permission`) on the child; on unless measuring layers. */
  permissionModel: boolean;
  /** V8 tuning flags of the child (DEFAULT_NODE_FLAGS; benchmarks compare others). */
  nodeFlags: readonly string[];
  /** One line for reports: what contains submission code, and what does not. */
  description: string;
  /** How the executor reaches this backend's processes (both of today's: local child processes). */
  transport: TransportFactory;
  /** The read-only folder of matrices (the training split) as the child sees it. */
  matrixDirInChild: string;
}

/**
 * What contains the children, one variant per backend: code that needs a backend's details
 * narrows on `mode` and gets them, never an optional field that "should" be there.
 */
export type SandboxRuntime = RuntimeCommon &
  ({ mode: 'bwrap'; bwrap: BwrapSandbox } | { mode: 'fallback'; fallback: FallbackSandbox });

export interface RuntimeOptions {
  /** `auto` (default): bwrap if it passes its self-test, else the fallback. */
  mode?: RequestedMode;
  /**
   * Node's permission model inside the sandbox (default true). Turning it off is only for
   * measuring what the other layers stop on their own (bench/sandbox-measure.ts --layers).
   */
  permissionModel?: boolean;
}

const runtimes = new Map<string, SandboxRuntime>();
const detecting = new Map<string, Promise<SandboxRuntime>>();

function keyOf(options: RuntimeOptions): { key: string; requested: RequestedMode; permissionModel: boolean } {
  const requested = options.mode ?? modeFromEnvironment();
  const permissionModel = options.permissionModel ?? true;
  return { key: `${requested}|${permissionModel}`, requested, permissionModel };
}

/** The runtime already chosen for `key`, its runner rebuilt if the temp folder was cleaned under us. */
function cached(key: string): SandboxRuntime | undefined {
  const runtime = runtimes.get(key);
  if (runtime && !existsSync(runtime.runnerPath)) buildRunner();
  return runtime;
}

/** The sandbox runtime of this grader run (built and self-tested once per mode, then cached). */
export function getSandboxRuntime(options: RuntimeOptions = {}): SandboxRuntime {
  const { key, requested, permissionModel } = keyOf(options);
  const known = cached(key);
  if (known) return known;
  const runtime = runDetection(detect(requested, permissionModel, buildRunner()), selfTestSync);
  runtimes.set(key, runtime);
  return runtime;
}

/**
 * The same, with the self-tests run as child processes this thread does not wait on: the grader
 * starts it with its backend, so choosing the sandbox overlaps loading the rubric and finding the
 * submissions. A later getSandboxRuntime (after this settles) returns the same runtime.
 */
export async function chooseSandboxRuntime(options: RuntimeOptions = {}): Promise<SandboxRuntime> {
  const { key, requested, permissionModel } = keyOf(options);
  const known = cached(key);
  if (known) return known;
  let pending = detecting.get(key);
  if (!pending) {
    pending = (async () => {
      const runtime = await runDetectionAsync(detect(requested, permissionModel, buildRunner()));
      runtimes.set(key, runtime);
      return runtime;
    })();
    pending.catch(() => detecting.delete(key)); // a failed choice is retried by the next caller
    detecting.set(key, pending);
  }
  return pending;
}

/** RNN_GRADER_SANDBOX=fallback|bwrap|auto: forces a mode for a whole grader run (tests of the fallback). */
function modeFromEnvironment(): RequestedMode {
  const value = process.env.RNN_GRADER_SANDBOX;
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  if (value === 'fallback' || value === 'bwrap') return value;
  throw new Error(`RNN_GRADER_SANDBOX must be auto, bwrap or fallback, not ${JSON.stringify(value)}`);
}

// ---------------------------------------------------------------------------------------------
// The runner bundle
// ---------------------------------------------------------------------------------------------

let runnerBundle: { path: string; inputs: string[] } | undefined;

/** What the child may contain: the protocol and the lab's support module (what students get anyway). */
const ALLOWED_RUNNER_INPUTS = [
  /^grader\/sandbox\/runner-entry\.[jt]s$/,
  /^checks\/protocol\/[^/]+\.[jt]s$/,
  /^lab\/(?!data\.)[^/]+\.[jt]s$/,
  /(^|\/)node_modules\/pure-rand\//,
];

export function buildRunner(): { path: string; inputs: string[] } {
  if (runnerBundle && existsSync(runnerBundle.path)) return runnerBundle;
  const outfile = join(getBuildDir(), 'runner.js');
  // `npm run build` made it already (unless a source changed since): a copy, not an esbuild run.
  const prebuilt = freshPrebuilt('runner.js');
  if (prebuilt) {
    checkRunnerInputs(prebuilt.inputs);
    copyFileSync(prebuilt.path, outfile);
    chmodSync(outfile, 0o644);
    runnerBundle = { path: outfile, inputs: prebuilt.inputs };
    return runnerBundle;
  }
  const entry = findRunnerEntry();
  const root = resolve(dirname(entry), '..', '..');
  const result = buildSync({
    absWorkingDir: root,
    entryPoints: [entry],
    ...RUNTIME_BUNDLE,
    outfile,
    metafile: true,
    legalComments: 'none',
  });
  const inputs = Object.keys(result.metafile.inputs).map((input) =>
    relative(root, resolve(root, input)).split(sep).join('/'),
  );
  checkRunnerInputs(inputs);
  chmodSync(outfile, 0o644);
  runnerBundle = { path: outfile, inputs };
  return runnerBundle;
}

function checkRunnerInputs(inputs: string[]): void {
  const forbidden = inputs.filter((input) => !ALLOWED_RUNNER_INPUTS.some((pattern) => pattern.test(input)));
  if (forbidden.length > 0) throw new Error(`the sandbox runner must not bundle ${forbidden.join(', ')}`);
}

function findRunnerEntry(): string {
  for (const name of ['runner-entry.ts', 'runner-entry.js']) {
    const candidate = join(__dirname, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`runner-entry.ts not found next to ${__filename}`);
}

// ---------------------------------------------------------------------------------------------
// Detection
// ---------------------------------------------------------------------------------------------

/**
 * The choice of a sandbox, as steps: it yields each candidate to self-test (strongest first) and
 * is sent back the problem found (undefined: it works), so the same choice runs with synchronous
 * or asynchronous self-tests (runDetection, runDetectionAsync).
 */
type Detection = Generator<SandboxRuntime, SandboxRuntime, string | undefined>;

function runDetection(steps: Detection, test: (candidate: SandboxRuntime) => string | undefined): SandboxRuntime {
  let step = steps.next();
  while (!step.done) step = steps.next(test(step.value));
  return step.value;
}

async function runDetectionAsync(steps: Detection): Promise<SandboxRuntime> {
  let step = steps.next();
  while (!step.done) step = steps.next(await selfTestAsync(step.value));
  return step.value;
}

function* detect(
  requested: RequestedMode,
  permissionModel: boolean,
  runner: { path: string; inputs: string[] },
): Detection {
  const nodePath = realpathSync(process.execPath);
  const prlimitPath = findExecutable('prlimit');
  const base = {
    runnerPath: runner.path,
    runnerInputs: runner.inputs,
    nodePath,
    prlimitPath,
    permissionModel,
    nodeFlags: DEFAULT_NODE_FLAGS,
    transport: launcherTransport,
  };
  let bwrapFailure = 'not requested';
  if (requested !== 'fallback') {
    const bwrapPath = findExecutable('bwrap');
    if (!bwrapPath) {
      bwrapFailure = 'bubblewrap (bwrap) is not installed';
    } else {
      const version =
        firstLine(spawnSync(bwrapPath, ['--version'], { encoding: 'utf8', timeout: 5000 }).stdout ?? '') ||
        'bubblewrap';
      const attempts = isRoot() ? [true, false] : [true];
      const failures: string[] = [];
      const working = yield* firstWorking(
        attempts.map((userNamespace) => ({
          ...base,
          mode: 'bwrap',
          bwrap: { path: bwrapPath, version, userNamespace },
          matrixDirInChild: MATRIX_DIR_INSIDE,
          description: '',
        })),
        failures,
      );
      if (working) return working;
      bwrapFailure = `bwrap failed its self-test: ${failures.join('; ')}`;
    }
    if (requested === 'bwrap') throw new Error(`the bwrap sandbox was requested but is not usable: ${bwrapFailure}`);
  }
  const root = isRoot();
  const unsharePath = root ? findExecutable('unshare') : undefined;
  const setprivPath = findExecutable('setpriv');
  const reason = requested === 'fallback' ? 'fallback requested' : bwrapFailure;
  // Strongest first: private network namespace + unprivileged uid, then without the namespace, then neither.
  const variants: FallbackSandbox[] = [];
  if (unsharePath) variants.push({ reason, unsharePath, setprivPath, dropToUid: root });
  if (root) variants.push({ reason, setprivPath, dropToUid: true });
  if (setprivPath) variants.push({ reason, setprivPath, dropToUid: false });
  variants.push({ reason, dropToUid: false });
  const failures: string[] = [];
  const working = yield* firstWorking(
    variants.map((fallback) => ({
      ...base,
      mode: 'fallback',
      fallback,
      matrixDirInChild: matrixDir(),
      description: '',
    })),
    failures,
  );
  if (working) return working;
  throw new Error(`cannot start a sandboxed node process at all: ${failures.join('; ')}`);
}

/** The first candidate, strongest first, that passes its self-test (described); the others' problems go to `failures`. */
function* firstWorking(
  candidates: SandboxRuntime[],
  failures: string[],
): Generator<SandboxRuntime, SandboxRuntime | undefined, string | undefined> {
  for (const candidate of candidates) {
    const problem = yield candidate;
    if (!problem) {
      candidate.description = describeRuntime(candidate);
      return candidate;
    }
    failures.push(problem);
  }
  return undefined;
}

const SELF_TEST_TIMEOUT_MS = 15_000;

/** A node inside the candidate sandbox that reports whether a file outside it could be read. */
function selfTestLaunch(runtime: SandboxRuntime): Launch {
  const dir = mkdtempSync(join(getBuildDir(), 'selftest-'));
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'submission'), { mode: 0o755 });
  writeFileSync(join(dir, 'submission', 'probe.js'), 'module.exports = 1;\n', { mode: 0o644 });
  const script = [
    `const fs = require('fs');`,
    `let denied = false; try { fs.readFileSync('/etc/hostname'); } catch (e) { denied = true; }`,
    `process.stdout.write('sandbox-ok:' + denied);`,
  ].join(' ');
  return buildLaunch(runtime, dir, { memoryMb: 64, cpuSeconds: 10, fileSizeBytes: 1024 * 1024 }, dir, {
    script: ['-e', script],
  });
}

type SelfTestRun = Pick<SpawnSyncReturns<string>, 'status' | 'signal' | 'stdout' | 'stderr' | 'error'>;

/** What is wrong with the candidate, from its self-test's run (undefined: it runs and denies the read). */
function selfTestProblem(runtime: SandboxRuntime, result: SelfTestRun): string | undefined {
  if (result.error) return result.error.message;
  if (result.status !== 0 || !result.stdout.startsWith('sandbox-ok:')) {
    return `exit ${result.status ?? result.signal}: ${firstLine((result.stderr || result.stdout || '').trim()) || 'no output'}`;
  }
  if (result.stdout !== 'sandbox-ok:true' && runtime.permissionModel)
    return 'file access outside the sandbox was not denied';
  return undefined;
}

/** Starts node inside the candidate sandbox and checks that it runs and that fs access outside is denied. */
function selfTestSync(runtime: SandboxRuntime): string | undefined {
  const launch = selfTestLaunch(runtime);
  const { command, args, env, cwd, uid, gid } = launch;
  return selfTestProblem(
    runtime,
    spawnSync(command, args, { env, cwd, uid, gid, encoding: 'utf8', timeout: SELF_TEST_TIMEOUT_MS }),
  );
}

/** The same, without blocking this thread while the sandboxed node starts. */
function selfTestAsync(runtime: SandboxRuntime): Promise<string | undefined> {
  const { command, args, env, cwd, uid, gid } = selfTestLaunch(runtime);
  return new Promise((done) => {
    const run: SelfTestRun = { status: null, signal: null, stdout: '', stderr: '' };
    const child = spawn(command, args, {
      env,
      cwd,
      uid,
      gid,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: SELF_TEST_TIMEOUT_MS,
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (run.stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (run.stderr += chunk));
    child.on('error', (error) => done(selfTestProblem(runtime, { ...run, error })));
    child.on('close', (status, signal) => done(selfTestProblem(runtime, { ...run, status, signal })));
  });
}

// ---------------------------------------------------------------------------------------------
// Command lines
// ---------------------------------------------------------------------------------------------

export interface Launch {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  uid?: number;
  gid?: number;
  /** Path of the runner and of the work dir as the child sees them. */
  runnerInside: string;
  workInside: string;
}

/** Mount point of the prepared work dir inside bwrap. */
export const WORK_INSIDE = '/sandbox/work';
const RUNNER_INSIDE = '/sandbox/runner.js';
const SAFE_PATH = '/usr/local/bin:/usr/bin:/bin';

export function buildLaunch(
  runtime: SandboxRuntime,
  workDir: string,
  limits: Pick<SandboxLimits, 'memoryMb' | 'cpuSeconds' | 'fileSizeBytes'>,
  cwd: string,
  extra: { script?: string[]; dropUid?: boolean; uid?: number } = {},
): Launch {
  const script = extra.script;
  // One libuv pool thread: a submission cannot spread over several cores (measured: 6 threads, 193 % CPU).
  const env = { PATH: SAFE_PATH, LANG: 'C.UTF-8', UV_THREADPOOL_SIZE: '1' };
  const inBwrap = runtime.mode === 'bwrap';
  const matrices = matrixDir();
  const runnerInside = inBwrap ? RUNNER_INSIDE : runtime.runnerPath;
  const workInside = inBwrap ? WORK_INSIDE : workDir;
  const nodeArgs = [
    `--max-old-space-size=${limits.memoryMb}`,
    ...runtime.nodeFlags,
    '--no-warnings',
    '--enable-source-maps',
    ...(runtime.permissionModel
      ? [
          '--experimental-permission',
          // bwrap: /sandbox holds only the work dir, the runner and the matrices; fallback: exactly those three
          ...(inBwrap
            ? ['--allow-fs-read=/sandbox/*']
            : [
                `--allow-fs-read=${workDir}/*`,
                `--allow-fs-read=${runtime.runnerPath}`,
                `--allow-fs-read=${matrices}/*`,
              ]),
        ]
      : []),
    ...(script ?? [runnerInside]),
  ];
  const prefix: string[] = [];
  const dropUid = !inBwrap && runtime.fallback.dropToUid && extra.dropUid !== false;
  if (runtime.prlimitPath) {
    prefix.push(
      runtime.prlimitPath,
      `--as=${addressSpaceBytes({ memoryMb: limits.memoryMb } as SandboxLimits)}`,
      `--fsize=${limits.fileSizeBytes}`,
      '--core=0',
      `--cpu=${limits.cpuSeconds}`,
      // RLIMIT_NPROC counts threads of the real uid: only meaningful for the dedicated uid of the fallback
      ...(dropUid ? ['--nproc=256'] : []),
      '--',
    );
  }
  if (inBwrap) {
    const bwrap = runtime.bwrap;
    const args = [
      '--unshare-all',
      ...(bwrap.userNamespace ? ['--unshare-user', '--uid', String(SANDBOX_UID), '--gid', String(SANDBOX_GID)] : []),
      '--die-with-parent',
      '--new-session',
      '--cap-drop',
      'ALL',
      '--ro-bind',
      '/usr',
      '/usr',
      ...systemDirMounts(),
      ...nodeMount(runtime.nodePath),
      '--proc',
      '/proc',
      '--dev',
      '/dev',
      '--size',
      String(4 * 1024 * 1024),
      '--tmpfs',
      '/tmp',
      '--dir',
      '/sandbox',
      '--ro-bind',
      workDir,
      WORK_INSIDE,
      '--ro-bind',
      runtime.runnerPath,
      RUNNER_INSIDE,
      '--ro-bind',
      matrices,
      MATRIX_DIR_INSIDE,
      '--chdir',
      WORK_INSIDE,
      '--',
      runtime.nodePath,
      ...nodeArgs,
    ];
    const all = [...prefix, bwrap.path, ...args];
    return { command: all[0], args: all.slice(1), env, cwd, runnerInside, workInside };
  }
  const fallback = runtime.fallback;
  // Each child its own uid (when the caller gives one): children cannot signal, renice or ptrace each other.
  const childUid = extra.uid ?? SANDBOX_UID;
  const chain = [...prefix];
  if (fallback.unsharePath) chain.push(fallback.unsharePath, '--net', '--');
  let uid: number | undefined;
  let gid: number | undefined;
  if (fallback.setprivPath) {
    // --pdeathsig: the child dies with the grader (bwrap's --die-with-parent, for the fallback)
    chain.push(
      fallback.setprivPath,
      '--pdeathsig=SIGKILL',
      ...(dropUid ? [`--reuid=${childUid}`, `--regid=${SANDBOX_GID}`, '--clear-groups'] : []),
      '--',
    );
  } else if (dropUid && !fallback.unsharePath) {
    uid = childUid;
    gid = SANDBOX_GID;
  }
  chain.push(runtime.nodePath, ...nodeArgs);
  return { command: chain[0], args: chain.slice(1), env, cwd, uid, gid, runnerInside, workInside };
}

/** /bin, /lib, /lib64, /sbin as on the host: symlinks into /usr (merged /usr), or read-only binds. */
function systemDirMounts(): string[] {
  const out: string[] = [];
  for (const path of ['/bin', '/sbin', '/lib', '/lib64', '/lib32', '/libx32']) {
    let info;
    try {
      info = lstatSync(path);
    } catch {
      continue;
    }
    if (info.isSymbolicLink()) out.push('--symlink', readlinkSync(path), path);
    else if (info.isDirectory()) out.push('--ro-bind', path, path);
  }
  return out;
}

/** node lives under /usr on Debian; elsewhere (nvm, /opt) its folder is bound read-only too. */
function nodeMount(nodePath: string): string[] {
  if (nodePath.startsWith('/usr/')) return [];
  const dir = dirname(nodePath);
  return ['--ro-bind', dir, dir];
}

function describeRuntime(runtime: SandboxRuntime): string {
  const limitsNote = runtime.prlimitPath
    ? 'prlimit (address space, file size, CPU time, no core dumps)'
    : 'no rlimits (prlimit missing)';
  const permission = runtime.permissionModel
    ? 'Node permission model (reads only in the prepared folder, no writes, no child processes, no workers)'
    : 'NO Node permission model (measurement only)';
  if (runtime.mode === 'bwrap') {
    const bwrap = runtime.bwrap;
    const user = bwrap.userNamespace
      ? `uid ${SANDBOX_UID} in a user namespace`
      : 'no user namespace (root inside, all capabilities dropped)';
    return `${bwrap.version}: no network, private pid/ipc/uts namespaces, ${user}, read-only /usr and submission only; ${permission}; ${limitsNote}; killed as a process group on timeout`;
  }
  const fallback = runtime.fallback;
  const network = fallback.unsharePath
    ? 'network blocked by a private network namespace (unshare --net)'
    : 'NETWORK NOT BLOCKED';
  const user = fallback.dropToUid
    ? `each child runs as its own unprivileged uid (from ${FALLBACK_UID_BASE})`
    : "runs as the grader's own user";
  const dies = fallback.setprivPath ? ', dies with the grader' : '';
  return `NO OS SANDBOX (${fallback.reason}): plain node child, ${network}, ${user}${dies}; ${permission}; ${limitsNote}; killed as a process group on timeout`;
}

// ---------------------------------------------------------------------------------------------

function findExecutable(name: string): string | undefined {
  // System folders first: the sandbox's own tools should not be picked up from a project's PATH.
  const dirs = [
    '/usr/bin',
    '/bin',
    '/usr/sbin',
    '/sbin',
    '/usr/local/bin',
    '/usr/local/sbin',
    ...(process.env.PATH ?? '').split(delimiter),
  ];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return realpathSync(candidate);
    } catch {
      // keep looking
    }
  }
  return undefined;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').trim();
}
