import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulidx';
import type { Notification } from '../../shared/contract/index.js';
import { type PublishDeps, type PublishResult, publishNotification } from '../src/notify/publish.js';
import type { Telemetry } from '../src/observability.js';
import type { ApigwLocal } from './stack.js';

/** Telemetry that logs nothing and only counts: publishing from a test or the benchmark stays quiet. */
export function silentTelemetry(): Telemetry & { counts: Map<string, number> } {
  const counts = new Map<string, number>();
  const noop = () => {};
  return {
    counts,
    logger: { info: noop, warn: noop, error: noop, debug: noop },
    count(name, value = 1) {
      counts.set(name, (counts.get(name) ?? 0) + value);
    },
  };
}

/**
 * Writes `entry` straight into `userId`'s replay log (the notifications table), bypassing every
 * publisher: what a newer version, or a bug, may leave there. The row is keyed by the entry's
 * `id` when it has a string one, else by a fresh ULID.
 */
export async function writeLogEntry(
  deps: { ddb: DynamoDBDocumentClient; config: { notificationsTable: string; replayTtlSeconds: number } },
  userId: string,
  entry: unknown,
): Promise<void> {
  const id = (entry as { id?: unknown } | null)?.id;
  await deps.ddb.send(
    new PutCommand({
      TableName: deps.config.notificationsTable,
      Item: {
        userId,
        id: typeof id === 'string' ? id : ulid(),
        notification: entry,
        ttl: Math.floor(Date.now() / 1000) + deps.config.replayTtlSeconds,
      },
    }),
  );
}

export type LocalPublishDeps = Required<Pick<PublishDeps, 'ddb' | 'management' | 'config' | 'telemetry'>>;

export interface LocalPublisher {
  deps: LocalPublishDeps;
  /** The notify Lambda's path, run in this process: log append, GSI query, posts through the emulator. */
  publish(notification: Notification): Promise<PublishResult>;
  /** Closes the SDK clients (the stack itself is stopped by its owner). */
  close(): void;
}

export interface LocalPublisherOptions {
  /** @default silentTelemetry() */
  telemetry?: Telemetry;
  /** @default 3600 */
  replayTtlSeconds?: number;
  /** @default 10 (the notify Lambda's default) */
  notifyConcurrency?: number;
}

/**
 * Publishes to a running `startApigwLocal` stack from outside it, with the clients the notify
 * Lambda builds (one attempt per post, as `src/clients.ts`: the notify path does its own retries).
 */
export function localPublisher(local: ApigwLocal, options: LocalPublisherOptions = {}): LocalPublisher {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const ddb = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: local.dynamodbEndpoint, region: 'us-east-1', credentials }),
  );
  const management = new ApiGatewayManagementApiClient({
    endpoint: local.managementEndpoint,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
  });
  const deps: LocalPublishDeps = {
    ddb,
    management,
    telemetry: options.telemetry ?? silentTelemetry(),
    config: {
      ...local.tables,
      replayTtlSeconds: options.replayTtlSeconds ?? 3600,
      notifyConcurrency: options.notifyConcurrency ?? 10,
    },
  };
  return {
    deps,
    publish: (notification) => publishNotification(deps, notification),
    close() {
      management.destroy();
      ddb.destroy();
    },
  };
}
