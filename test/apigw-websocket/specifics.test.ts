import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishNotification } from '../../apigw-websocket/src/notify/publish.js';
import { CloseCode, createNotification, ErrorCode } from '@syncbell/contract';
import { uniqueUser } from '../support/unique-user.js';
import type { RecordingClient } from '../support/recorder.js';
import { type ApigwHarness, createApigwHarness, silentTelemetry } from './support/harness.js';
import { connected } from './support/clients.js';
import { openRawSocket, type RawSocket, refusedStatus } from './support/raw-socket.js';

/**
 * API Gateway-only behaviour through serverless-offline + dynalite with real sockets. The
 * emulated idle timeout is shrunk to 2 s, so every SDK client here lives on its keep-alive.
 */
const IDLE_TIMEOUT_SECONDS = 2;
const KEEP_ALIVE_MS = 800;
/** As generous as the interval allows: a slow pong on a loaded machine must not read as a dead peer. */
const PONG_TIMEOUT_MS = 700;

let harness: ApigwHarness;
const clients: RecordingClient[] = [];
const sockets: RawSocket[] = [];

beforeAll(async () => {
  harness = await createApigwHarness({
    idleTimeoutSeconds: IDLE_TIMEOUT_SECONDS,
    transport: { keepAliveIntervalMs: KEEP_ALIVE_MS, pongTimeoutMs: PONG_TIMEOUT_MS },
  });
});
afterAll(async () => {
  for (const recorder of clients) recorder.close();
  for (const socket of sockets) socket.close();
  await harness?.stop();
});

const connect = (userId: string) => connected(harness, clients, userId);

async function raw(userId: string): Promise<RawSocket> {
  const socket = await openRawSocket(harness.rawSocketUrl(await harness.token(userId)));
  sockets.push(socket);
  return socket;
}

const publish = (notification: ReturnType<typeof createNotification>) =>
  publishNotification(
    {
      ddb: harness.ddb,
      management: harness.management,
      config: harness.config,
      telemetry: silentTelemetry(),
    },
    notification,
  );

