import { SyncbellError, type SyncbellErrorClass, syncbellErrorClass } from '@syncbell/contract/errors';

/** The base class of every syncbell error and its factory, for the server-side packages' own tables (nestjs, infra). */
export { SyncbellError, type SyncbellErrorClass, syncbellErrorClass };

/**
 * The error codes of syncbell's servers (both variants, the publisher, the Nest module's shared
 * pieces): errors that stop a server or a call at set-up and never go to a client. The contract's
 * `ErrorCode` holds the codes that do. Match `error.code`, not the message; docs/ERRORS.md lists
 * every package's table.
 */
export const ServerErrorCode = {
  /**
   * A server's configuration (an environment variable, an option of `attachSyncbell` or a
   * publisher, a JWT secret) that can never work; the message names every bad setting.
   */
  InvalidConfig: 'ERR_SYNCBELL_INVALID_CONFIG',
  /**
   * A publish found its idempotency key already claimed, but the stored claim (Redis on ECS,
   * DynamoDB on API Gateway) does not parse as a notification: written by hand or corrupted.
   * Nothing was published; the message names the key.
   */
  UnreadableClaim: 'ERR_SYNCBELL_UNREADABLE_CLAIM',
} as const;
export type ServerErrorCode = (typeof ServerErrorCode)[keyof typeof ServerErrorCode];

/** A server configuration that can never work, thrown at start-up or at the call that took it. */
export const ConfigError = syncbellErrorClass('ConfigError', ServerErrorCode.InvalidConfig);
export type ConfigError = InstanceType<typeof ConfigError>;

/** A stored idempotency claim that does not parse; the publish that found it published nothing. */
export const UnreadableClaimError = syncbellErrorClass(
  'UnreadableClaimError',
  ServerErrorCode.UnreadableClaim,
);
export type UnreadableClaimError = InstanceType<typeof UnreadableClaimError>;
