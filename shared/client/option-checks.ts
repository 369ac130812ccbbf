import { ConfigError } from './errors.js';

/**
 * The SDK's option checks, one way for every option: each problem named, all of them in one
 * `ConfigError` prefixed with who was configured. Checked by hand: zod is too heavy for a browser
 * (contract/checks.ts).
 */

/** setTimeout's largest delay: a longer one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** What is wrong with one duration, or undefined. */
export function durationProblem(ms: number): string | undefined {
  if (typeof ms !== 'number' || Number.isNaN(ms)) return 'must be a number';
  if (!(ms > 0)) return 'must be above 0';
  if (ms > MAX_TIMER_MS) return 'is longer than a timer can wait';
  return undefined;
}

/** `name problem` for each named duration that is not a usable timer delay. */
export function durationProblems(durations: Record<string, number>): string[] {
  return Object.entries(durations).flatMap(([name, ms]) => {
    const problem = durationProblem(ms);
    return problem === undefined ? [] : [`${name} ${problem}`];
  });
}

/** `name must be a positive integer` when `count` is not one. */
export function countProblems(name: string, count: number): string[] {
  return Number.isInteger(count) && count >= 1 ? [] : [`${name} must be a positive integer`];
}

/** Throws a `ConfigError` naming every problem, prefixed with `owner`; nothing when there are none. */
export function refuseProblems(owner: string, problems: string[]): void {
  if (problems.length > 0) throw new ConfigError(`${owner}: ${problems.join('; ')}`);
}
