import * as z from 'zod';
import { ErrorCode } from './codes.js';
import { notificationSchema, ulidSchema } from './envelope.js';
import { loggedEntrySchema } from './evolution.js';
import { RECENT_POSITIONS } from './position.js';

/** A keep-alive answer's `recent` (position.ts): the log's newest ids, newest first. */
const recentSchema = z.array(ulidSchema).min(1).max(RECENT_POSITIONS);

/**
 * The resume protocol, shared by both variants.
 *
 * 1. On every (re)connect the client asks `resume { after }`, where `after` is the id of the
 *    last notification it handed to the app (omitted on a first connect: nothing to replay).
 * 2. The server subscribes the connection to live delivery *before* it reads the user's log,
 *    then answers with the missed notifications in log order. Anything published in between
 *    may arrive twice (live and replayed), never zero times: delivery is at-least-once.
 * 3. The SDK holds live notifications until the replay answer is in, hands the replayed ones
 *    to the app first, then the held ones, dropping ids it has already seen.
 *
 * `truncated` is true when `after` is no longer in the log (trimmed or expired): the client may
 * have missed notifications that no longer exist and should re-fetch state the slow way.
 *
 * `cursor` is where a client that has seen nothing yet should resume from next time: the newest
 * id in the log, or a time cursor (`ulidFloor`) when the log is empty. Without it, a client whose
 * first notification is lost in a reconnect would have no "after" to ask with, and would miss it.
 */
export const resumeRequestSchema = z
  .object({
    after: ulidSchema.optional(),
  })
  .strict();
export type ResumeRequest = z.infer<typeof resumeRequestSchema>;

/**
 * The replay answer as a server sends it. Its entries are log entries served as stored (a newer
 * server's included, see `screenLogEntry`): readers validate each one on its own.
 */
export const replayResultSchema = z.object({
  notifications: z.array(loggedEntrySchema),
  truncated: z.boolean(),
  /** Resume point for a client that has seen nothing yet (see above). */
  cursor: ulidSchema.optional(),
  /** Which server process answered (ECS: the container id). Informational. */
  servedBy: z.string().max(128).optional(),
});
export type ReplayResult = z.infer<typeof replayResultSchema>;

/**
 * The replay answer as a client reads it: extra fields tolerated, and each entry left to
 * `receivedNotificationSchema` one by one, so one bad entry never fails the whole replay.
 */
export const receivedReplayResultSchema = z.looseObject({
  notifications: z.array(z.unknown()),
  truncated: z.boolean(),
  cursor: ulidSchema.optional(),
  servedBy: z.string().optional(),
});
export type ReceivedReplayResult = z.infer<typeof receivedReplayResultSchema>;

/** Socket.io `connect_error` data and error frames carry this body, as a server of this version sends it. */
export const errorFrameBodySchema = z.object({
  code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
  /**
   * A refused connect's hint: wait at least this long before the next attempt (a server over its
   * accept rate paces a reconnect storm with it). The SDK honours it over its own backoff, capped
   * at `MAX_RETRY_AFTER_MS`.
   */
  retryAfterMs: z.number().int().min(0).optional(),
});

/**
 * The same body as a reader reads it: a code a newer server added is a string this version does
 * not know, not a malformed frame (readers raise it as `internal_error`, see `errorFromServer`).
 */
export const receivedErrorFrameBodySchema = z.object({
  code: z.string().min(1).max(64),
  message: z.string(),
  retryAfterMs: z.number().int().min(0).optional(),
});
export type ReceivedErrorFrameBody = z.infer<typeof receivedErrorFrameBodySchema>;

// ---- API Gateway frames (JSON text frames with an `action` route key) ----

/** client -> server frames. API Gateway routes on `$request.body.action`. */
export const clientFrameSchema = z.discriminatedUnion('action', [
  z
    .object({
      action: z.literal('resume'),
      after: ulidSchema.optional(),
      requestId: z.string().max(64).optional(),
    })
    .strict(),
  z.object({ action: z.literal('ping'), requestId: z.string().max(64).optional() }).strict(),
]);
export type ClientFrame = z.infer<typeof clientFrameSchema>;

