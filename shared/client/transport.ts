import type { ErrorCode } from '@syncbell/contract/codes';
import type { ReceivedReplayResult } from '@syncbell/contract/protocol';
import type { DisconnectCode } from './disconnect-codes.js';

/** Why a transport connection ended (or failed to open). Every failure is reported through this. */
export interface DisconnectReason {
  /** The SDK's own word (`DisconnectCode`), a contract error code (`invalid_token`, ...), or a WebSocket close code. */
  code: DisconnectCode | ErrorCode | number;
  reason: string;
  /** False when retrying with the same credentials cannot work (e.g. an invalid token). */
  reconnect: boolean;
  /** True when the server asked for the reconnect (drain, planned rotation): skip the backoff. */
  immediate?: boolean;
  /**
   * The server's hint (a refused connect over its accept rate): wait at least this long. Honoured
   * over the backoff, capped at `MAX_RETRY_AFTER_MS`.
   */
  retryAfterMs?: number;
}

export interface TransportHandlers {
  /** The connection is open and authenticated; the client will now resume. */
  onOpen(): void;
  /**
   * One live notification as it came off the wire. The client validates it (a transport only
   * checks the frame around it), so every transport skips and reports bad entries the same way.
   */
  onNotification(notification: unknown): void;
  /** A non-fatal complaint from the server about something the client sent. */
  onServerError(code: string, message: string): void;
  /** The server says live delivery may have had a gap: the client resumes again on this connection. */
  onResync(): void;
  /**
   * A frame the server sent anyway (the API Gateway `pong`, the socket.io keep-alive answer),
   * which carries the user's log position (`latest`, `recent`), as it came off the wire. The
   * client applies the contract's rules (`readLatest`, `missedPosition`, `caughtUpTo`) and resumes
   * on this connection when it may have missed something.
   */
  onPosition(frame: unknown): void;
  /**
   * The server asks this connection to move elsewhere (a container draining) and keeps it open for
   * a grace: the client opens a successor, resumes there, then closes this one (make before break).
   * Optional: a transport whose servers never drain this way leaves it out.
   */
  onMoveRequested?(): void;
  /** Called exactly once per `open`, whether the connection failed to open or closed later. */
  onClose(reason: DisconnectReason): void;
}

/** The replay answer, its entries as they came off the wire (the client validates each one). */
export type ReplayAnswer = ReceivedReplayResult;

export interface TransportConnection {
  /**
   * Asks the server for what was missed after `after` (see the resume protocol). `failures`: the
   * client's failed attempts since its last stable connection; the transport's resume deadline
   * grows with it (`resumeDeadlineMs`), so a slow backend is not met by every client timing out,
   * reconnecting and timing out again. @default 0
   */
  resume(after: string | undefined, failures?: number): Promise<ReplayAnswer>;
  /** Closes from the client side. `onClose` is not called for a close the client asked for. */
  close(): void;
}

export interface TransportOpenOptions {
  url: string;
  token: string;
  connectTimeoutMs: number;
}

/** One way of reaching a syncbell backend. The client owns reconnection; a transport never retries. */
export interface Transport {
  readonly name: string;
  open(options: TransportOpenOptions, handlers: TransportHandlers): TransportConnection;
}
