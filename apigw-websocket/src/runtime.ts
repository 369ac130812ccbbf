import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { warnDevSecretOnce } from '@syncbell/server';
import { getConfig, getDocumentClient, getManagementClient, loadSecrets } from './clients.js';
import type { ApigwConfig } from './config.js';
import { type ConnectionsStore, createConnectionsStore } from './data/connections.js';
import { createNotificationLog, type NotificationLog } from './data/notifications.js';
import { defaultTelemetry, flushingMetrics, MetricName, type Telemetry } from './observability.js';

/** What the handlers need, built once per execution environment from the validated config. */
export interface Runtime {
  config: ApigwConfig;
  ddb: DynamoDBDocumentClient;
  connections: ConnectionsStore;
  log: NotificationLog;
  telemetry: Telemetry;
  management(endpoint: string): ApiGatewayManagementApiClient;
}

let runtime: Runtime | undefined;

export function getRuntime(): Runtime {
  if (runtime) return runtime;
  const config = getConfig();
  const ddb = getDocumentClient();
  if (config.isDevSecret) warnDevSecretOnce((message) => defaultTelemetry.logger.warn(message));
  runtime = {
    config,
    ddb,
    connections: createConnectionsStore({
      client: ddb,
      tableName: config.connectionsTable,
      byUserIndex: config.connectionsByUserIndex,
    }),
    log: createNotificationLog({
      client: ddb,
      tableName: config.notificationsTable,
      ttlSeconds: config.replayTtlSeconds,
      onSkipped: (entry) => {
        defaultTelemetry.count(MetricName.ReplayEntriesSkipped);
        defaultTelemetry.logger.warn('replay log entry skipped', { ...entry });
      },
    }),
    telemetry: defaultTelemetry,
    management: getManagementClient,
  };
  return runtime;
}

/**
 * A handler as Lambda runs it: the cold start reads the secrets first (`loadSecrets`, a no-op once
 * done), and the metrics are flushed after every invocation.
 */
export function lambdaHandler<E, R>(handler: (event: E) => Promise<R>): (event: E) => Promise<R> {
  return flushingMetrics(async (event: E) => {
    await loadSecrets();
    return handler(event);
  });
}
