/**
 * Full-jitter exponential backoff (AWS Architecture Blog, "Exponential Backoff and Jitter"):
 * a uniformly random delay in [0, min(maxMs, minMs * 2^step)]. Pure; `random` is injectable
 * so tests can pin it. Full jitter spreads a herd of reconnecting clients (say, after a
 * container dies) instead of bringing them back in synchronized waves.
 */
export function backoff(
  step: number,
  minMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.max(0, step));
  return Math.floor(random() * ceiling);
}
