/**
 * # The log position rule (issue 21)
 *
 * A live delivery can fail while the notification is safe in the user's log: API Gateway's
 * `@connections` POST is throttled (429, the account-wide limit it shares with every API) or
 * answers 5xx, a `notify` Lambda times out mid-fan-out, a socket.io emit is lost. Without a
 * hint the client only finds out on its next (re)connect, which on API Gateway is planned for
 * 1 h 58 min later. So frames the server sends anyway carry the user's log position:
 *
 * - API Gateway: the `pong` frame's `latest`;
 * - socket.io: the ack of the SDK's keep-alive (`SocketEvent.KeepAlive`), `{ latest }`.
 *
 * `latest` is the id of the newest notification in the user's replay log, absent when the log
 * is empty. The client resumes (on the same connection, as for a resync) when it has not handed
 * that notification to the app, so every logged notification reaches each connected client
 * within one keep-alive round (`keepAliveIntervalMs + pongTimeoutMs`) whatever happened to its
 * live post. Read, not validated strictly: a malformed `latest` is ignored (a newer server may
 * send something else there), an older server that sends none still works.
 *
 * Zod-free, like `checks.ts`: the browser SDK imports it.
 */
import { ULID_PATTERN } from './wire.js';

/** The position a frame or keep-alive answer carries: its `latest` when that is a ULID, else undefined. */
export function readLatest(frame: unknown): string | undefined {
  if (typeof frame !== 'object' || frame === null) return undefined;
  const latest = (frame as { latest?: unknown }).latest;
  return typeof latest === 'string' && ULID_PATTERN.test(latest) ? latest : undefined;
}

/** What a reader knows of its own position. */
export interface KnownPosition {
  /** The id the next resume asks after (the last handed to the app, or the resume answer's `cursor`). */
  lastSeenId: string | undefined;
  /** True when the reader already handed (or skipped as malformed) the notification `id`. */
  has(id: string): boolean;
}

/**
 * True when `latest` names a notification the reader has not had, so it should resume after its
 * `lastSeenId`. The one rule both transports apply. A position equal to `lastSeenId` is not
 * missed: a reader that has seen nothing keeps the resume answer's `cursor` there (the newest id
 * at the time), which it did not hand over but need not, as it was logged before it connected.
 */
export function missedPosition(latest: string | undefined, known: KnownPosition): boolean {
  return latest !== undefined && latest !== known.lastSeenId && !known.has(latest);
}
