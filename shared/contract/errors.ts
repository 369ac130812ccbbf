import { type ErrorCode, ErrorCode as Codes } from './codes.js';

/** Base class of every error syncbell raises on purpose; `code` is a contract error code. */
export class SyncbellError extends Error {
  override readonly name: string = 'SyncbellError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** The wire shape of this error, as sent in error frames and `connect_error` data. */
  toFrame(): ErrorFrameBody {
    return { code: this.code, message: this.message };
  }
}

export interface ErrorFrameBody {
  code: ErrorCode;
  message: string;
  /** Wait at least this long before connecting again (see `errorFrameBodySchema`). */
  retryAfterMs?: number;
}

/**
 * An error a server reported, as a reader of this version raises it. A code a newer server added
 * is not refused (see "Evolving the contract"): it becomes `internal_error`, its own code kept in
 * the message, so the app still learns what the server said.
 */
export function errorFromServer(code: string, message: string): SyncbellError {
  const known = (Object.values(Codes) as string[]).includes(code);
  return known
    ? new SyncbellError(code as ErrorCode, message)
    : new SyncbellError(Codes.Internal, `${message} (error code "${code}" from a newer server)`);
}

export class AuthError extends SyncbellError {
  override readonly name = 'AuthError';
  constructor(
    code: typeof Codes.InvalidToken | typeof Codes.TokenExpired,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

export class ProtocolError extends SyncbellError {
  override readonly name = 'ProtocolError';
}

/**
 * A notification (live, or one entry of a replay) that lacks what a reader needs (see
 * `evolution.ts`). The SDK skips it, reports it with this error and keeps the connection.
 */
export class MalformedNotificationError extends SyncbellError {
  override readonly name = 'MalformedNotificationError';
  /** The notification's id, when it has a readable one. */
  readonly notificationId: string | undefined;
  /** True when it came in a resume replay, false when it arrived live. */
  readonly replayed: boolean;
  constructor(notificationId: string | undefined, replayed: boolean, detail: string) {
    super(
      Codes.BadRequest,
      `skipped a ${replayed ? 'replayed' : 'live'} notification ${notificationId ?? '(no readable id)'} that does not match the contract: ${detail}`,
    );
    this.notificationId = notificationId;
    this.replayed = replayed;
  }
}

export class PayloadTooLargeError extends SyncbellError {
  override readonly name = 'PayloadTooLargeError';
  readonly limitBytes: number;
  readonly actualBytes: number;
  constructor(actualBytes: number, limitBytes: number) {
    super(Codes.PayloadTooLarge, `frame of ${actualBytes} bytes exceeds the ${limitBytes}-byte limit`);
    this.limitBytes = limitBytes;
    this.actualBytes = actualBytes;
  }
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** A push target that no longer exists (API Gateway answers 410 Gone for it). */
export class ConnectionGoneError extends Error {
  override readonly name = 'ConnectionGoneError';
  readonly connectionId: string;
  constructor(connectionId: string, options?: { cause?: unknown }) {
    super(`connection ${connectionId} is gone`, options);
    this.connectionId = connectionId;
  }
}
