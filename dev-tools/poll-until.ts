import pWaitFor, { TimeoutError } from 'p-wait-for';

/**
 * Polls `condition` until it holds or `timeoutMs` passes (for process readiness, not for
 * assertions). p-wait-for does the polling; this wrapper only turns its TimeoutError into
 * `false`, because chaos checks and benchmark scenarios report "did not happen in time" as an
 * outcome (a failed check, a note in the results) rather than an exception. Any other error from
 * `condition` still throws.
 */
export async function pollUntil(
  condition: () => Promise<boolean> | boolean,
  timeoutMs: number,
  everyMs = 100,
): Promise<boolean> {
  return pWaitFor(condition, { interval: everyMs, timeout: timeoutMs }).then(
    () => true,
    (error: unknown) => {
      if (error instanceof TimeoutError) return false;
      throw error;
    },
  );
}
