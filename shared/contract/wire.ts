/**
 * The contract's names and formats: versions, notification and frame types, socket.io event
 * names, id patterns. Constants only, no zod, so the browser SDK can import them without pulling
 * a validation library into its bundle (see `checks.ts`). The schemas build on these.
 */

/**
 * Bumped only for a change an older reader would misread; never for a new type or field. Readers
 * pass unknown higher versions through on the generic event (see `evolution.ts`).
 */
export const ENVELOPE_VERSION = 1 as const;

export const NOTIFICATION_TYPES = ['sync.complete', 'sync.failed', 'sync.progress'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** Crockford base32 ULID: 48-bit time + 80 bits randomness, lexically time-sortable. */
export const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
export const ULID_MESSAGE = 'must be a ULID (26 Crockford base32 characters)';

/** User ids end up in room names and DynamoDB keys: keep them boring. */
export const USER_ID_PATTERN = /^[A-Za-z0-9._@-]+$/;
export const USER_ID_MESSAGE = 'may contain only letters, digits and . _ @ -';
/** The longest user id and job id. */
export const MAX_ID_LENGTH = 128;

/** Socket.io event names. `error` is reserved by socket.io, hence the prefix. */
export const SocketEvent = {
  /** server -> client: one live notification (payload: Notification). */
  Notification: 'notification',
  /** client -> server with ack: ResumeRequest -> ReplayResult | ErrorFrameBody. */
  Resume: 'resume',
  /** server -> client: ErrorFrameBody about a frame the client sent. */
  Error: 'syncbell:error',
  /**
   * server -> client: `{ code, message, graceMs }`: the server is draining; connect again (another
   * container will answer), resume there, then leave this connection. It stays open `graceMs` for
   * that (make before break) and is closed after; a client that has not left reconnects at once.
   */
  Draining: 'syncbell:draining',
  /**
   * server -> client: live delivery may have had a gap (the server's Redis subscription was
   * restored after an outage); resume again from the last id seen. The connection itself stayed up,
   * so without this hint nothing would trigger a replay.
   */
  Resync: 'syncbell:resync',
  /**
   * client -> server with ack, every `keepAliveIntervalMs`: `{}` -> KeepAliveAnswer (the user's
   * log position, see position.ts) | ErrorFrameBody. Engine.IO's own heartbeat keeps the
   * connection alive; this one tells the client what it may have missed live.
   */
  KeepAlive: 'syncbell:ping',
} as const;

/** client -> server actions of the API Gateway frames (`$request.body.action`). */
export const CLIENT_ACTIONS = ['resume', 'ping'] as const;

/** server -> client API Gateway frame types. A frame of another type comes from a newer server. */
export const SERVER_FRAME_TYPES = ['notification', 'replay', 'pong', 'error'] as const;

/**
 * The demo job API (`POST /jobs/sync`), the same on both variants. A job "works" `durationMs`,
 * then publishes one notification. The cap is the one both variants can honour:
 * - API Gateway: the job waits inside the `notify` invocation the jobs handler starts
 *   asynchronously (the HTTP answer does not wait, and the Lambda that answered may be frozen
 *   right after), so wait + fan-out must fit notify's timeout (90 s in serverless.yml and the CDK
 *   stack), and every waiting second is billed Lambda time;
 * - socket.io on ECS: the job waits in the container that accepted it; a drain hands what is left
 *   to the worker's queue, which re-runs it under its visibility timeout. An hour (the old ECS cap)
 *   would hold a notify Lambda past its 15-minute ceiling.
 * `MAX_JOB_DURATION_MS` (ECS) and the local emulation may lower it, never raise it.
 */
export const MAX_SYNC_JOB_DURATION_MS = 60_000;
/** @default of `durationMs` */
export const DEFAULT_SYNC_JOB_DURATION_MS = 2_000;
export const SYNC_JOB_OUTCOMES = ['complete', 'failed'] as const;
export type SyncJobOutcome = (typeof SYNC_JOB_OUTCOMES)[number];
/**
 * A demo job's id, on both variants: `job_` + a ULID (time-sortable, so a log of jobs reads in
 * order; the prefix tells it apart from a notification id). Backend jobs that publish through the
 * publisher choose their own `jobId` (any 1 to 128 characters).
 */
export const SYNC_JOB_ID_PATTERN = /^job_[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
export const SYNC_JOB_ID_MESSAGE = 'must be job_ followed by a ULID';
