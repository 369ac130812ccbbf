import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startDynalite } from '../../../apigw-websocket/local/dynalite-server.js';
import { ensureTables, type TableNames } from '../../../apigw-websocket/local/tables.js';
import type { FramePoster } from '../../../apigw-websocket/src/management/post.js';
import type { ServerFrame } from '@syncbell/contract';
import { ConnectionGoneError } from '@syncbell/apigw';

/** dynalite in this process with the variant's tables: a real DynamoDB API for unit tests. */
export async function startTestTables(): Promise<{
  ddb: DynamoDBDocumentClient;
  tables: TableNames;
  close(): Promise<void>;
}> {
  const server = await startDynalite();
  const client = new DynamoDBClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const tables: TableNames = {
    connectionsTable: 'connections',
    notificationsTable: 'notifications',
    connectionsByUserIndex: 'byUser',
  };
  await ensureTables(client, tables);
  const ddb = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    ddb,
    tables,
    async close() {
      ddb.destroy();
      await server.close();
    },
  };
}

/** A poster that records frames instead of calling the management API (not under test here). */
export function recordingPoster(gone: ReadonlySet<string> = new Set()): FramePoster & {
  sent: { connectionId: string; frame: ServerFrame }[];
} {
  const sent: { connectionId: string; frame: ServerFrame }[] = [];
  return {
    sent,
    async post(connectionId, frame) {
      if (gone.has(connectionId)) throw new ConnectionGoneError(connectionId);
      sent.push({ connectionId, frame });
    },
  };
}

/** A WebSocket route event as API Gateway sends it (fields the handlers read, plus realistic noise). */
export function webSocketEvent(options: {
  routeKey: '$connect' | '$disconnect' | '$default';
  connectionId?: string;
  body?: string;
  token?: string;
  authorizerUserId?: string;
}): Record<string, unknown> {
  return {
    requestContext: {
      routeKey: options.routeKey,
      eventType:
        options.routeKey === '$connect'
          ? 'CONNECT'
          : options.routeKey === '$disconnect'
            ? 'DISCONNECT'
            : 'MESSAGE',
      connectionId: options.connectionId ?? `${randomUUID()}=`,
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      stage: 'dev',
      apiId: 'abc123',
      requestTimeEpoch: Date.now(),
      ...(options.authorizerUserId === undefined
        ? {}
        : {
            authorizer: {
              principalId: options.authorizerUserId,
              userId: options.authorizerUserId,
              integrationLatency: 12,
            },
          }),
    },
    isBase64Encoded: false,
    ...(options.token === undefined ? {} : { queryStringParameters: { token: options.token } }),
    ...(options.body === undefined ? {} : { body: options.body }),
  };
}

export const noopTelemetry = {
  logger: { info() {}, warn() {}, error() {}, debug() {} },
  count() {},
};