describe('apigw-websocket through serverless-offline', () => {
  it('keeps an SDK connection open past the idle timeout with its keep-alive', async () => {
    const userId = uniqueUser();
    const recorder = await connect(userId);
    // Two raw sockets in a row that send nothing: each is closed by the idle timeout, so when
    // the second closes the SDK connection has lived through at least two idle periods.
    for (let i = 0; i < 2; i++) {
      const idle = await raw(uniqueUser('idle'));
      expect((await idle.closed).code).toBe(CloseCode.GoingAway);
    }
    expect(recorder.states).toEqual(['connecting', 'connected']);
    const sent = await harness.publish(userId);
    await recorder.waitForCount(1);
    expect(recorder.received[0]?.notification.id).toBe(sent.id);
    expect(recorder.states).toEqual(['connecting', 'connected']);
  });

  it('delivers to every one of a user’s three connections', async () => {
    const userId = uniqueUser();
    const three = [await connect(userId), await connect(userId), await connect(userId)];
    const result = await publish(createNotification({ type: 'sync.complete', userId, jobId: 'fan-out' }));
    expect(result).toEqual({ delivered: 3, gone: 0, failed: 0 });
    for (const recorder of three) await recorder.waitForCount(1);
    expect(three.map((r) => r.received[0]?.notification.jobId)).toEqual(['fan-out', 'fan-out', 'fan-out']);
  });

  it('deletes a stale connection row on its first 410 and leaves every other row alone', async () => {
    const userId = uniqueUser();
    const other = uniqueUser('other');
    const live = await connect(userId);
    const otherClient = await connect(other);
    // A client that vanished without $disconnect (best-effort on AWS): its row outlived it.
    const staleId = 'stale-connection-id=';
    await harness.ddb.send(
      new PutCommand({
        TableName: harness.config.connectionsTable,
        Item: {
          connectionId: staleId,
          userId,
          connectedAtMs: Date.now(),
          ttl: Math.floor(Date.now() / 1000) + 3600,
        },
      }),
    );

    const result = await publish(createNotification({ type: 'sync.complete', userId, jobId: 'stale' }));

    expect(result).toEqual({ delivered: 1, gone: 1, failed: 0 });
    const staleRow = await harness.ddb.send(
      new GetCommand({ TableName: harness.config.connectionsTable, Key: { connectionId: staleId } }),
    );
    expect(staleRow.Item).toBeUndefined();
    await live.waitForCount(1);
    // The live connection and another user's are still registered and still delivered to.
    const again = await publish(createNotification({ type: 'sync.complete', userId, jobId: 'after-stale' }));
    expect(again).toEqual({ delivered: 1, gone: 0, failed: 0 });
    await harness.publish(other, { jobId: 'for-other' });
    await otherClient.waitForCount(1);
    expect(otherClient.received.map((r) => r.notification.jobId)).toEqual(['for-other']);
  });

  it('refuses bad, expired and unsigned tokens at the upgrade (HTTP 403 from the authorizer)', async () => {
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('mallory')
      .setIssuer('syncbell')
      .setAudience('syncbell:notifications')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('not-the-server-secret-but-long-enough-0123456789'));
    const expired = await harness.token(uniqueUser(), { expiresInSeconds: -10 });
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ sub: 'mallory', iss: 'syncbell', aud: 'syncbell:notifications', exp: 4_102_444_800 }),
    ).toString('base64url')}.`;
    expect(await refusedStatus(harness.rawSocketUrl(forged))).toBe(403);
    expect(await refusedStatus(harness.rawSocketUrl(expired))).toBe(403);
    expect(await refusedStatus(harness.rawSocketUrl(none))).toBe(403);
    expect(await refusedStatus(harness.url)).toBe(403);
  });

  it('answers malformed JSON, an unknown action and an oversize frame with error frames and keeps the connection', async () => {
    const socket = await raw(uniqueUser());
    socket.send('{not json');
    expect(await socket.waitForFrame((f) => f.type === 'error')).toMatchObject({
      code: ErrorCode.BadRequest,
    });
    socket.send(JSON.stringify({ action: 'subscribe', requestId: 'u1', room: 'user:bob' }));
    expect(await socket.waitForFrame((f) => f.type === 'error' && f.requestId === 'u1')).toMatchObject({
      code: ErrorCode.UnknownAction,
    });
    socket.send(JSON.stringify({ action: 'ping', pad: 'x'.repeat(64 * 1024) }));
    expect(
      await socket.waitForFrame((f) => f.type === 'error' && f.code === ErrorCode.PayloadTooLarge),
    ).toBeDefined();
    socket.send(JSON.stringify({ action: 'ping', requestId: 'still-here' }));
    expect(await socket.waitForFrame((f) => f.type === 'pong' && f.requestId === 'still-here')).toBeDefined();
  });

  it('refuses a resume frame that names another user: the user comes only from the token', async () => {
    const alice = uniqueUser('alice');
    const bob = uniqueUser('bob');
    const bobFirst = await harness.publish(bob, { jobId: 'bob-secret-0' });
    await harness.publish(bob, { jobId: 'bob-secret-1' });
    const socket = await raw(alice);
    socket.send(JSON.stringify({ action: 'resume', requestId: 'steal', userId: bob, after: bobFirst.id }));
    expect(await socket.waitForFrame((f) => 'requestId' in f && f.requestId === 'steal')).toMatchObject({
      type: 'error',
      code: ErrorCode.BadRequest,
    });
    // The same resume without the extra field replays Alice's (empty) log, not Bob's.
    socket.send(JSON.stringify({ action: 'resume', requestId: 'own', after: bobFirst.id }));
    expect(await socket.waitForFrame((f) => 'requestId' in f && f.requestId === 'own')).toMatchObject({
      type: 'replay',
      notifications: [],
      truncated: true,
    });
  });
});
