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
 * is empty. The client resumes (on the same connection, as for a resync) when the log moved past
 * its checkpoint (`missedPosition`), so every logged notification reaches each connected client
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

/**
 * True when the log moved past the reader's checkpoint, so it should resume after the checkpoint.
 * The one rule both transports apply.
 *
 * The checkpoint is the log's newest id as of the reader's last resume (the resume answer's
 * `cursor`), not the last id it handed over: a live delivery that failed between two that worked
 * leaves a gap below the newest id, which comparing `latest` with the ids seen would never find
 * (found by the `apigw-throttled-posts` chaos scenario: 47 of 788 hand-offs lost that way once the
 * 429s turned into a share of 5xx). Resuming after the checkpoint replays everything logged since
 * it; what already arrived live is dropped by the reader's dedupe. So a resume follows every
 * keep-alive round in which the user's log grew, and none follows a quiet one.
 */
export function missedPosition(latest: string | undefined, checkpoint: string | undefined): boolean {
  return latest !== undefined && latest !== checkpoint;
}
