import {
  type ApiGatewayManagementApiClient,
  ForbiddenException,
  GoneException,
  LimitExceededException,
  type PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectionsStore } from '../../../../apigw-websocket/src/data/connections.js';
import { publishNotification } from '../../../../apigw-websocket/src/notify/publish.js';
import { createNotification, serverFrameSchema } from '../../../../shared/contract/index.js';
import { silentTelemetry } from '../../support/harness.js';
import { startTestTables } from '../../support/fixtures.js';

let tables: Awaited<ReturnType<typeof startTestTables>>;
let connections: ReturnType<typeof createConnectionsStore>;

beforeAll(async () => {
  tables = await startTestTables();
  connections = createConnectionsStore({
    client: tables.ddb,
    tableName: tables.tables.connectionsTable,
    byUserIndex: tables.tables.connectionsByUserIndex,
  });
});
afterAll(() => tables.close());

/**
 * A management API stand-in scripted per connection (the API itself is exercised through
 * serverless-offline in specifics.test.ts; here the point is what publish does with each answer).
 */
function scriptedManagement(script: Record<string, Error[]>) {
  const posted: { connectionId: string; data: string }[] = [];
  const client = {
    async send(command: PostToConnectionCommand) {
      const connectionId = command.input.ConnectionId ?? '';
      const failure = script[connectionId]?.shift();
      if (failure) throw failure;
      posted.push({ connectionId, data: new TextDecoder().decode(command.input.Data as Uint8Array) });
      return {};
    },
  };
  return { client: client as unknown as ApiGatewayManagementApiClient, posted };
}

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });
const config = () => ({ ...tables.tables, replayTtlSeconds: 3600, notifyConcurrency: 2 });

describe('publishNotification', () => {
  it('appends to the user log, posts to each live connection and skips expired rows and other users', async () => {
    await connections.put('a1=', 'alice');
    await connections.put('a2=', 'alice');
    await connections.put('b1=', 'bob');
    // An expired row that dynalite never removed: it must not be posted to.
    const expired = createConnectionsStore({
      client: tables.ddb,
      tableName: tables.tables.connectionsTable,
      byUserIndex: tables.tables.connectionsByUserIndex,
      now: () => Date.now() - 3 * 3600 * 1000,
    });
    await expired.put('a-old=', 'alice');
    const management = scriptedManagement({});
    const notification = createNotification({ type: 'sync.complete', userId: 'alice', jobId: 'j1' });

    const result = await publishNotification(
      { ddb: tables.ddb, management: management.client, config: config(), telemetry: silentTelemetry() },
      notification,
    );

    expect(result).toEqual({ delivered: 2, gone: 0, failed: 0 });
    expect(management.posted.map((p) => p.connectionId).sort()).toEqual(['a1=', 'a2=']);
    for (const post of management.posted) {
      expect(serverFrameSchema.parse(JSON.parse(post.data))).toEqual({ type: 'notification', notification });
    }
    const logged = await tables.ddb.send(
      new QueryCommand({
        TableName: tables.tables.notificationsTable,
        KeyConditionExpression: 'userId = :u',
        ExpressionAttributeValues: { ':u': 'alice' },
      }),
    );
    expect(logged.Items?.map((item) => item.notification)).toEqual([notification]);
    expect(logged.Items?.[0]?.ttl).toBe(Math.floor(notification.createdAtMs / 1000) + 3600);
  });

  it('deletes only the connection that answered 410, retries throttling, and reports other failures', async () => {
    await connections.put('g-gone=', 'gina');
    await connections.put('g-throttled=', 'gina');
    await connections.put('g-forbidden=', 'gina');
    await connections.put('g-ok=', 'gina');
    const management = scriptedManagement({
      'g-gone=': [new GoneException({ message: 'gone', ...meta(410) })],
      'g-throttled=': [
        new LimitExceededException({ message: 'slow down', ...meta(429) }),
        new LimitExceededException({ message: 'slow down', ...meta(429) }),
      ],
      'g-forbidden=': [new ForbiddenException({ message: 'no', ...meta(403) })],
    });
    const telemetry = silentTelemetry();
    const errors: unknown[] = [];
    telemetry.logger.error = (...args: unknown[]) => {
      errors.push(args);
    };

    const result = await publishNotification(
      { ddb: tables.ddb, management: management.client, config: config(), telemetry },
      createNotification({ type: 'sync.failed', userId: 'gina', jobId: 'j2' }),
    );

    expect(result).toEqual({ delivered: 2, gone: 1, failed: 1 });
    expect(management.posted.map((p) => p.connectionId).sort()).toEqual(['g-ok=', 'g-throttled=']);
    expect(telemetry.counts.get('PostsThrottled')).toBe(2);
    expect(errors).toHaveLength(1);
    const row = (id: string) =>
      tables.ddb.send(
        new GetCommand({ TableName: tables.tables.connectionsTable, Key: { connectionId: id } }),
      );
    expect((await row('g-gone=')).Item).toBeUndefined();
    for (const id of ['g-throttled=', 'g-forbidden=', 'g-ok=']) expect((await row(id)).Item).toBeDefined();
  });

  it('treats any 410 as gone, whatever the error is called (serverless-offline does not say GoneException)', async () => {
    await connections.put('h-gone=', 'hank');
    const offlineStyle = Object.assign(new Error('UnknownError'), { name: 'Error', ...meta(410) });
    const management = scriptedManagement({ 'h-gone=': [offlineStyle] });
    const result = await publishNotification(
      { ddb: tables.ddb, management: management.client, config: config(), telemetry: silentTelemetry() },
      createNotification({ type: 'sync.complete', userId: 'hank', jobId: 'j3' }),
    );
    expect(result).toEqual({ delivered: 0, gone: 1, failed: 0 });
  });
});
