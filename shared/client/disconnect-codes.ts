/**
 * Every word the SDK itself puts in a `DisconnectReason.code`, in one table (centrifuge-js keeps
 * its client-side codes the same way). A reason's code is one of these, a contract `ErrorCode`
 * (the server said why: `invalid_token`, `token_expired`, `rate_limited`, `server_shutting_down`,
 * ...), or a WebSocket close code (a number: 1001, 1006, 1009, ...). Each entry says whether the
 * client reconnects after it; a failure both transports can have is reported with the same code.
 */
export const DisconnectCode = {
  /** The app called `close()`. Stays disconnected until `connect()`. */
  ClientClose: 'client_close',
  /** The token function threw or rejected. Reconnects with backoff. */
  TokenSourceFailed: 'token_source_failed',
  /**
   * The resume failed without a contract error from the server. A resume timeout is this one on
   * both transports (no replay answer within `resumeTimeoutMs`: it may be the network as much as
   * the server, so not `internal_error`). Reconnects with backoff.
   */
  ResumeFailed: 'resume_failed',
  /** A keep-alive went unanswered within `pongTimeoutMs` (a silent drop), on both transports. Reconnects with backoff. */
  PongTimeout: 'pong_timeout',
  /** socket.io: the connection failed with no error body from the server (network, refused, timeout). Reconnects with backoff. */
  ConnectError: 'connect_error',
  /** API Gateway: the WebSocket did not open within `connectTimeoutMs`. Reconnects with backoff. */
  ConnectTimeout: 'connect_timeout',
  /** API Gateway: no WebSocket implementation could be found or loaded. Stays disconnected. */
  NoWebSocket: 'no_websocket',
  /** API Gateway: the planned reconnect before the 2-hour connection cap. Reconnects at once. */
  PlannedRotation: 'planned_rotation',
  // socket.io-client's own disconnect reasons (its `Socket.DisconnectReason`), passed on as it
  // names them; the socket.io transport fails to compile if socket.io-client adds one. Each
  // reconnects with backoff.
  /** socket.io: the server closed the socket. */
  IoServerDisconnect: 'io server disconnect',
  /** socket.io: the socket was closed on the client side. */
  IoClientDisconnect: 'io client disconnect',
  /** socket.io: Engine.IO's heartbeat went unanswered. */
  PingTimeout: 'ping timeout',
  /** socket.io: the connection closed (a network drop, a server gone). */
  TransportClose: 'transport close',
  /** socket.io: the connection failed. */
  TransportError: 'transport error',
  /** socket.io: the server sent a packet it could not parse. */
  ParseError: 'parse error',
} as const;
export type DisconnectCode = (typeof DisconnectCode)[keyof typeof DisconnectCode];
