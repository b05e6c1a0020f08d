/** Resource limits of one sandboxed submission process. */
export interface SandboxLimits {
  /** V8 old-space limit (`--max-old-space-size`), MiB. Exceeding it is a `memory` failure. */
  memoryMb: number;
  /** Wall-clock budget for loading rnn.ts (import time), separate from the requests' own budgets. */
  loadTimeoutMs: number;
  /** Budget of a request run without `timeoutMs`. */
  defaultTimeoutMs: number;
  /** Budget of each `store` request replayed into a fresh process. */
  storeTimeoutMs: number;
  /** Bytes of stdout, and separately of stderr, one process may write before it is killed (`output-limit`). */
  outputLimitBytes: number;
  /** Largest answer line on the private channel (fd 3); larger is an `output-limit` failure. */
  answerLimitBytes: number;
  /** Processes one executor may start (the first and every restart after a failure). */
  maxProcesses: number;
  /** RLIMIT_CPU of each process, seconds: a backstop should the parent's own timer ever not fire. */
  cpuSeconds: number;
  /** RLIMIT_FSIZE, bytes (files the process could write, if anything were writable). */
  fileSizeBytes: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  memoryMb: 512,
  loadTimeoutMs: 10_000,
  defaultTimeoutMs: 30_000,
  storeTimeoutMs: 60_000,
  outputLimitBytes: 1024 * 1024,
  // The largest correct answer is trainRnn's 500 steps with their Rng log: 0.77 MB. 4 MiB leaves 5×
  // room and keeps the parent's JSON.parse of one answer near 0.2 s even on a loaded machine
  // (6.5 MiB took 0.38 s at load average 14), so no answer can stall the other submissions.
  answerLimitBytes: 4 * 1024 * 1024,
  maxProcesses: 100,
  cpuSeconds: 600,
  fileSizeBytes: 1024 * 1024,
};

/**
 * RLIMIT_AS: coarse, only against runaway off-heap allocations. Node 20 needs about 1 GiB of
 * address space just to start (V8 reserves its heap and code ranges), so it is the heap plus 1 GiB.
 */
export function addressSpaceBytes(limits: SandboxLimits): number {
  return Math.max(1536, limits.memoryMb + 1024) * 1024 * 1024;
}
