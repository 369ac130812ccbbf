import * as z from 'zod';
import { ErrorCode } from './codes.js';
import { notificationSchema, ulidSchema } from './envelope.js';

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

export const replayResultSchema = z.object({
  notifications: z.array(notificationSchema),
  truncated: z.boolean(),
  /** Resume point for a client that has seen nothing yet (see above). */
  cursor: ulidSchema.optional(),
  /** Which server process answered (ECS: the container id). Informational. */
  servedBy: z.string().max(128).optional(),
});
export type ReplayResult = z.infer<typeof replayResultSchema>;

/** Socket.io event names. `error` is reserved by socket.io, hence the prefix. */
export const SocketEvent = {
  /** server -> client: one live notification (payload: Notification). */
  Notification: 'notification',
  /** client -> server with ack: ResumeRequest -> ReplayResult | ErrorFrameBody. */
  Resume: 'resume',
  /** server -> client: ErrorFrameBody about a frame the client sent. */
  Error: 'syncbell:error',
  /** server -> client: the server is draining; reconnect (another container will answer). */
  Draining: 'syncbell:draining',
  /**
   * server -> client: live delivery may have had a gap (the server's Redis subscription was
   * restored after an outage); resume again from the last id seen. The connection itself stayed up,
   * so without this hint nothing would trigger a replay.
   */
  Resync: 'syncbell:resync',
} as const;

/** Socket.io `connect_error` data and error frames carry this body. */
export const errorFrameBodySchema = z.object({
  code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
});

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
export const CLIENT_ACTIONS = ['resume', 'ping'] as const;

/** server -> client frames. */
export const serverFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('notification'), notification: notificationSchema }),
  z.object({
    type: z.literal('replay'),
    requestId: z.string().optional(),
    notifications: z.array(notificationSchema),
    truncated: z.boolean(),
    /**
     * True when another `replay` frame for the same request follows. API Gateway caps a posted
     * message at 128 KB, so a long replay is split; absent means this is the last (or only) one.
     */
    more: z.boolean().optional(),
    /** As in `replayResultSchema`: where a client that has seen nothing yet resumes next time. */
    cursor: ulidSchema.optional(),
  }),
  z.object({ type: z.literal('pong'), requestId: z.string().optional(), serverTimeMs: z.number() }),
  z.object({
    type: z.literal('error'),
    requestId: z.string().optional(),
    code: errorFrameBodySchema.shape.code,
    message: z.string(),
  }),
]);
export type ServerFrame = z.infer<typeof serverFrameSchema>;
