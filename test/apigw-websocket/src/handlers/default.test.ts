import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectionsStore } from '../../../../apigw-websocket/src/data/connections.js';
import {
  createNotificationLog,
  type NotificationLog,
} from '../../../../apigw-websocket/src/data/notifications.js';
import { createDefaultHandler } from '../../../../apigw-websocket/src/handlers/default.js';
import {
  createNotification,
  ErrorCode,
  type Notification,
  RECENT_POSITIONS,
  serverFrameSchema,
} from '../../../../shared/contract/index.js';
import { noopTelemetry, recordingPoster, startTestTables, webSocketEvent } from '../../support/fixtures.js';

let tables: Awaited<ReturnType<typeof startTestTables>>;
let log: ReturnType<typeof createNotificationLog>;
let connections: ReturnType<typeof createConnectionsStore>;

beforeAll(async () => {
  tables = await startTestTables();
  log = createNotificationLog({
    client: tables.ddb,
    tableName: tables.tables.notificationsTable,
    ttlSeconds: 3600,
  });
  connections = createConnectionsStore({
    client: tables.ddb,
    tableName: tables.tables.connectionsTable,
    byUserIndex: tables.tables.connectionsByUserIndex,
  });
});
afterAll(() => tables.close());

/** Runs one frame through $default and returns what it posted back. */
async function send(
  body: string,
  options: { userId?: string; connectionId?: string; log?: NotificationLog } = {},
) {
  const poster = recordingPoster();
  const handler = createDefaultHandler(() => ({
    connections,
    log: options.log ?? log,
    telemetry: noopTelemetry,
    posterFor: () => poster,
  }));
  const connectionId = options.connectionId ?? 'conn=';
  const result = await handler(
    webSocketEvent({
      routeKey: '$default',
      connectionId,
      body,
      ...(options.userId === undefined ? {} : { authorizerUserId: options.userId }),
    }),
  );
  expect(result.statusCode).toBe(200);
  expect(poster.sent.every((s) => s.connectionId === connectionId)).toBe(true);
  return poster.sent.map((s) => s.frame);
}

async function seed(userId: string, count: number): Promise<Notification[]> {
  const sent: Notification[] = [];
  for (let i = 0; i < count; i++) {
    const notification = createNotification({ type: 'sync.complete', userId, jobId: `job-${i}` });
    await log.append(notification);
    sent.push(notification);
  }
  return sent;
}

