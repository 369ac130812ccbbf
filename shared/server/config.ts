import type { z } from 'zod';
import { ConfigError } from './errors.js';

/**
 * The one way syncbell reads a configuration, shared by the ECS container's environment
 * (`loadEcsConfig`), the Lambda handlers' (`loadConfig`) and the CDK constructs' context
 * (`resolveEcsSocketIoConfig`): an empty string is unset, every problem is named, and all of them
 * go in one error whose message is `label:` and then one `  - problem` line each.
 */

/** What a refusing parser throws: `ConfigError`, or a package's own subclass of `SyncbellError`. */
export type ConfigErrorClass = new (message: string, options?: { cause?: unknown }) => Error;

/** The message of a refused configuration: `label:` then one indented line per problem. */
export function configMessage(label: string, problems: readonly string[]): string {
  return `${label}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`;
}

/** Throws `error` (a `ConfigError` unless given) naming every problem; nothing when there are none. */
export function refuseConfig(
  label: string,
  problems: readonly string[],
  error: ConfigErrorClass = ConfigError,
  cause?: unknown,
): void {
  if (problems.length > 0) throw new error(configMessage(label, problems), { cause });
}

/** `path: message` per issue; a rule across fields (no path) is its message alone. */
export function issueProblems(error: z.ZodError): string[] {
  return error.issues.map((issue) =>
    issue.path.length === 0 ? issue.message : `${issue.path.join('.')}: ${issue.message}`,
  );
}

/**
 * Empty strings are unset: `VAR=` in a task definition or an `.env` file, or `""` in CDK context,
 * takes the default instead of failing a check meant for a real value.
 */
export function withoutEmptyStrings(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== ''));
}

/** `input` parsed by `schema`, empty strings unset; refused with every problem in one `error`. */
export function parseConfig<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  label: string,
  error: ConfigErrorClass = ConfigError,
): z.output<Schema> {
  const result = schema.safeParse(withoutEmptyStrings(input));
  if (!result.success)
    throw new error(configMessage(label, issueProblems(result.error)), { cause: result.error });
  return result.data;
}
