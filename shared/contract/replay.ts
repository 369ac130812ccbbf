import type { Notification } from './envelope.js';
import type { ReplayResult } from './protocol.js';

/**
 * Picks what a client resuming "after `after`" missed from a user's log (oldest first).
 *
 * Ids are located, not compared: ULIDs from different publishers are only millisecond-ordered,
 * so the log's order is the truth. When `after` is not in the log any more (trimmed, expired,
 * or from another deployment) every entry newer than its timestamp is returned and the result
 * is flagged `truncated`.
 */
export function selectMissed(log: readonly Notification[], after: string | undefined): ReplayResult {
  if (after === undefined) return { notifications: [], truncated: false };
  const index = log.findIndex((n) => n.id === after);
  if (index >= 0) return { notifications: log.slice(index + 1), truncated: false };
  return { notifications: log.filter((n) => n.id > after), truncated: true };
}
