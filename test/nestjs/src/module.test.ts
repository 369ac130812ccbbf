import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { io as connectSocketIo, type Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { socketIoTransport } from '../../../shared/client/socketio.js';
import { DEV_JWT_SECRET, signToken } from '../../../shared/server/auth/index.js';
import { AuthError, ErrorCode } from '../../../shared/contract/index.js';
import { SyncbellModule } from '../../../nestjs/src/index.js';
import {
  type ConnectTarget,
  connectRecorder,
  type RecordingClient,
  recordingClient,
} from '../../support/recorder.js';
import { ChatGateway, startTestApp, SyncJobs, type TestApp } from '../support/app.js';
import { withCode } from '../../support/errors.js';
import { NestErrorCode } from '../../../nestjs/src/index.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const KEY = new TextEncoder().encode(DEV_JWT_SECRET);

const userClient = {
  ioredis: () => {
    const client = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    return { client, close: () => client.quit().then(() => undefined) };
  },
  'node-redis': () => {
    const client = createClient({ url: REDIS_URL });
    return { client, close: () => client.close() };
  },
} as const;

const syncbellOn = (app: TestApp): ConnectTarget => ({
  url: `${app.url}/syncbell`,
  transport: () => socketIoTransport(),
  token: (userId) => signToken({ userId, key: KEY }),
});

/** A plain socket.io client of the app's own gateway, no syncbell token. */
async function chatClient(app: TestApp): Promise<ClientSocket> {
  const socket = connectSocketIo(app.url, { transports: ['websocket'], forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

// Both clients on the classic adapter; the sharded one (SPUBLISH, Redis 7) on ioredis, the client
// it is recommended with (see the adapter option).
describe.each([
  ['ioredis', 'classic'],
  ['node-redis', 'classic'],
  ['ioredis', 'sharded'],
] as const)('SyncbellModule on %s, %s adapter', (kind, adapter) => {
  const redisA = userClient[kind]();
  const redisB = userClient[kind]();
  let a: TestApp;
  let b: TestApp;
  const clients: RecordingClient[] = [];
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    a = await startTestApp({ redis: redisA.client, adapter, serverId: 'nest-a' });
    b = await startTestApp({ redis: redisB.client, adapter, serverId: 'nest-b' });
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    for (const socket of sockets) socket.disconnect();
    await Promise.all([a?.app.close(), b?.app.close()]);
    await Promise.all([redisA.close(), redisB.close()]);
  });

  it('delivers a job finished on instance B to the browser connected to instance A', async () => {
    const userId = `nest-${randomUUID()}`;
    const browser = await connectRecorder(syncbellOn(a), clients, userId);
    expect(browser.client.servedBy).toBe('nest-a');

    const jobId = randomUUID();
    await b.app.get(SyncJobs).finish(userId, jobId);

    await browser.waitForCount(1);
    expect(browser.received[0]?.notification).toMatchObject({ userId, type: 'sync.complete', jobId });
    expect(browser.received[0]?.meta.replayed).toBe(false);
  });

  it('replays on reconnect what instance B published while the browser was away', async () => {
    const userId = `nest-${randomUUID()}`;
    const first = await connectRecorder(syncbellOn(a), clients, userId);
    await b.app.get(SyncJobs).finish(userId, randomUUID());
    await first.waitForCount(1);
    const lastSeen = first.client.lastSeenId;
    first.close();

    const missedJob = randomUUID();
    await b.app.get(SyncJobs).finish(userId, missedJob);
    const back = await connectRecorder(syncbellOn(b), clients, userId, { resumeAfter: lastSeen });

    await back.waitForCount(1);
    expect(back.received.map((r) => [r.notification.jobId, r.meta.replayed])).toEqual([[missedJob, true]]);
  });

  it("leaves the app's own gateway its events, its clients without tokens and its broadcasts across instances", async () => {
    const userId = `nest-${randomUUID()}`;
    const browser = await connectRecorder(syncbellOn(a), clients, userId);
    const chatOnA = await chatClient(a);
    const chatOnB = await chatClient(b);
    sockets.push(chatOnA, chatOnB);

    const echoed = await chatOnA.timeout(5000).emitWithAck('echo', { hello: 'world' });
    const resumed = await chatOnA.timeout(5000).emitWithAck('resume', {});
    const announced = new Promise((resolve) => chatOnB.once('announce', resolve));
    a.app.get(ChatGateway).announce('from A');

    expect(echoed).toEqual({ echoed: { hello: 'world' } });
    expect(resumed).toMatchObject({ mine: true });
    expect(await announced).toBe('from A');
    // And syncbell still works beside them, with no frame of theirs in its stream.
    await b.app.get(SyncJobs).finish(userId, randomUUID());
    await browser.waitForCount(1);
    expect(browser.errors).toEqual([]);
  });
});

describe('SyncbellModule with your own verify', () => {
  const redis = userClient.ioredis();
  let app: TestApp;
  const clients: RecordingClient[] = [];
  // An app's own session tokens: "session:<user>" (a lookup in a real app).
  const verify = async (token: string) => {
    if (!token.startsWith('session:')) throw new AuthError(ErrorCode.InvalidToken, 'unknown session');
    return { userId: token.slice('session:'.length) };
  };
  const target = (): ConnectTarget => ({
    url: `${app.url}/syncbell`,
    transport: () => socketIoTransport(),
    token: async (userId) => `session:${userId}`,
  });

  beforeAll(async () => {
    app = await startTestApp({ redis: redis.client, verify });
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await app?.app.close();
    await redis.close();
  });

  it('names the user from your verify and delivers to them', async () => {
    const userId = `nest-${randomUUID()}`;
    const browser = await connectRecorder(target(), clients, userId);
    const jobId = randomUUID();

    await app.app.get(SyncJobs).finish(userId, jobId);

    await browser.waitForCount(1);
    expect(browser.received[0]?.notification).toMatchObject({ userId, jobId });
  });

  it('refuses a token your verify rejects, with its code and message', async () => {
    const refused = recordingClient({
      transport: socketIoTransport(),
      url: `${app.url}/syncbell`,
      token: 'stolen',
    });
    clients.push(refused);
    refused.client.connect();

    await refused.waitFor(() => refused.errors.length > 0, 'an error');
    expect(refused.errors[0]).toMatchObject({ code: ErrorCode.InvalidToken, message: 'unknown session' });
  });
});

describe('SyncbellModule set up wrong', () => {
  const redis = userClient.ioredis();
  afterAll(() => redis.close());

  it('refuses to start without SyncbellIoAdapter, saying what to add', async () => {
    const started = startTestApp({ redis: redis.client }, { adapter: false });

    await expect(started).rejects.toThrow(withCode(NestErrorCode.InvalidSetup, 'new SyncbellIoAdapter(app)'));
  });

  it('refuses an unknown variant, naming the ones there are', () => {
    expect(() => SyncbellModule.forRoot({ variant: 'kafka' } as never)).toThrow(
      withCode(NestErrorCode.InvalidSetup, 'socketio', 'apigw', 'kafka'),
    );
  });

  it('refuses the apigw variant without its @connections endpoint, saying where to find it', async () => {
    const started = startTestApp({ variant: 'apigw', apigw: {} as never });

    await expect(started).rejects.toThrow(
      withCode(NestErrorCode.InvalidSetup, 'apigw.managementEndpoint', 'ManagementEndpoint'),
    );
  });

  it('refuses to start without a Redis client, saying what to give', async () => {
    const started = startTestApp({ redis: undefined as never });

    await expect(started).rejects.toThrow(withCode(NestErrorCode.InvalidSetup, '`redis`'));
  });
});

describe('SyncbellModule closing', () => {
  it('closes the subscriber it opened and leaves your client open when the app closes', async () => {
    // A database of its own, so the count sees only this app's connections (CLIENT LIST shows the db).
    const yours = new Redis(REDIS_URL, { db: 7, maxRetriesPerRequest: null });
    const app = await startTestApp({ redis: yours });
    const subscribers = async () =>
      String(await yours.call('CLIENT', 'LIST'))
        .split('\n')
        .filter((line) => line.includes(' db=7 ') && line.includes(' name=syncbell:nestjs:sub ')).length;
    await expect.poll(subscribers).toBe(1);

    await app.app.close();

    await expect.poll(subscribers).toBe(0);
    expect(yours.status).toBe('ready');
    await yours.quit();
  });
});
