import { randomBytes } from 'node:crypto';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulidx';
import {
  type ApigwLocal,
  type ApigwLocalOptions,
  startApigwLocal,
} from '../../apigw-websocket/local/stack.js';
import { publishNotification } from '../../apigw-websocket/src/notify/publish.js';
import type { Telemetry } from '../../apigw-websocket/src/observability.js';
import { signToken } from '../../shared/auth/index.js';
import { type ApigwTransportOptions, apigwTransport } from '../../shared/client/index.js';
import { createNotification } from '../../shared/contract/index.js';
import type { VariantHarness } from '../contract/harness.js';

/** Publishing from the test process stays quiet; counts are still kept for assertions. */
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

export interface ApigwHarness extends VariantHarness {
  stack: ApigwLocal;
  ddb: DynamoDBDocumentClient;
  management: ApiGatewayManagementApiClient;
  jwtKey: Uint8Array;
  config: {
    connectionsTable: string;
    notificationsTable: string;
    connectionsByUserIndex: string;
    replayTtlSeconds: number;
    notifyConcurrency: number;
  };
}

export interface ApigwHarnessOptions extends ApigwLocalOptions {
  /** Options for every `transport()` the harness hands out. @default {} */
  transport?: ApigwTransportOptions;
}

/** The API Gateway variant as the contract suite sees it: serverless-offline + dynalite. */
export async function createApigwHarness(options: ApigwHarnessOptions = {}): Promise<ApigwHarness> {
  const { transport: transportOptions = {}, ...stackOptions } = options;
  const jwtSecret = randomBytes(32).toString('base64url');
  const jwtKey = new TextEncoder().encode(jwtSecret);
  const stack = await startApigwLocal({ jwtSecret, ...stackOptions });
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const ddb = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region: 'us-east-1', credentials }),
  );
  const management = new ApiGatewayManagementApiClient({
    endpoint: stack.managementEndpoint,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
  });
  const config = { ...stack.tables, replayTtlSeconds: 3600, notifyConcurrency: 10 };
  const telemetry = silentTelemetry();
  return {
    name: 'apigw-websocket',
    stack,
    ddb,
    management,
    jwtKey,
    config,
    url: stack.wsUrl,
    jobsUrl: stack.httpUrl,
    transport: () => apigwTransport(transportOptions),
    token: (userId, opts) =>
      signToken({
        userId,
        key: jwtKey,
        ...(opts?.expiresInSeconds === undefined ? {} : { expiresInSeconds: opts.expiresInSeconds }),
      }),
    async publish(userId, overrides = {}) {
      // The real notify path: log append, GSI query, PostToConnection through serverless-offline.
      const notification = createNotification({
        type: overrides.type ?? 'sync.complete',
        userId,
        jobId: overrides.jobId ?? `job_${ulid()}`,
        ...(overrides.data ? { data: overrides.data } : {}),
      });
      await publishNotification({ ddb, management, config, telemetry }, notification);
      return notification;
    },
    rawSocketUrl: (token) => `${stack.wsUrl}?token=${encodeURIComponent(token)}`,
    async stop() {
      management.destroy();
      ddb.destroy();
      await stack.stop();
    },
  };
}
