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
  /** server -> client: the server is draining; reconnect (another container will answer). */
  Draining: 'syncbell:draining',
  /**
   * server -> client: live delivery may have had a gap (the server's Redis subscription was
   * restored after an outage); resume again from the last id seen. The connection itself stayed up,
   * so without this hint nothing would trigger a replay.
   */
  Resync: 'syncbell:resync',
} as const;

/** client -> server actions of the API Gateway frames (`$request.body.action`). */
export const CLIENT_ACTIONS = ['resume', 'ping'] as const;

/** server -> client API Gateway frame types. A frame of another type comes from a newer server. */
export const SERVER_FRAME_TYPES = ['notification', 'replay', 'pong', 'error'] as const;
