import { syncbellErrorClass } from '@syncbell/contract/errors';

/**
 * The SDK's own error codes: errors that never cross the wire (the contract's `ErrorCode` table
 * holds those). Match `error.code`, not the message. docs/ERRORS.md lists every package's table.
 */
export const ClientErrorCode = {
  /** An option of `createClient`, a transport or `positionStorage` that can never work; the message names each. */
  InvalidOption: 'ERR_SYNCBELL_INVALID_OPTION',
  /** A resume got no replay answer within `resumeTimeoutMs`: the client reports `resume_failed` and reconnects. */
  ResumeTimeout: 'ERR_SYNCBELL_RESUME_TIMEOUT',
} as const;
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/** A client option that can never work, thrown at the call that took it. */
export const ConfigError = syncbellErrorClass('ConfigError', ClientErrorCode.InvalidOption);
export type ConfigError = InstanceType<typeof ConfigError>;

/** What both transports reject a resume with when no answer came in time: the client reports `resume_failed`. */
export class ResumeTimeoutError extends syncbellErrorClass(
  'ResumeTimeoutError',
  ClientErrorCode.ResumeTimeout,
) {
  constructor(timeoutMs: number, options?: { cause?: unknown }) {
    super(`no replay answer within ${timeoutMs} ms`, options);
  }
}
