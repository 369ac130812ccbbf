import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { notificationToPublish, type Publisher } from '@syncbell/server';
import { APIGW_DEFAULTS } from './defaults.js';
import { type PublishDeps, publishOnce } from './notify/publish.js';
import { defaultTelemetry, type Telemetry } from './observability.js';

export interface ApiGwPublisherOptions {
  /**
   * The stage's `@connections` endpoint: `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`
   * (the stack's `ManagementEndpoint` output), or serverless-offline's `http://localhost:3001`.
   */
  managementEndpoint: string;
  /** @default 'syncbell-connections' */
  connectionsTable?: string;
  /** @default 'syncbell-notifications' */
  notificationsTable?: string;
  /** @default 'byUser' */
  connectionsByUserIndex?: string;
  /** How long a notification stays replayable. @default 86400 */
  replayTtlSeconds?: number;
  /** Parallel `PostToConnection` calls per notification. @default 10 */
  notifyConcurrency?: number;
  /** @default the SDK's (AWS_REGION) */
  region?: string;
  /** DynamoDB endpoint override (dynalite, DynamoDB Local). @default the AWS endpoint */
  dynamodbEndpoint?: string;
  /** @default the SDK's credential chain (a Lambda's role, a container's task role, a profile) */
  credentials?: DynamoDBClientConfig['credentials'];
  /** Clients of your own (left open by `close()`). @default created from the options above */
  ddb?: DynamoDBDocumentClient;
  management?: ApiGatewayManagementApiClient;
  /** @default Powertools logger + EMF metrics */
  telemetry?: Telemetry;
}

export interface ApiGwPublisher extends Publisher {
  /** What the notify core runs with (the local publisher and tests reuse the clients). */
  readonly deps: Required<Pick<PublishDeps, 'ddb' | 'management' | 'config' | 'telemetry'>>;
}

/**
 * The API Gateway variant's `Publisher`, usable wherever AWS credentials are (a Lambda, a
 * container, a script): the notify Lambda's own path (claim the key, append the DynamoDB log,
 * post to each of the user's connections through `@connections`), run in the caller's process.
 */
export function createApiGwPublisher(options: ApiGwPublisherOptions): ApiGwPublisher {
  const aws = {
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  };
  const ownDdb = options.ddb
    ? undefined
    : DynamoDBDocumentClient.from(
        new DynamoDBClient({
          ...aws,
          ...(options.dynamodbEndpoint === undefined ? {} : { endpoint: options.dynamodbEndpoint }),
        }),
        { marshallOptions: { removeUndefinedValues: true } },
      );
  // Retries are the notify core's (throttled posts are retried with backoff): the SDK's are off,
  // as the notify Lambda's (src/clients.ts).
  const ownManagement = options.management
    ? undefined
    : new ApiGatewayManagementApiClient({ ...aws, endpoint: options.managementEndpoint, maxAttempts: 1 });
  const deps: ApiGwPublisher['deps'] = {
    ddb: options.ddb ?? (ownDdb as DynamoDBDocumentClient),
    management: options.management ?? (ownManagement as ApiGatewayManagementApiClient),
    telemetry: options.telemetry ?? defaultTelemetry,
    config: {
      connectionsTable: options.connectionsTable ?? APIGW_DEFAULTS.connectionsTable,
      notificationsTable: options.notificationsTable ?? APIGW_DEFAULTS.notificationsTable,
      connectionsByUserIndex: options.connectionsByUserIndex ?? APIGW_DEFAULTS.connectionsByUserIndex,
      replayTtlSeconds: options.replayTtlSeconds ?? APIGW_DEFAULTS.replayTtlSeconds,
      notifyConcurrency: options.notifyConcurrency ?? APIGW_DEFAULTS.notifyConcurrency,
    },
  };
  return {
    deps,
    async publish(input) {
      const { notification, idempotencyKey } = notificationToPublish(input);
      const published = await publishOnce(deps, notification, idempotencyKey);
      return { id: published.notification.id, duplicate: published.duplicate };
    },
    async close() {
      ownManagement?.destroy();
      ownDdb?.destroy();
    },
  };
}