/** The fields of each server -> client frame, once; `entry` / `replayEntry` check the notifications in it. */
function serverFrameFields<E extends z.ZodType, R extends z.ZodType, C extends z.ZodType>(
  entry: E,
  replayEntry: R,
  code: C,
) {
  return {
    notification: { type: z.literal('notification'), notification: entry },
    replay: {
      type: z.literal('replay'),
      requestId: z.string().optional(),
      notifications: z.array(replayEntry),
      truncated: z.boolean(),
      /**
       * True when another `replay` frame for the same request follows. API Gateway caps a posted
       * message at 128 KB, so a long replay is split; absent means this is the last (or only) one.
       */
      more: z.boolean().optional(),
      /** As in `replayResultSchema`: where a client that has seen nothing yet resumes next time. */
      cursor: ulidSchema.optional(),
    },
    pong: {
      type: z.literal('pong'),
      requestId: z.string().optional(),
      serverTimeMs: z.number(),
      /**
       * The id of the newest notification in the user's log, absent when it is empty (see
       * `position.ts`). Checked only where it is sent: a reader ignores a malformed one.
       */
      latest: ulidSchema.optional(),
      /**
       * The ids of the log's newest entries, newest first (`latest` first), at most
       * `RECENT_POSITIONS` (see `position.ts`). Checked only where it is sent, like `latest`.
       */
      recent: recentSchema.optional(),
    },
    error: {
      type: z.literal('error'),
      requestId: z.string().optional(),
      code,
      message: z.string(),
    },
  };
}

/** server -> client frames, as a server of this version sends them. Clients read `receivedServerFrameSchema`. */
const sent = serverFrameFields(notificationSchema, loggedEntrySchema, errorFrameBodySchema.shape.code);
export const serverFrameSchema = z.discriminatedUnion('type', [
  z.object(sent.notification),
  z.object(sent.replay),
  z.object(sent.pong),
  z.object(sent.error),
]);
export type ServerFrame = z.infer<typeof serverFrameSchema>;

/**
 * server -> client frames as a client reads them (see `evolution.ts`): extra fields tolerated,
 * notifications left to `receivedNotificationSchema` one by one. A frame whose `type` is not in
 * `SERVER_FRAME_TYPES` comes from a newer server and is ignored.
 */
const read = serverFrameFields(z.unknown(), z.unknown(), receivedErrorFrameBodySchema.shape.code);
// A reader takes `latest` and `recent` with `readLatest` and `readRecent` (position.ts) and ignores
// malformed ones, so the pong's other fields decide whether the frame is read.
const { latest: _latest, recent: _recent, ...readPong } = read.pong;
export const receivedServerFrameSchema = z.discriminatedUnion('type', [
  z.looseObject(read.notification),
  z.looseObject(read.replay),
  z.looseObject(readPong),
  z.looseObject(read.error),
]);
export type ReceivedServerFrame = z.infer<typeof receivedServerFrameSchema>;

// ---- socket.io keep-alive (the API Gateway `ping` / `pong` pair's counterpart) ----

/**
 * The answer to the SDK's `SocketEvent.KeepAlive` (the request is `{}`), as a server sends it:
 * the user's log position, as in the `pong` frame (see `position.ts`). A reader ignores a
 * malformed `latest` or `recent` and extra fields.
 */
export const keepAliveAnswerSchema = z.object({
  serverTimeMs: z.number(),
  /** The id of the newest notification in the user's log, absent when it is empty. */
  latest: ulidSchema.optional(),
  /** The ids of the log's newest entries, newest first, at most `RECENT_POSITIONS`, as in the `pong`. */
  recent: recentSchema.optional(),
});
export type KeepAliveAnswer = z.infer<typeof keepAliveAnswerSchema>;
