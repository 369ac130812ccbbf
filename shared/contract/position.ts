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
 * The same frames also carry `recent`: the ids of the log's newest entries (at most
 * `RECENT_POSITIONS`), newest first. A client that handed over every one of them newer than its
 * checkpoint missed nothing, and moves its checkpoint without a resume (`caughtUpTo`). Without it
 * a resume followed every keep-alive round in which the user's log grew (a rolling deploy of
 * 10,000 clients at 200 notifications/s: 21,000 such resumes, two thirds of all), though the
 * notification had almost always arrived live. A failed live post still leaves its id unseen, so
 * it is still resumed for; an older server that sends no `recent` gets a resume as before.
 *
 * Zod-free, like `checks.ts`: the browser SDK imports it.
 */
import { ULID_PATTERN } from './wire.js';

/**
 * How many of the log's newest ids a keep-alive answer's `recent` names: a client that got up to
 * 3 notifications in one keep-alive round confirms them without a resume. Small because each is
 * read on every keep-alive: on API Gateway 4 log items of up to 1 KB stay within the 4 KB that half
 * a read request unit covers.
 */
export const RECENT_POSITIONS = 4;

/**
 * A keep-alive answer's position fields (the `pong`, the socket.io ack), as a server sends them from
 * the log's newest ids, newest first (at most `RECENT_POSITIONS`): `latest` is the first; an empty
 * log sends neither.
 */
export function positionFields(recent: string[]): { latest?: string; recent?: string[] } {
  return recent[0] === undefined ? {} : { latest: recent[0], recent };
}

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

/**
 * True when the log moved past `checkpoint` only by entries the reader has already handed over
 * (`handedOver`): the reader then moves its checkpoint to the frame's `latest` without a resume.
 * Otherwise it resumes after the checkpoint, as `missedPosition` says. `frame` is the keep-alive
 * answer as it came off the wire: a `recent` that is anything but the log's newest ids, newest
 * first and led by `latest`, confirms nothing (an older server sends none), and neither does a
 * checkpoint older than the ids it names. Not validated further, to keep the browser SDK small:
 * an id that is not a real one matches nothing handed over, so it means a resume, never a
 * skipped notification.
 */
export function caughtUpTo(
  frame: unknown,
  checkpoint: string | undefined,
  handedOver: (id: string) => boolean,
): boolean {
  const recent = (frame as { recent?: unknown } | null | undefined)?.recent;
  if (!Array.isArray(recent) || recent[0] !== readLatest(frame)) return false;
  const at = recent.indexOf(checkpoint);
  return at > 0 && (recent.slice(0, at) as string[]).every(handedOver);
}
