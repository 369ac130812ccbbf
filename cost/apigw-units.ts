import { RECENT_POSITIONS } from '@syncbell/contract';
/**
 * DynamoDB request units per operation of the API Gateway variant, one row per access
 * pattern. They follow the data design in docs/APIGW.md (issue 3, section 2): a connections
 * table keyed by `connectionId` with a GSI on `userId`, and a notifications table keyed by
 * `userId` + `id`. Keep this table in step with that document.
 *
 * Billing semantics used (DynamoDB developer guide, "read and write operations", and the
 * on-demand pricing page, read 2026-11-27):
 * - a write request unit covers an item up to 1 KB; larger items take one unit per started KB;
 * - a strongly consistent read of up to 4 KB is 1 read request unit, an eventually consistent
 *   one is 0.5 (a Query sums the item sizes, then rounds up to 4 KB). A GSI query is always
 *   eventually consistent: 0.5 RRU for < 4 KB. AWS reports and bills the half unit, so no
 *   rounding up to 1 is applied;
 * - a write to a table also writes every GSI the item belongs to, and that index write is
 *   billed as its own write unit. The brief's figures ($connect = 1 write, $disconnect = 1
 *   write) leave the GSI out; they appear here as separate rows so the difference is visible.
 */

export interface UnitsRow {
  /** What the handler does. */
  operation: string;
  /** Write request units per occurrence (for items up to 1 KB). */
  writeUnits: number;
  /** Read request units per occurrence. */
  readUnits: number;
  /** Which event the row counts against. */
  per: 'connect' | 'disconnect' | 'notification' | 'staleConnection' | 'resume' | 'ping';
  why: string;
}

export const APIGW_DYNAMODB_UNITS: readonly UnitsRow[] = [
  {
    operation: '$connect: put connection row',
    writeUnits: 1,
    readUnits: 0,
    per: 'connect',
    why: '{ connectionId, userId, connectedAt, ttl } is < 1 KB',
  },
  {
    operation: '$connect: userId GSI entry',
    writeUnits: 1,
    readUnits: 0,
    per: 'connect',
    why: 'a table write also writes the GSI, billed separately',
  },
  {
    operation: '$disconnect: delete connection row',
    writeUnits: 1,
    readUnits: 0,
    per: 'disconnect',
    why: 'delete of an item < 1 KB',
  },
  {
    operation: '$disconnect: userId GSI entry removed',
    writeUnits: 1,
    readUnits: 0,
    per: 'disconnect',
    why: 'the delete propagates to the GSI, billed separately',
  },
  {
    operation: 'notify: query the user’s connections (GSI)',
    writeUnits: 0,
    readUnits: 0.5,
    per: 'notification',
    why: 'GSI queries are eventually consistent: 0.5 RRU for < 4 KB',
  },
  {
    operation: 'notify: delete a stale connection on 410 (row + GSI)',
    writeUnits: 2,
    readUnits: 0,
    per: 'staleConnection',
    why: '$disconnect is best-effort; a 410 deletes the stale row, which also updates the GSI',
  },
  {
    operation: 'resume: query the user’s log after an id',
    writeUnits: 0,
    readUnits: 1,
    per: 'resume',
    why: 'strongly consistent query on the base table, < 4 KB (fewer than ~10 missed); a first connect without `after` reads nothing, so 1 per connect is an upper bound',
  },
  {
    operation: 'ping: the user’s 4 newest log entries for the pong’s `latest` and `recent`',
    writeUnits: 0,
    readUnits: 0.5,
    per: 'ping',
    why: 'one eventually consistent Query of 4 items (Limit 4, newest first; issue 21): 0.5 RRU while they total < 4 KB, more for larger notifications (pingReadUnits)',
  },
];

/**
 * The log append, and the notify handler's job claim (a conditional put holding the same
 * notification), are sized by the notification: one write unit per started KB of the item
 * (the message plus about 100 bytes of keys, ttl and attribute names).
 */
export const LOG_ITEM_OVERHEAD_BYTES = 100;

export function logAppendWriteUnits(messageBytes: number): number {
  return Math.ceil((messageBytes + LOG_ITEM_OVERHEAD_BYTES) / 1024);
}

/** Units per occurrence of one kind of event, summed over the rows above. */
export function unitsPer(per: UnitsRow['per']): { writeUnits: number; readUnits: number } {
  let writeUnits = 0;
  let readUnits = 0;
  for (const row of APIGW_DYNAMODB_UNITS) {
    if (row.per === per) {
      writeUnits += row.writeUnits;
      readUnits += row.readUnits;
    }
  }
  return { writeUnits, readUnits };
}

/**
 * The ping's read: the user's `RECENT_POSITIONS` newest log items, eventually consistent, so half
 * a unit per started 4 KB of their summed size (a Query rounds the sum up, not each item).
 */
export function pingReadUnits(messageBytes: number): number {
  return 0.5 * Math.ceil((RECENT_POSITIONS * (messageBytes + LOG_ITEM_OVERHEAD_BYTES)) / 4096);
}
