import { randomBytes } from 'node:crypto';
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulidx';
import {
  type ApigwLocal,
  type ApigwLocalOptions,
  startApigwLocal,
} from '../../../apigw-websocket/local/stack.js';
import { localPublisher, silentTelemetry, writeLogEntry } from '../../../apigw-websocket/local/publisher.js';
import { signToken } from '../../../shared/server/auth/index.js';
import { type ApigwTransportOptions, apigwTransport } from '@syncbell/client/apigw';
import { createNotification, type Notification } from '@syncbell/contract';
import type { VariantHarness } from '../../contract/harness.js';

export { silentTelemetry };

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
  const publisher = localPublisher(stack, { telemetry: silentTelemetry() });
  const { ddb, management, config } = publisher.deps;
  return {
    name: 'apigw-websocket',
    stack,
    ddb,
    management,
    jwtKey,
    config,
    url: stack.wsUrl,
    jobsUrl: stack.httpUrl,
    transport: (keepAlive) => apigwTransport({ ...transportOptions, ...keepAlive }),
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
      await publisher.publish(notification);
      return notification;
    },
    async publishAsNewerServer(envelope) {
      // A newer notify Lambda runs this same path with a wider Notification type.
      await publisher.publish(envelope as unknown as Notification);
    },
    writeLogEntry: (userId, entry) => writeLogEntry(publisher.deps, userId, entry),
    rawSocketUrl: (token) => `${stack.wsUrl}?token=${encodeURIComponent(token)}`,
    async stop() {
      publisher.close();
      await stack.stop();
    },
  };
}
