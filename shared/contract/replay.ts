import { isUlidFloor, ulidFloor } from './envelope.js';
import type { LoggedEntry } from './evolution.js';
import type { ReplayResult } from './protocol.js';

/**
 * How far back a time cursor reaches, to absorb clock skew between the host that reads the log
 * and the hosts that stamp ids. Anything replayed twice because of it is dropped by the SDK.
 */
export const CURSOR_SKEW_MARGIN_MS = 5000;

/**
 * Picks what a client resuming "after `after`" missed from a user's log (oldest first), and the
 * cursor it should resume from next time.
 *
 * Ids are located, not compared: ULIDs from different publishers are only millisecond-ordered,
 * so the log's order is the truth. When `after` is not in the log (trimmed, expired, or a time
 * cursor), every entry sorting after it is returned; that is `truncated` unless `after` was a
 * time cursor, which never names a real entry.
 */
export function selectMissed(
  log: readonly LoggedEntry[],
  after: string | undefined,
  nowMs: number = Date.now(),
): ReplayResult {
  const cursor = log.at(-1)?.id ?? ulidFloor(nowMs - CURSOR_SKEW_MARGIN_MS);
  if (after === undefined) return { notifications: [], truncated: false, cursor };
  const index = log.findIndex((n) => n.id === after);
  if (index >= 0) return { notifications: log.slice(index + 1), truncated: false, cursor };
  return { notifications: log.filter((n) => n.id > after), truncated: !isUlidFloor(after), cursor };
}
