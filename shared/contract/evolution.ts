import * as z from 'zod';
import { readableNotificationId } from './checks.js';
import { jobIdSchema, notificationSchema, ulidSchema, userIdSchema } from './envelope.js';

/**
 * # Evolving the contract
 *
 * Browsers keep running last week's bundle while servers move on, so a newer server must never
 * break an older client (centrifuge-js and Ably read the same way: validate what you need, pass
 * the rest on). The rules:
 *
 * 1. **Publishers are strict.** A server only creates envelopes through `createNotification`,
 *    which validates against `notificationSchema` (known types, no unknown fields, `v` 1).
 * 2. **Readers are tolerant.** Clients, and servers reading their own log back, validate with
 *    `receivedNotificationSchema`: only what a reader needs to work is required (`id` a ULID,
 *    `type` a string, `userId`, `createdAtMs`); `v`, `jobId` and `data` are checked only when
 *    present; every other field is kept and passed on. Frames and the replay answer tolerate
 *    extra fields too, and a client ignores frame types it does not know.
 * 3. **Adding is not breaking.** A new notification type or a new field never bumps `v`. The SDK
 *    hands every envelope to the generic `notification` event (`type: string` there); the typed
 *    events (`sync.complete`, ...) fire only for envelopes this version knows in full
 *    (`isKnownNotification`: a known type, `v` 1, the v1 fields valid).
 *    The SDK runs these rules as the zod-free checks of `checks.ts` (bytes in the browser), which
 *    a property test holds to the schemas here.
 * 4. **`v` is bumped only for a change an old reader would misread** (a field that changes
 *    meaning or shape). An envelope with an unknown higher `v` is still delivered on
 *    `notification` when the required fields are there (the app may check `v`), never on a typed
 *    event, and never fails the replay it came in.
 * 5. **One bad entry never fails a message.** Each notification of a replay is validated on its
 *    own: a malformed one is skipped and reported (`error` event, a `MalformedNotificationError`
 *    with the notification id when one can be read); the rest are delivered and the client stays
 *    connected. A malformed live notification is reported the same way.
 * 6. **Servers serve what they cannot read.** A log entry a newer version wrote is served as it is
 *    stored, unknown fields included, when it has a readable `id` and belongs to the reading user
 *    (`screenLogEntry`). Only an entry with no readable id (not JSON, not an object) is skipped on
 *    the server, with a warning and a metric: a client could neither dedupe nor report it. An
 *    entry of another user is never served.
 * 7. **An error code a newer server added is an error, not a bad frame.** Readers take any code
 *    of 1 to 64 characters (`receivedErrorFrameBodySchema`, `readErrorFrameBody`) and raise an
 *    unknown one as `internal_error` with the server's code in the message (`errorFromServer`).
 */

/** What a reader accepts: the fields it needs to work, the known optional ones when valid, any others. */
export const receivedNotificationSchema = z.looseObject({
  id: ulidSchema,
  type: z.string().min(1),
  userId: userIdSchema,
  createdAtMs: z.number().int().nonnegative(),
  v: z.number().int().positive().optional(),
  jobId: jobIdSchema.optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});

/**
 * A notification as the SDK's generic `notification` event hands it over: possibly of a type or
 * version this client does not know, possibly with fields it has never heard of.
 */
export type ReceivedNotification = z.infer<typeof receivedNotificationSchema>;

/**
 * An envelope this version knows in full: `notificationSchema`, extra fields tolerated. Readers
 * test it with `isKnownNotification` (checks.ts), which mirrors it without zod.
 */
export const knownNotificationSchema = z.looseObject(notificationSchema.shape);

/**
 * A replay log entry as servers hand it on: at least a readable id and its owner. The reader
 * validates the rest (rule 5), so one a newer server wrote reaches the client untouched.
 */
export const loggedEntrySchema = z.looseObject({ id: ulidSchema, userId: userIdSchema });
export type LoggedEntry = z.infer<typeof loggedEntrySchema>;

export type SkipReason = 'unreadable' | 'another_user';

export type ScreenedLogEntry =
  | { served: LoggedEntry }
  | {
      skipped: SkipReason;
      /** The entry's id, when readable. */
      id?: string;
    };

/** A log entry a server's read left out, as it tells its logger and metrics. */
export interface SkippedLogEntry {
  userId: string;
  reason: SkipReason;
  /** Where the store keeps it (Redis Stream entry id, DynamoDB sort key): the id may be unreadable. */
  key: string;
  id?: string;
}

/**
 * What a server does with one entry read back from a user's log (rule 6): serve it as stored
 * when it has a readable id and is `userId`'s; skip it otherwise. `value` is the parsed entry
 * (`undefined` when it was not JSON). Defence in depth: a row that is not the reading user's
 * never leaves the log, whatever key it was found under.
 */
export function screenLogEntry(value: unknown, userId: string): ScreenedLogEntry {
  const id = readableNotificationId(value);
  if (id === undefined || typeof value !== 'object' || value === null || Array.isArray(value))
    return { skipped: 'unreadable' };
  if ((value as { userId?: unknown }).userId !== userId) return { skipped: 'another_user', id };
  return { served: value as LoggedEntry };
}
