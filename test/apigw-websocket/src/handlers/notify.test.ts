import type {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../apigw-websocket/src/config.js';
import { createConnectionsStore } from '../../../../apigw-websocket/src/data/connections.js';
import { createNotifyHandler } from '../../../../apigw-websocket/src/handlers/notify.js';
import { ErrorCode, serverFrameSchema } from '../../../../shared/contract/index.js';
import { noopTelemetry, startTestTables } from '../../support/fixtures.js';

let tables: Awaited<ReturnType<typeof startTestTables>>;
beforeAll(async () => {
  tables = await startTestTables();
});
afterAll(() => tables.close());

describe('notify handler', () => {
  it('waits out the job, then publishes a contract envelope to the user’s connections', async () => {
    await createConnectionsStore({
      client: tables.ddb,
      tableName: tables.tables.connectionsTable,
      byUserIndex: tables.tables.connectionsByUserIndex,
    }).put('n1=', 'nora');
    const posted: string[] = [];
    const management = {
      async send(command: PostToConnectionCommand) {
        posted.push(new TextDecoder().decode(command.input.Data as Uint8Array));
        return {};
      },
    } as unknown as ApiGatewayManagementApiClient;
    const slept: number[] = [];
    const config = loadConfig({
      CONNECTIONS_TABLE: tables.tables.connectionsTable,
      NOTIFICATIONS_TABLE: tables.tables.notificationsTable,
    });
    const notify = createNotifyHandler(() => ({
      ddb: tables.ddb,
      management,
      config,
      telemetry: noopTelemetry,
      sleep: async (ms) => {
        slept.push(ms);
      },
    }));

    const result = await notify({
      userId: 'nora',
      jobId: 'job-9',
      type: 'sync.complete',
      data: { durationMs: 1500 },
      delayMs: 1500,
    });

    expect(slept).toEqual([1500]);
    expect(result).toMatchObject({ delivered: 1, gone: 0, failed: 0 });
    const frame = serverFrameSchema.parse(JSON.parse(posted[0] ?? ''));
    expect(frame).toMatchObject({
      type: 'notification',
      notification: {
        id: result.notificationId,
        userId: 'nora',
        jobId: 'job-9',
        type: 'sync.complete',
        data: { durationMs: 1500 },
      },
    });
    expect(result.duplicate).toBe(false);

    // Lambda delivers the async event again: the first envelope is posted again, under its id.
    const again = await notify({
      userId: 'nora',
      jobId: 'job-9',
      type: 'sync.complete',
      data: { durationMs: 1500 },
    });
    expect(again).toMatchObject({ notificationId: result.notificationId, duplicate: true, delivered: 1 });
    expect(serverFrameSchema.parse(JSON.parse(posted[1] ?? ''))).toMatchObject({
      notification: { id: result.notificationId, type: 'sync.complete' },
    });
    // Another payload under the job's id is not a redelivery: refused, nothing posted.
    await expect(notify({ userId: 'nora', jobId: 'job-9', type: 'sync.failed' })).rejects.toMatchObject({
      code: ErrorCode.Conflict,
    });
    expect(posted).toHaveLength(2);
  });

  it('rejects an event that does not match the schema', async () => {
    const notify = createNotifyHandler(() => {
      throw new Error('must not build dependencies for a bad event');
    });
    await expect(notify({ userId: 'nora', jobId: 'j', type: 'sync.maybe' })).rejects.toThrow(/type/);
  });
});
