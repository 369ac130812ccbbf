import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Notification } from '@syncbell/contract';
import { ConnectionGoneError } from '../errors.js';
import type { ApigwConfig } from '../config.js';
import { createConnectionsStore } from '../data/connections.js';
import { createNotificationLog } from '../data/notifications.js';
import { createFramePoster } from '../management/post.js';
import { defaultTelemetry, MetricName, type Telemetry } from '../observability.js';

export interface PublishDeps {
  /** DynamoDB document client (dynalite locally). */
  ddb: DynamoDBDocumentClient;
  /** Management API client bound to the stage's `@connections` endpoint. */
  management: ApiGatewayManagementApiClient;
  config: Pick<
    ApigwConfig,
    | 'connectionsTable'
    | 'notificationsTable'
    | 'connectionsByUserIndex'
    | 'replayTtlSeconds'
    | 'notifyConcurrency'
  >;
  /** @default Powertools logger + EMF metrics */
  telemetry?: Telemetry;
  /** @default Date.now */
  now?: () => number;
}

export interface PublishResult {
  /** Posts API Gateway accepted. */
  delivered: number;
  /** Connections that answered 410; their rows were deleted. */
  gone: number;
  /** Posts that failed for any other reason (logged and counted; the log still holds the notification). */
  failed: number;
}

/** Runs `task` over `items` with at most `limit` in flight. */
async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * The notify core: append to the user's replay log, then post to each of the user's
 * connections. The log write comes first so that a client connecting meanwhile finds the
 * notification on resume if the live post misses it (at-least-once, the SDK dedupes).
 */
export async function publishNotification(
  deps: PublishDeps,
  notification: Notification,
): Promise<PublishResult> {
  const telemetry = deps.telemetry ?? defaultTelemetry;
  const now = deps.now ?? Date.now;
  const log = createNotificationLog({
    client: deps.ddb,
    tableName: deps.config.notificationsTable,
    ttlSeconds: deps.config.replayTtlSeconds,
    now,
  });
  const connections = createConnectionsStore({
    client: deps.ddb,
    tableName: deps.config.connectionsTable,
    byUserIndex: deps.config.connectionsByUserIndex,
    now,
  });
  const poster = createFramePoster({
    client: deps.management,
    onThrottled: (connectionId, attempt) => {
      telemetry.count(MetricName.PostsThrottled);
      telemetry.logger.warn('post throttled, retrying', { connectionId, attempt });
    },
  });

  await log.append(notification);
  telemetry.count(MetricName.NotificationsPublished);
  const targets = await connections.listByUser(notification.userId);
  const result: PublishResult = { delivered: 0, gone: 0, failed: 0 };

  await forEachBounded(targets, deps.config.notifyConcurrency, async ({ connectionId }) => {
    try {
      await poster.post(connectionId, { type: 'notification', notification });
      result.delivered++;
    } catch (error) {
      if (error instanceof ConnectionGoneError) {
        result.gone++;
        // The client vanished without $disconnect (best-effort on AWS): drop THIS row, no other.
        try {
          await connections.delete(error.connectionId);
        } catch (deleteError) {
          telemetry.logger.error('could not delete a gone connection', { connectionId, error: deleteError });
        }
        return;
      }
      result.failed++;
      telemetry.logger.error('post to connection failed', {
        connectionId,
        notificationId: notification.id,
        error,
      });
    }
  });

  telemetry.count(MetricName.PostsDelivered, result.delivered);
  telemetry.count(MetricName.PostsGone, result.gone);
  telemetry.count(MetricName.PostsFailed, result.failed);
  telemetry.logger.info('notification published', {
    notificationId: notification.id,
    userId: notification.userId,
    connections: targets.length,
    ...result,
  });
  return result;
}

export interface PublishOnceResult extends PublishResult {
  /** What was published: `notification`, or the one the first publish with the key claimed. */
  notification: Notification;
  /** True when an earlier publish claimed the key. */
  duplicate: boolean;
}

/**
 * Claims `key` (the job id, or the publisher's idempotency key) for `notification`, then runs
 * the notify core on the claimed envelope. A retry (Lambda re-delivering the async event, a job
 * retried by its owner) publishes the first attempt's envelope again: the log row is rewritten
 * under the same id (nothing new) and any re-delivery carries that id, which the SDK drops. The
 * retry does publish, unlike the socket.io script's: the claim and the log are two DynamoDB
 * writes, so the first attempt may have died between them.
 */
export async function publishOnce(
  deps: PublishDeps,
  notification: Notification,
  key: string = notification.jobId,
): Promise<PublishOnceResult> {
  const log = createNotificationLog({
    client: deps.ddb,
    tableName: deps.config.notificationsTable,
    ttlSeconds: deps.config.replayTtlSeconds,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const claimed = await log.claimJob(notification, key);
  const result = await publishNotification(deps, claimed);
  return { ...result, notification: claimed, duplicate: claimed.id !== notification.id };
}
