/**
 * The grader's sandboxed executor. Typical use, once per grader run and per submission:
 *
 *   const runtime = getSandboxRuntime();                  // builds runner.js, picks bwrap or the fallback
 *   const prepared = prepareSubmission(dir, workDir);     // grader/compile
 *   const executor = createSandboxExecutor(prepared, { memoryMb: 512 }, runtime);
 *   try { await runBattery(executor, checks, options); } finally { await executor.close(); }
 *   report.sandbox = executor.describeSandbox();
 */
export { createSandboxExecutor, classifyExit } from './executor';
export type { CapturedOutput, PreparedLocation, SandboxExecutor, SandboxStats } from './executor';
export { DEFAULT_LIMITS, addressSpaceBytes } from './limits';
export type { SandboxLimits } from './limits';
export { buildRunner, getSandboxRuntime, SANDBOX_GID, SANDBOX_UID } from './runtime';
export type {
  BwrapSandbox,
  FallbackSandbox,
  RequestedMode,
  RuntimeOptions,
  SandboxMode,
  SandboxRuntime,
} from './runtime';
export { launcherTransport, warmUpLauncher } from './launcher-transport';
export { spawnTransport } from './transport';
export type { Transport, TransportEvents, TransportFactory } from './transport';
export { removeBuildDir } from '../compile/build-dir';
