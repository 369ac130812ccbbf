/**
 * The API Gateway variant's defaults, in one place, named as `ApigwConfig` names them: the
 * handlers' parser (config.ts) and `createApiGwPublisher` read them from here, and the CDK
 * construct from this package's exports instead of restating them.
 */
export const APIGW_DEFAULTS = {
  /** The connections table. */
  connectionsTable: 'syncbell-connections',
  /** The notifications (replay log) table. */
  notificationsTable: 'syncbell-notifications',
  /** The connections table's index keyed by `userId`. */
  connectionsByUserIndex: 'byUser',
  /** How long a notification stays replayable (the DynamoDB TTL of its row): a day. */
  replayTtlSeconds: 86_400,
  /** Parallel `PostToConnection` calls per notification. */
  notifyConcurrency: 10,
} as const;
