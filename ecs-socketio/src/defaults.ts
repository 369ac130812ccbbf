/**
 * The socket.io variant's defaults, in one place: the container's parser (config.ts),
 * `attachSyncbell`, the publisher and the replay log read them from here, and the CDK construct
 * reads them (and the parser's limits) from this package's exports instead of restating them.
 */

/** How long a user's replay log, and each job's idempotency claim, live after the user's last notification: a day. */
export const DEFAULT_REPLAY_TTL_SECONDS = 86_400;
/** Entries kept per user in the replay log (an approximate trim). */
export const DEFAULT_REPLAY_MAX_LEN = 1000;
/** `DRAIN_TIMEOUT_MS` when unset. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
/** socket.io's own ping interval (server-options docs): `PING_INTERVAL_MS` when unset. */
export const DEFAULT_PING_INTERVAL_MS = 25_000;
/** socket.io's own ping timeout (server-options docs): `PING_TIMEOUT_MS` when unset. */
export const DEFAULT_PING_TIMEOUT_MS = 20_000;
