import { execFile } from 'node:child_process';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import express from 'express';
import { Registry } from 'prom-client';
import { Server } from 'socket.io';
import { io as ioClient, type Socket as ClientSocket } from 'socket.io-client';
import { createClient } from 'redis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { socketIoTransport } from '../../../../shared/client/socketio.js';
import { ErrorCode, keepAliveAnswerSchema, SocketEvent } from '../../../../shared/contract/index.js';
import { DEV_SECRET_WARNING, signToken } from '../../../../shared/server/index.js';
import {
  attachSyncbell,
  type AttachSyncbellOptions,
  type SyncbellAttachment,
  type SyncbellLogger,
} from '../../../../ecs-socketio/src/attach/attach.js';
import { syncbellAdapter } from '../../../../ecs-socketio/src/adapter.js';
import { createRedis } from '../../../../ecs-socketio/container/redis-connection.js';
import type { RedisLike } from '../../../../ecs-socketio/src/redis-client.js';
import { replayLogKey } from '../../../../ecs-socketio/src/replay-log.js';
import { createSocketIoPublisher } from '../../../../ecs-socketio/src/socketio-publisher.js';
import { uniqueUser } from '../../../support/unique-user.js';
import { connectRecorder, type RecordingClient } from '../../../support/recorder.js';
import { createTestRedis, TEST_JWT_KEY } from '../../support/harness.js';
import { withCode } from '../../../support/errors.js';
import { ServerErrorCode } from '../../../../shared/server/index.js';

// A user's own app: its own HTTP server (plain or Express), port, socket.io path and handlers,
// with syncbell attached to its Server and the suite's Redis client (node-redis or ioredis)
// passed in as the raw client the app would hold.
const PATH = '/custom/socket.io';
const PUBLISH_ONCE = fileURLToPath(new URL('./fixtures/publish-once.ts', import.meta.url));
const run = promisify(execFile);

interface UserApp {
  url: string;
  io: Server;
  http: HttpServer;
  syncbell: SyncbellAttachment;
  pub: RedisLike;
  sub: RedisLike;
  stop(): Promise<void>;
}

const apps: UserApp[] = [];
const clients: RecordingClient[] = [];
const rawClients: ClientSocket[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const socket of rawClients.splice(0)) socket.disconnect();
  await Promise.all(apps.splice(0).map((app) => app.stop()));
});

