import { ConfigError } from '@syncbell/contract/errors';

/** setTimeout's largest delay: a longer one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** The close code word both transports use when a keep-alive goes unanswered. */
export const PONG_TIMEOUT_CODE = 'pong_timeout';

/** What is wrong with one duration, or undefined. Checked by hand: zod is too heavy for a browser (contract/checks.ts). */
export function durationProblem(ms: number): string | undefined {
  if (typeof ms !== 'number' || Number.isNaN(ms)) return 'must be a number';
  if (!(ms > 0)) return 'must be above 0';
  if (ms > MAX_TIMER_MS) return 'is longer than a timer can wait';
  return undefined;
}

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
  const problems = Object.entries(timing).flatMap(([name, ms]) => {
    const problem = durationProblem(ms);
    return problem === undefined ? [] : [`${name} ${problem}`];
  });
  if (problems.length === 0) problems.push(...extra());
  if (problems.length === 0 && timing.pongTimeoutMs >= timing.keepAliveIntervalMs)
    problems.push(
      'pongTimeoutMs must be below keepAliveIntervalMs (a ping must be answered before the next one is due)',
    );
  if (problems.length > 0) throw new ConfigError(`${transport}: ${problems.join('; ')}`);
}

/** The keep-alive deadline when none is given: 10 s, or half the interval when that is shorter. */
export function defaultPongTimeoutMs(keepAliveIntervalMs: number): number {
  return Math.min(10_000, keepAliveIntervalMs / 2);
}
