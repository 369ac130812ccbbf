import { syncbellErrorClass } from '@syncbell/contract/errors';

/**
 * The API Gateway variant's own error codes (its configuration errors are @syncbell/server's
 * `ConfigError`; what goes to clients is the contract's `ErrorCode`). Match `error.code`, not the
 * message; docs/ERRORS.md lists every package's table.
 */
export const ApiGwErrorCode = {
  /** A push target that no longer exists: the management API answered 410 Gone for it. */
  ConnectionGone: 'ERR_SYNCBELL_CONNECTION_GONE',
} as const;
export type ApiGwErrorCode = (typeof ApiGwErrorCode)[keyof typeof ApiGwErrorCode];

/** A push target that no longer exists (API Gateway answers 410 Gone for it; `translateManagementError`). */
export class ConnectionGoneError extends syncbellErrorClass(
  'ConnectionGoneError',
  ApiGwErrorCode.ConnectionGone,
) {
  readonly connectionId: string;
  constructor(connectionId: string, options?: { cause?: unknown }) {
    super(`connection ${connectionId} is gone`, options);
    this.connectionId = connectionId;
  }
}
