import { syncbellErrorClass } from '@syncbell/contract/errors';

/**
 * The API Gateway variant's own error codes (its configuration errors are @syncbell/server's
 * `ConfigError`; what goes to clients is the contract's `ErrorCode`). Match `error.code`, not the
 * message; docs/ERRORS.md lists every package's table.
 */
export const ApiGwErrorCode = {
  /** A push target that no longer exists: the management API answered 410 Gone for it. */
  ConnectionGone: 'ERR_SYNCBELL_CONNECTION_GONE',
  /** The jobs route could not start the notify function (Lambda `Invoke` answered an error status). */
  NotifyInvokeFailed: 'ERR_SYNCBELL_NOTIFY_INVOKE_FAILED',
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

/** The jobs route's asynchronous `Invoke` of the notify function answered an error; the job did not start. */
export const NotifyInvokeError = syncbellErrorClass('NotifyInvokeError', ApiGwErrorCode.NotifyInvokeFailed);
export type NotifyInvokeError = InstanceType<typeof NotifyInvokeError>;
