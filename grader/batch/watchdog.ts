import { WatchdogFault } from '../faults';

/** Extra time past --timeout before a submission whose grading never ends is given up on. */
export const WATCHDOG_GRACE_MS = 120_000;

/**
 * Rejects if `work` has not settled within `ms`. The grader's last line of defence: whatever goes
 * wrong inside (a sandbox that never answers), the batch finishes and the reports are written.
 */
export function withWatchdog<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const watchdog = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new WatchdogFault(
            `grading did not finish within ${Math.round(ms / 1000)} s (--timeout plus ${WATCHDOG_GRACE_MS / 1000} s) and was abandoned`,
          ),
        ),
      ms,
    );
  });
  return Promise.race([work, watchdog]).finally(() => clearTimeout(timer));
}
