import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { warnDevSecretOnce } from '@syncbell/server';
import { getConfig, getDocumentClient, getManagementClient, loadSecrets } from './clients.js';
import type { ApigwConfig } from './config.js';
import { type ConnectionsStore, createConnectionsStore } from './data/connections.js';
import { createNotificationLog, type NotificationLog } from './data/notifications.js';
import type { Context } from 'aws-lambda';
import { defaultTelemetry, flushingMetrics, logger, MetricName, type Telemetry } from './observability.js';

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
 * A handler as Lambda runs it: every log line of the invocation carries its Lambda context
 * (Powertools' `addContext`: `function_request_id`, `cold_start`, the function's name, version,
 * ARN and memory; the "Capturing Lambda context info" section of the Powertools Logger docs,
 * https://docs.powertools.aws.dev/lambda/typescript/latest/core/logger/), the cold start reads the
 * secrets first (`loadSecrets`, a no-op once done), and the metrics are flushed after every
 * invocation. `addContext` rather than the `injectLambdaContext` middleware: no middy here.
 */
export function lambdaHandler<E, R>(
  handler: (event: E) => Promise<R>,
): (event: E, context?: Context) => Promise<R> {
  const run = flushingMetrics(async (event: E) => {
    await loadSecrets();
    return handler(event);
  });
  return (event, context) => {
    // Called without one (a test, a local runner): the lines go out without the context's keys.
    if (context) logger.addContext(context);
    return run(event);
  };
}