async function startUserApp({
  withExpress = false,
  namespace,
  sharded = false,
  options = {},
}: {
  withExpress?: boolean;
  namespace?: string;
  /** The sharded adapter, on ioredis whatever the suite's client (syncbell refuses it on node-redis). */
  sharded?: boolean;
  options?: Partial<AttachSyncbellOptions>;
} = {}): Promise<UserApp> {
  const pub = sharded
    ? createRedis({ url: process.env.REDIS_URL ?? '', name: 'syncbell:test', client: 'ioredis' })
    : createTestRedis();
  const sub = pub.duplicate('syncbell:test:sub');
  sub.on('error', () => undefined);
  const app = withExpress ? express() : undefined;
  app?.get('/hello', (_req, res) => {
    res.json({ hello: 'world' });
  });
  const http = app ? createServer(app) : createServer();
  const io = new Server(http, {
    path: PATH,
    transports: ['websocket'],
    adapter: syncbellAdapter({ pub: pub.client, sub: sub.client, kind: sharded ? 'sharded' : 'classic' }),
  });
  // The app's own handler, on the same Server.
  io.on('connection', (socket) => {
    socket.on('echo', (value: unknown, ack: (value: unknown) => void) => ack({ echoed: value }));
  });
  const syncbell = attachSyncbell(namespace ? io.of(namespace) : io, {
    jwtKey: TEST_JWT_KEY,
    redis: pub.client,
    subscriber: sub.client,
    adapter: sharded ? 'sharded' : 'classic',
    ...options,
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const userApp: UserApp = {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}${namespace ?? ''}`,
    io,
    http,
    syncbell,
    pub,
    sub,
    async stop() {
      await syncbell.close();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await sub.call('PING').catch(() => undefined);
      await Promise.all([pub.quit(), sub.quit()]);
    },
  };
  apps.push(userApp);
  return userApp;
}

function publisherOf(app: UserApp) {
  if (!app.syncbell.publisher) throw new Error('attached with redis: a publisher is expected');
  return app.syncbell.publisher;
}

const connectUser = (url: string, userId: string, extra: { resumeAfter?: string } = {}) =>
  connectRecorder(
    {
      url,
      transport: () => socketIoTransport({ path: PATH }),
      token: (id) => signToken({ userId: id, key: TEST_JWT_KEY }),
    },
    clients,
    userId,
    extra,
  );

function rawConnect(url: string, token: string): Promise<ClientSocket> {
  const socket = ioClient(url, { path: PATH, transports: ['websocket'], auth: { token }, forceNew: true });
  rawClients.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

describe('attachSyncbell on the app’s own http server and socket.io Server', () => {
  it('delivers what a separate publisher publishes to a client on the app’s own path', async () => {
    const app = await startUserApp();
    const userId = uniqueUser('attach');
    const recorder = await connectUser(app.url, userId);
    const publisherRedis = createTestRedis();
    try {
      const publisher = createSocketIoPublisher({ redis: publisherRedis.client });
      const { id } = await publisher.publish({ userId, type: 'sync.complete', jobId: 'attach-1' });
      await recorder.waitForCount(1);
      expect(recorder.received[0]?.notification).toMatchObject({ id, userId, jobId: 'attach-1' });
    } finally {
      await publisherRedis.quit();
    }
  });

  it('delivers what a publisher in another process publishes', async () => {
    const app = await startUserApp();
    const userId = uniqueUser('attach');
    const recorder = await connectUser(app.url, userId);

    const { stdout } = await run(process.execPath, ['--import', 'tsx', PUBLISH_ONCE, userId], {
      env: process.env,
    });

    await recorder.waitForCount(1);
    expect(recorder.received[0]?.notification.id).toBe(JSON.parse(stdout).id);
  });

  it('replays on resume what the user missed while away', async () => {
    const app = await startUserApp();
    const userId = uniqueUser('attach');
    const first = await connectUser(app.url, userId);
    const publisher = publisherOf(app);
    const seen = await publisher.publish({ userId, type: 'sync.complete', jobId: 'seen' });
    await first.waitForCount(1);
    first.close();
    const missed = await publisher.publish({ userId, type: 'sync.complete', jobId: 'missed' });

    const second = await connectUser(app.url, userId, { resumeAfter: seen.id });

    expect(second.received.map((r) => r.notification.id)).toEqual([missed.id]);
  });

  it('keeps the replay log under a custom keyPrefix: the attachment’s publisher and a separate one write it, resume reads it', async () => {
    const keyPrefix = `custom-log-${process.pid}:`;
    const app = await startUserApp({ options: { replay: { keyPrefix } } });
    const userId = uniqueUser('prefix');
    const first = await connectUser(app.url, userId);
    const seen = await publisherOf(app).publish({ userId, type: 'sync.complete', jobId: 'seen' });
    await first.waitForCount(1);
    first.close();
    const separate = createSocketIoPublisher({ redis: app.pub.client, replay: { keyPrefix } });
    const missed = [
      await publisherOf(app).publish({ userId, type: 'sync.complete', jobId: 'missed-1' }),
      await separate.publish({ userId, type: 'sync.complete', jobId: 'missed-2' }),
    ];

    const second = await connectUser(app.url, userId, { resumeAfter: seen.id });

    expect(second.received.map((r) => r.notification.id)).toEqual(missed.map((m) => m.id));
    expect(second.received.every((r) => r.meta.replayed)).toBe(true);
    expect(await app.pub.call('XLEN', replayLogKey(userId, keyPrefix))).toBe(3);
    expect(await app.pub.call('EXISTS', replayLogKey(userId))).toBe(0);
  });

  it('leaves the app’s own event handlers on the same Server working, and still refuses unknown events', async () => {
    const app = await startUserApp();
    const socket = await rawConnect(
      app.url,
      await signToken({ userId: uniqueUser('attach'), key: TEST_JWT_KEY }),
    );

    const echoed = await socket.emitWithAck('echo', 'hi');
    const unknown = await socket.emitWithAck('nobody-handles-this', 1);

    expect(echoed).toEqual({ echoed: 'hi' });
    expect(unknown).toMatchObject({ code: ErrorCode.UnknownAction });
  });

  it('refuses a handshake without a valid token with the contract’s error frame', async () => {
    const app = await startUserApp();
    const error = await rawConnect(app.url, 'not-a-jwt').then(
      () => undefined,
      (e: Error & { data?: unknown }) => e.data,
    );
    expect(error).toMatchObject({ code: ErrorCode.InvalidToken });
  });

  it('serves its own namespace beside the app’s handlers, and the publisher reaches it there', async () => {
    const app = await startUserApp({ namespace: '/syncbell' });
    const userId = uniqueUser('attach');
    const recorder = await connectUser(app.url, userId);
    const plain = await rawConnect(app.url.replace('/syncbell', ''), 'the app does its own auth on /');

    const { id } = await createSocketIoPublisher({ redis: app.pub, namespace: '/syncbell' }).publish({
      userId,
      type: 'sync.complete',
      jobId: 'nsp',
    });

    await recorder.waitForCount(1);
    expect(recorder.received[0]?.notification.id).toBe(id);
    expect(await plain.emitWithAck('echo', 1)).toEqual({ echoed: 1 });
  });

  it.each([
    ['the classic adapter', {}],
    ['the sharded adapter, on a namespace of its own', { sharded: true, namespace: '/syncbell' }],
  ])('delivers across two attached servers on one Redis, with %s', async (_what, setup) => {
    const [a, b] = [await startUserApp(setup), await startUserApp(setup)];
    const userId = uniqueUser('cross');
    const recorder = await connectUser(b.url, userId);

    const { id } = await publisherOf(a).publish({ userId, type: 'sync.complete', jobId: 'cross' });

    await recorder.waitForCount(1);
    expect(recorder.received[0]?.notification.id).toBe(id);
  });

  it.each([
    ['the classic adapter', {}],
    ['the sharded adapter', { sharded: true }],
  ])('answers the keep-alive with the user’s log position, with %s', async (_what, setup) => {
    const app = await startUserApp(setup);
    const userId = uniqueUser('keep-alive');
    const socket = await rawConnect(app.url, await signToken({ userId, key: TEST_JWT_KEY }));
    const empty = await socket.emitWithAck(SocketEvent.KeepAlive, {});
    const older = await publisherOf(app).publish({ userId, type: 'sync.complete', jobId: 'older' });
    const newest = await publisherOf(app).publish({ userId, type: 'sync.complete', jobId: 'newest' });
    // Another user's newer notification is never this user's position.
    await publisherOf(app).publish({ userId: uniqueUser('other'), type: 'sync.complete', jobId: 'x' });

    const answer = await socket.emitWithAck(SocketEvent.KeepAlive, {});

    expect(empty).toEqual({ serverTimeMs: expect.any(Number) });
    expect(keepAliveAnswerSchema.parse(answer)).toEqual({
      serverTimeMs: expect.any(Number),
      latest: newest.id,
      recent: [newest.id, older.id],
    });
  });

  it('refuses a keep-alive without one request object on the ack, and keeps answering the next', async () => {
    const app = await startUserApp();
    const socket = await rawConnect(
      app.url,
      await signToken({ userId: uniqueUser('keep-alive'), key: TEST_JWT_KEY }),
    );

    const answers = [
      await socket.emitWithAck(SocketEvent.KeepAlive, {}, 'extra'),
      await socket.emitWithAck(SocketEvent.KeepAlive, 'not an object'),
      await socket.emitWithAck(SocketEvent.KeepAlive, {}),
    ];

    expect(answers).toEqual([
      expect.objectContaining({ code: ErrorCode.BadRequest }),
      expect.objectContaining({ code: ErrorCode.BadRequest }),
      { serverTimeMs: expect.any(Number) },
    ]);
  });

  it('puts its metrics into the registry the app passes', async () => {
    const registry = new Registry();
    const app = await startUserApp({ options: { registry } });
    await connectUser(app.url, uniqueUser('attach'));
    expect(await registry.getSingleMetricAsString('syncbell_connections')).toMatch(/syncbell_connections 1/);
  });

  it('close() leaves the app’s Server and Redis clients working', async () => {
    const app = await startUserApp({ namespace: '/syncbell' });
    const recorder = await connectUser(app.url, uniqueUser('attach'));
    await app.syncbell.close();
    await recorder.waitFor(() => recorder.client.state !== 'connected', 'the syncbell socket to go');
    recorder.close();
    const plain = await rawConnect(app.url.replace('/syncbell', ''), 'x');
    expect(await plain.emitWithAck('echo', 2)).toEqual({ echoed: 2 });
    expect(await app.pub.call('PING')).toBe('PONG');
  });
});

describe('attachSyncbell with Express', () => {
  it('serves the app’s routes and delivers to a client on the same port', async () => {
    const app = await startUserApp({ withExpress: true });
    const userId = uniqueUser('express');
    const recorder = await connectUser(app.url, userId);

    const hello = await fetch(`${app.url}/hello`).then((r) => r.json());
    const { id } = await publisherOf(app).publish({
      userId,
      type: 'sync.complete',
      jobId: 'express',
    });

    expect(hello).toEqual({ hello: 'world' });
    await recorder.waitForCount(1);
    expect(recorder.received[0]?.notification.id).toBe(id);
  });
});

describe('attachSyncbell options', () => {
  const io = () => new Server(createServer());
  it.each([
    ['both jwtKey and verify', { jwtKey: TEST_JWT_KEY, verify: async () => ({ userId: 'u' }) }],
    ['a short jwtKey', { jwtKey: 'short' }],
    ['a frame budget of 0', { jwtKey: TEST_JWT_KEY, maxFramesPerSecond: 0 }],
    ['a fractional connection limit', { jwtKey: TEST_JWT_KEY, maxConnectionsPerAddress: 1.5 }],
    ['an unknown adapter', { jwtKey: TEST_JWT_KEY, adapter: 'memory' as 'classic' }],
    ['a handshake bound of 0', { jwtKey: TEST_JWT_KEY, maxHandshakesInFlight: 0 }],
    ['a fractional lag bound', { jwtKey: TEST_JWT_KEY, maxEventLoopLagMs: 2.5 }],
  ])('throws ConfigError for %s', (_what, options) => {
    expect(() => attachSyncbell(io(), options)).toThrow(withCode(ServerErrorCode.InvalidConfig));
  });

  it('refuses maxConnectsPerSecond on a namespace whose Server has no HTTP server yet: the 503 is answered in front of engine.io', () => {
    expect(() =>
      attachSyncbell(new Server().of('/paced'), { jwtKey: TEST_JWT_KEY, maxConnectsPerSecond: 5 }),
    ).toThrow(withCode(ServerErrorCode.InvalidConfig, 'maxConnectsPerSecond'));
  });

  it('without jwtKey or verify: refused when NODE_ENV=production, else the development secret with one warning per process', async () => {
    const flag = Symbol.for('syncbell.devSecretWarned');
    delete (globalThis as Record<symbol, unknown>)[flag];
    const warnings: string[] = [];
    const logger = {
      info() {},
      error() {},
      warn: (_obj: unknown, message?: string) => {
        warnings.push(message ?? '');
      },
    } as unknown as SyncbellLogger;
    vi.stubEnv('JWT_SECRET', '');
    try {
      vi.stubEnv('NODE_ENV', 'production');
      expect(() => attachSyncbell(io(), { logger })).toThrow(withCode(ServerErrorCode.InvalidConfig));
      vi.stubEnv('NODE_ENV', 'development');
      const first = attachSyncbell(io(), { logger });
      const second = attachSyncbell(io(), { logger });
      expect(warnings).toEqual([DEV_SECRET_WARNING]);
      await Promise.all([first.close(), second.close()]);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("throws ConfigError for the sharded adapter on a node-redis subscriber with Node's write threshold, leaving the registry unused", async () => {
    const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const plain = createClient({ url });
    const tuned = createRedis({ url, name: 'syncbell:test', client: 'node-redis' });
    const registry = new Registry();
    try {
      expect(() =>
        attachSyncbell(io(), { jwtKey: TEST_JWT_KEY, subscriber: plain, adapter: 'sharded', registry }),
      ).toThrow(withCode(ServerErrorCode.InvalidConfig, 'writableHighWaterMark'));
      // The client syncbell creates, and a duplicate of it (what a subscriber usually is), pass.
      expect(() =>
        attachSyncbell(io(), { jwtKey: TEST_JWT_KEY, subscriber: tuned, adapter: 'sharded', registry }),
      ).not.toThrow();
      const duplicate = (tuned.client as ReturnType<typeof createClient>).duplicate();
      expect(() =>
        attachSyncbell(io(), {
          jwtKey: TEST_JWT_KEY,
          subscriber: duplicate,
          adapter: 'sharded',
          registry: new Registry(),
        }),
      ).not.toThrow();
      await duplicate.close().catch(() => undefined);
    } finally {
      await plain.close().catch(() => undefined);
      tuned.disconnect();
    }
  });

  it('throws ConfigError when attached twice to one namespace', () => {
    const server = io();
    attachSyncbell(server, { jwtKey: TEST_JWT_KEY });
    expect(() => attachSyncbell(server, { jwtKey: TEST_JWT_KEY })).toThrow(
      withCode(ServerErrorCode.InvalidConfig),
    );
  });

  it('throws ConfigError for a registry that already holds syncbell’s metrics', () => {
    const registry = new Registry();
    attachSyncbell(io(), { jwtKey: TEST_JWT_KEY, registry });
    expect(() => attachSyncbell(io(), { jwtKey: TEST_JWT_KEY, registry })).toThrow(
      withCode(ServerErrorCode.InvalidConfig),
    );
  });

  it('uses the verify hook instead of the JWT check', async () => {
    const app = await startUserApp({
      options: {
        jwtKey: undefined,
        verify: async (token) => ({ userId: token.replace('opaque-', '') }),
      },
    });
    const socket = await rawConnect(app.url, 'opaque-alice');
    expect(app.syncbell.sockets().map((s) => s.data.userId)).toEqual(['alice']);
    socket.disconnect();
  });
});
