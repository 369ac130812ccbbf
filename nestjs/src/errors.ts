import { type SyncbellErrorClass, syncbellErrorClass } from '@syncbell/server';

/**
 * The NestJS module's own error codes (its configuration errors at the variant's calls are
 * @syncbell/server's `ConfigError`). Match `error.code`, not the message; docs/ERRORS.md lists
 * every package's table.
 */
export const NestErrorCode = {
  /** The app is wired in a way syncbell cannot run in (a missing adapter, an unknown variant); the message says what to change. */
  InvalidSetup: 'ERR_SYNCBELL_NEST_SETUP',
} as const;
export type NestErrorCode = (typeof NestErrorCode)[keyof typeof NestErrorCode];

/** The app is wired in a way syncbell cannot run in; the message says what to change. Thrown at start-up. */
export const SyncbellSetupError: SyncbellErrorClass<typeof NestErrorCode.InvalidSetup> = syncbellErrorClass(
  'SyncbellSetupError',
  NestErrorCode.InvalidSetup,
);
export type SyncbellSetupError = InstanceType<typeof SyncbellSetupError>;
