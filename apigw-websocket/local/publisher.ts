import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulidx';
import type { Notification } from '@syncbell/contract';
import { type PublishDeps, type PublishResult, publishNotification } from '../src/notify/publish.js';
import type { Telemetry } from '../src/observability.js';
import { type ApiGwPublisherOptions, createApiGwPublisher } from '../src/publisher.js';
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

/** `createApiGwPublisher` options that reach a running `startApigwLocal` stack (dynalite, serverless-offline). */
export function localPublisherOptions(
  local: ApigwLocal,
): Pick<
  ApiGwPublisherOptions,
  | 'managementEndpoint'
  | 'dynamodbEndpoint'
  | 'region'
  | 'credentials'
  | 'connectionsTable'
  | 'notificationsTable'
  | 'connectionsByUserIndex'
> {
  return {
    ...local.tables,
    managementEndpoint: local.managementEndpoint,
    dynamodbEndpoint: local.dynamodbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
}

/**
 * Publishes to a running `startApigwLocal` stack from outside it, with the clients the notify
 * Lambda builds (one attempt per post, as `src/clients.ts`: the notify path does its own retries).
 * `publish` takes a built envelope and does not claim its job (the contract tests reuse job ids);
 * `createApiGwPublisher` is the one for a backend.
 */
export function localPublisher(local: ApigwLocal, options: LocalPublisherOptions = {}): LocalPublisher {
  const publisher = createApiGwPublisher({
    ...localPublisherOptions(local),
    telemetry: options.telemetry ?? silentTelemetry(),
    replayTtlSeconds: options.replayTtlSeconds ?? 3600,
    notifyConcurrency: options.notifyConcurrency ?? 10,
  });
  const { deps } = publisher;
  return {
    deps,
    publish: (notification) => publishNotification(deps, notification),
    close() {
      void publisher.close();
    },
  };
}
