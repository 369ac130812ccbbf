/**
 * Full-jitter exponential backoff (AWS Architecture Blog, "Exponential Backoff and Jitter"):
 * a uniformly random delay in [0, min(maxMs, minMs * 2^step)]. Pure; `random` is injectable
 * so tests can pin it. Full jitter spreads a herd of reconnecting clients (say, after a
 * container dies) instead of bringing them back in synchronized waves.
 */
/**
 * The longest a server's `retryAfterMs` hint can hold a client back: a hint past it (a bug, a
 * hostile server) is cut to it, so no client waits unboundedly. Pusher's 4100-4199 close codes
 * ask for "at least 1 s"; a paced reconnect storm of 10,000 clients needs about 10 s at 1,000
 * accepts per second.
 */
export const MAX_RETRY_AFTER_MS = 30_000;

/**
 * The delay before the next attempt when the server sent a `retryAfterMs` hint: the hint (capped
 * at `MAX_RETRY_AFTER_MS`), never less than the client's own backoff would have waited.
 */
export function delayWithHint(backoffMs: number, retryAfterMs: number | undefined): number {
  if (retryAfterMs === undefined || !Number.isFinite(retryAfterMs)) return backoffMs;
  return Math.max(backoffMs, Math.min(MAX_RETRY_AFTER_MS, Math.max(0, retryAfterMs)));
}

export function backoff(
  step: number,
  minMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.max(0, step));
  return Math.floor(random() * ceiling);
}

/**
 * The SDK's reconnect delay: `backoff` for the first attempt after a drop (the herd spreads over
 * [0, minMs)), and after a failed attempt a uniformly random delay in [minMs, min(maxMs, minMs * 2^step)):
 * never below the floor, so no client retries in a tight loop, and never above `maxMs`.
 */
export function reconnectBackoff(
  step: number,
  minMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  if (step <= 0) return backoff(0, minMs, maxMs, random);
  const ceiling = Math.min(maxMs, minMs * 2 ** step);
  return Math.floor(minMs + random() * (ceiling - minMs));
}

/**
 * How many times the resume deadline doubles over consecutive failed attempts: 10 s, 20 s, then
 * 40 s at most with the SDK's default. A backend slow to answer (a reconnect storm's replay reads)
 * otherwise sees every client time out, reconnect and time out again at the same deadline.
 */
export const MAX_RESUME_DEADLINE_DOUBLINGS = 2;

/** The resume deadline after `failures` consecutive failed attempts: `baseMs` doubled per failure, bounded. */
export function resumeDeadlineMs(baseMs: number, failures: number): number {
  return baseMs * 2 ** Math.min(MAX_RESUME_DEADLINE_DOUBLINGS, Math.max(0, Math.floor(failures) || 0));
}
