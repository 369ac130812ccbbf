import { type ErrorCode, ErrorCode as Codes } from './codes.js';

/**
 * Base class of every error syncbell raises on purpose, in every package (fastify's
 * `lib/errors.js` is the model): a stable `code` to match on, never the message. Each package has
 * one table of its codes: the contract's is `ErrorCode`, the codes that travel on the wire; the
 * codes of errors that never leave the process that throws them (a bad option, a bad variable, a
 * gone connection) are `ERR_SYNCBELL_*` strings in the tables of the packages that throw them
 * (`ClientErrorCode`, `ServerErrorCode`, `ApiGwErrorCode`, `InfraErrorCode`, `NestErrorCode`).
 * docs/ERRORS.md lists them all.
 */
export class SyncbellError<Code extends string = ErrorCode> extends Error {
  override readonly name: string = 'SyncbellError';
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** The wire shape of this error, as sent in error frames and `connect_error` data (wire codes only). */
  toFrame(this: SyncbellError<ErrorCode>): ErrorFrameBody {
    return { code: this.code, message: this.message };
  }
}

/** What `syncbellErrorClass` makes: named, so declaration files state it rather than inline its shape. */
export interface SyncbellErrorClass<Code extends string> {
  new (message: string, options?: { cause?: unknown }): SyncbellError<Code>;
  readonly prototype: SyncbellError<Code>;
}

/**
 * A subclass of `SyncbellError` with a fixed code and name, as fastify's `createError` makes one:
 * how each package declares the errors of its table (`new ConfigError(message, { cause })`).
 * Subclass the result for extra fields. Pair it with `export type X = InstanceType<typeof X>`.
 */
export function syncbellErrorClass<Code extends string>(name: string, code: Code): SyncbellErrorClass<Code> {
  const ErrorClass = class extends SyncbellError<Code> {
    override readonly name: string = name;
    constructor(message: string, options?: { cause?: unknown }) {
      super(code, message, options);
    }
  };
  // The class's own name too, for stack traces and `util.inspect`.
  Object.defineProperty(ErrorClass, 'name', { value: name });
  return ErrorClass;
}

/** Whether `code` is one of the contract's wire codes (`ErrorCode`). */
export function isErrorCode(code: unknown): code is ErrorCode {
  return (Object.values(Codes) as unknown[]).includes(code);
}

/**
 * An error whose code may be answered to a client (`toFrame`): a `SyncbellError` with a wire code.
 * A setup error (a `ConfigError`, an `ERR_SYNCBELL_*` code) is not: it stays in the server's log.
 */
export function isWireError(error: unknown): error is SyncbellError<ErrorCode> {
  return error instanceof SyncbellError && isErrorCode(error.code);
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
  return isErrorCode(code)
    ? new SyncbellError(code, message)
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