describe('$default', () => {
  it('answers ping with pong and echoes the requestId', async () => {
    expect(await send(JSON.stringify({ action: 'ping', requestId: 'p1' }))).toEqual([
      { type: 'pong', requestId: 'p1', serverTimeMs: expect.any(Number) },
    ]);
  });

  it('puts the newest ids of the user’s log in the pong, read with one eventually consistent Query of 4 items', async () => {
    const sent = await seed('position-user', 6);
    // A job claim sorts before every notification id: it must not be taken for the position.
    await log.claimJob(
      createNotification({ type: 'sync.complete', userId: 'position-user', jobId: 'claimed' }),
    );
    const commands: unknown[] = [];
    const spied = {
      send: (command: unknown) => {
        commands.push(command);
        return tables.ddb.send(command as QueryCommand);
      },
    } as unknown as DynamoDBDocumentClient;
    const positionLog = createNotificationLog({
      client: spied,
      tableName: tables.tables.notificationsTable,
      ttlSeconds: 3600,
    });
    const frames = await send(JSON.stringify({ action: 'ping' }), {
      userId: 'position-user',
      log: positionLog,
    });
    const newestFirst = sent
      .slice(-RECENT_POSITIONS)
      .reverse()
      .map((n) => n.id);
    expect(frames).toEqual([
      { type: 'pong', serverTimeMs: expect.any(Number), latest: sent[5]?.id, recent: newestFirst },
    ]);
    expect(serverFrameSchema.parse(frames[0])).toEqual(frames[0]);
    expect(commands).toHaveLength(1);
    expect(commands[0]).toBeInstanceOf(QueryCommand);
    expect((commands[0] as QueryCommand).input).toMatchObject({
      Limit: RECENT_POSITIONS,
      ScanIndexForward: false,
      ConsistentRead: false,
    });
  });

  it('sends a pong without a position when the user’s log is empty or expired', async () => {
    const [expired] = await seed('expired-position-user', 1);
    await tables.ddb.send(
      new PutCommand({
        TableName: tables.tables.notificationsTable,
        Item: {
          userId: 'expired-position-user',
          id: expired?.id,
          notification: expired,
          ttl: Math.floor(Date.now() / 1000) - 1,
        },
      }),
    );
    for (const userId of ['empty-position-user', 'expired-position-user'])
      expect(await send(JSON.stringify({ action: 'ping' }), { userId })).toEqual([
        { type: 'pong', serverTimeMs: expect.any(Number) },
      ]);
  });

  it('still answers the ping when the position cannot be read', async () => {
    const failing: NotificationLog = {
      ...log,
      recent: async () => {
        throw new Error('ProvisionedThroughputExceededException');
      },
    };
    expect(await send(JSON.stringify({ action: 'ping' }), { userId: 'anyone', log: failing })).toEqual([
      { type: 'pong', serverTimeMs: expect.any(Number) },
    ]);
  });

  it('replays what the user missed after `after`, in order', async () => {
    const sent = await seed('replay-user', 4);
    const frames = await send(JSON.stringify({ action: 'resume', after: sent[0]?.id, requestId: 'r1' }), {
      userId: 'replay-user',
    });
    expect(frames).toEqual([
      expect.objectContaining({
        type: 'replay',
        requestId: 'r1',
        notifications: sent.slice(1),
        truncated: false,
      }),
    ]);
  });

  it('flags an unknown `after` as truncated and returns the newer entries', async () => {
    const sent = await seed('truncated-user', 2);
    const frames = await send(JSON.stringify({ action: 'resume', after: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }), {
      userId: 'truncated-user',
    });
    expect(frames).toEqual([
      expect.objectContaining({ type: 'replay', notifications: sent, truncated: true }),
    ]);
  });

  it('treats expired log rows as gone even though dynalite never deletes them', async () => {
    const [first, second] = await seed('ttl-user', 2);
    if (!first || !second) throw new Error('seed failed');
    // Expire `second` by hand: the read must filter it out.
    await tables.ddb.send(
      new PutCommand({
        TableName: tables.tables.notificationsTable,
        Item: {
          userId: 'ttl-user',
          id: second.id,
          notification: second,
          ttl: Math.floor(Date.now() / 1000) - 1,
        },
      }),
    );
    const frames = await send(JSON.stringify({ action: 'resume', after: first.id }), { userId: 'ttl-user' });
    expect(frames).toEqual([expect.objectContaining({ notifications: [], truncated: false })]);
  });

  it('takes the user from the $connect row when there is no authorizer context', async () => {
    const sent = await seed('row-user', 2);
    await connections.put('row-conn=', 'row-user');
    const frames = await send(JSON.stringify({ action: 'resume', after: sent[0]?.id }), {
      connectionId: 'row-conn=',
    });
    expect(frames).toEqual([expect.objectContaining({ notifications: sent.slice(1) })]);
  });

  it('answers resume on an unknown, unauthenticated connection with invalid_token', async () => {
    const frames = await send(JSON.stringify({ action: 'resume' }), { connectionId: 'nobody=' });
    expect(frames).toEqual([expect.objectContaining({ type: 'error', code: ErrorCode.InvalidToken })]);
  });

  it.each([
    ['malformed JSON', '{"action": "ping"', ErrorCode.BadRequest],
    ['a JSON array', '[1,2]', ErrorCode.BadRequest],
    ['a frame without action', '{"after":"x"}', ErrorCode.BadRequest],
    ['an unknown action', '{"action":"subscribe","room":"user:bob"}', ErrorCode.UnknownAction],
    ['a resume with a bad id', '{"action":"resume","after":"not-a-ulid"}', ErrorCode.BadRequest],
    ['a resume claiming another user', '{"action":"resume","userId":"bob"}', ErrorCode.BadRequest],
    [
      'an oversize frame',
      JSON.stringify({ action: 'ping', pad: 'x'.repeat(8192) }),
      ErrorCode.PayloadTooLarge,
    ],
  ])('answers %s with an error frame instead of failing', async (_label, body, code) => {
    expect(await send(body, { userId: 'anyone' })).toEqual([
      expect.objectContaining({ type: 'error', code }),
    ]);
  });
});
