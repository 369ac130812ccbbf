import { durationProblems, refuseProblems } from '../option-checks.js';

/**
 * Checks named durations (each must be a usable timer delay) and that the keep-alive deadline is
 * below the interval; `extra` adds a transport's own rules once the durations are sound. Throws a
 * `ConfigError` naming every problem, prefixed with the transport's name.
 */
export function checkTiming(
  transport: string,
  timing: Record<string, number> & { keepAliveIntervalMs: number; pongTimeoutMs: number },
  extra: () => string[] = () => [],
): void {
  const problems = durationProblems(timing);
  if (problems.length === 0) problems.push(...extra());
  if (problems.length === 0 && timing.pongTimeoutMs >= timing.keepAliveIntervalMs)
    problems.push(
      'pongTimeoutMs must be below keepAliveIntervalMs (a ping must be answered before the next one is due)',
    );
  refuseProblems(transport, problems);
}

/** The keep-alive deadline when none is given: 10 s, or half the interval when that is shorter. */
export function defaultPongTimeoutMs(keepAliveIntervalMs: number): number {
  return Math.min(10_000, keepAliveIntervalMs / 2);
}
