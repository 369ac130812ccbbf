/**
 * Every error and close code of the contract, in one place. Both variants and the SDK use
 * these strings verbatim, so a client can switch on `code` whichever backend it talks to.
 */
export const ErrorCode = {
  /** No token, or a token that is malformed, badly signed, of the wrong algorithm or claims. */
  InvalidToken: 'invalid_token',
  /** A token whose `exp` has passed. The client should fetch a fresh one before reconnecting. */
  TokenExpired: 'token_expired',
  /** A frame that is not valid JSON or does not match any message of the protocol. */
  BadRequest: 'bad_request',
  /** An `action` / event name the server does not know. */
  UnknownAction: 'unknown_action',
  /** A frame larger than the configured maximum. */
  PayloadTooLarge: 'payload_too_large',
  /** The client sends faster than the per-connection limit allows. */
  RateLimited: 'rate_limited',
  /** The client tried something only the server may do (join a room, act as another user). */
  Forbidden: 'forbidden',
  /**
   * A publish reused an idempotency key (its `jobId`, or `idempotencyKey`) that an earlier publish
   * with a different payload (`type`, `jobId` or `data`) claimed. Nothing was published: use a new key.
   */
  Conflict: 'conflict',
  /** The server is draining (SIGTERM) and asks the client to reconnect elsewhere. */
  ServerShuttingDown: 'server_shutting_down',
  /** Something failed on the server side; the frame is safe to retry. */
  Internal: 'internal_error',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * WebSocket close codes (RFC 6455 section 7.4). 4000-4999 are ours.
 * 1001 / 1006 / 1009 are the standard ones the SDK must understand from API Gateway.
 */
export const CloseCode = {
  Normal: 1000,
  /** Going away: server restart, or API Gateway's 2-hour connection cap. Reconnect now. */
  GoingAway: 1001,
  /** Abnormal closure: no close frame (network drop). Reconnect with backoff. */
  Abnormal: 1006,
  /** Message too big (API Gateway answers an oversize frame this way). */
  MessageTooBig: 1009,
  /** Our own: authentication failed. Do not retry with the same token. */
  Unauthorized: 4001,
  /** Our own: token expired. Refresh the token, then reconnect. */
  TokenExpired: 4002,
  /** Our own: the server is draining. Reconnect (another container will take it). */
  ServerShuttingDown: 4003,
  /** Our own: too many connections or frames from this peer. */
  RateLimited: 4029,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Codes after which reconnecting with the same credentials cannot succeed. */
export const TERMINAL_ERROR_CODES: ReadonlySet<string> = new Set([ErrorCode.InvalidToken]);
