/**
 * The API Gateway variant's defaults, in one place: the handlers' parser (config.ts) and
 * `createApiGwPublisher` read them from here, and the CDK construct from this package's exports
 * instead of restating them.
 */

/** How long a notification stays replayable (the DynamoDB TTL of its row): a day. */
export const DEFAULT_REPLAY_TTL_SECONDS = 86_400;
/** Parallel `PostToConnection` calls per notification. */
export const DEFAULT_NOTIFY_CONCURRENCY = 10;
/** The connections table. */
export const DEFAULT_CONNECTIONS_TABLE = 'syncbell-connections';
/** The notifications (replay log) table. */
export const DEFAULT_NOTIFICATIONS_TABLE = 'syncbell-notifications';
/** The connections table's index keyed by `userId`. */
export const DEFAULT_CONNECTIONS_BY_USER_INDEX = 'byUser';
