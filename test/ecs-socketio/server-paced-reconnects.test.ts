import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as ioClient, type Socket as ClientSocket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, type StateChange, socketIoTransport } from '@syncbell/client/socketio';
import { ErrorCode, SocketEvent } from '@syncbell/contract';
import { signToken } from '@syncbell/server';
import { type AttachSyncbellOptions, attachSyncbell, type SyncbellAttachment } from '@syncbell/socketio';
import { pollUntil, STAMP_RESOLUTION_MS } from '../../dev-tools/index.js';
import { uniqueUser } from '../support/unique-user.js';
import { createEcsHarness, TEST_JWT_KEY } from './support/harness.js';

// Issue 24 item 3, server-paced reconnects on a real socket.io server with real clients: the pacer
// refuses by handshakes in flight with a hint, the hard ceiling answers HTTP 503 + Retry-After
// before engine.io, and the SDK waits at least the hint. Order and counts, no durations.

const PATH = '/paced/socket.io';

interface App {
  base: string;
  http: HttpServer;
  syncbell: SyncbellAttachment;
  /** Every engine.io handshake request (no `sid`) the HTTP server saw, in order, with when. */
  handshakes: { atMs: number; transport: string | null }[];
}

const apps: App[] = [];
const sockets: ClientSocket[] = [];
const stops: (() => unknown)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  for (const socket of sockets.splice(0)) socket.disconnect();
  for (const app of apps.splice(0)) {
    await app.syncbell.close();
    await new Promise<void>((resolve) => app.syncbell.namespace.server.close(() => resolve()));
  }
});

async function startApp(options: Partial<AttachSyncbellOptions>, transports = ['websocket']): Promise<App> {
  const http = createServer();
  const handshakes: App['handshakes'] = [];
  const note = (req: IncomingMessage) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname.startsWith(PATH) && !url.searchParams.has('sid'))
      handshakes.push({ atMs: Date.now(), transport: url.searchParams.get('transport') });
  };
  const io = new Server(http, { path: PATH, transports: transports as ('websocket' | 'polling')[] });
  // After the Server: engine.io takes over the 'request' listeners it finds when it attaches.
  http.prependListener('request', note);
  http.prependListener('upgrade', note);
  const syncbell = attachSyncbell(io, { jwtKey: TEST_JWT_KEY, ...options });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const app = {
    base: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    http,
    syncbell,
    handshakes,
  };
  apps.push(app);
  return app;
}

function rawConnect(app: App, token: string): Promise<ClientSocket> {
  const socket = ioClient(app.base, {
    path: PATH,
    transports: ['websocket'],
    auth: { token },
    forceNew: true,
  });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** A WebSocket handshake straight at engine.io: the status and Retry-After of its answer. */
function upgrade(app: App): Promise<{ status: number; retryAfter: string | undefined }> {
  const ws = new WebSocket(`${app.base.replace('http', 'ws')}${PATH}/?EIO=4&transport=websocket`);
  return new Promise((resolve, reject) => {
    ws.once('upgrade', () => {
      resolve({ status: 101, retryAfter: undefined });
      ws.close();
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] });
      res.resume();
    });
    ws.once('error', reject);
  });
}

describe('server-paced reconnects', () => {
  it('refuses a connect while maxHandshakesInFlight handshakes are unfinished, with a retryAfterMs hint and before the token check, and admits again once one has resumed', async () => {
    const releases: (() => void)[] = [];
    let verified = 0;
    const app = await startApp({
      jwtKey: undefined,
      maxHandshakesInFlight: 1,
      // A token check that waits until the test lets it go: the handshake stays in flight.
      verify: async (token) => {
        verified++;
        await new Promise<void>((resolve) => releases.push(resolve));
        return { userId: token };
      },
    });
    const first = rawConnect(app, uniqueUser('paced'));
    expect(await pollUntil(() => verified === 1, 10_000, 10)).toBe(true);

    const refused = await rawConnect(app, uniqueUser('paced')).then(
      () => undefined,
      (error: Error & { data?: { code?: string; retryAfterMs?: number } }) => error.data,
    );
    expect(refused).toMatchObject({ code: ErrorCode.RateLimited });
    expect(refused?.retryAfterMs).toBeGreaterThan(0);
    expect(verified).toBe(1); // refused before its token was checked
    const inFlight = async () =>
      (await app.syncbell.metrics.registry.getSingleMetricAsString('syncbell_handshakes_in_flight'))
        .split('\n')
        .at(-1);
    expect(await inFlight()).toBe('syncbell_handshakes_in_flight 1');

    releases.shift()?.();
    const socket = await first;
    // Connected but not resumed: still in flight.
    const stillRefused = await rawConnect(app, uniqueUser('paced')).then(
      () => undefined,
      (error: Error & { data?: { code?: string } }) => error.data,
    );
    expect(stillRefused).toMatchObject({ code: ErrorCode.RateLimited });
    await socket.timeout(10_000).emitWithAck(SocketEvent.Resume, {});
    expect(await inFlight()).toBe('syncbell_handshakes_in_flight 0');
    const next = rawConnect(app, uniqueUser('paced'));
    expect(await pollUntil(() => verified === 2, 10_000, 10)).toBe(true);
    releases.shift()?.();
    await next;
  });

  it('answers a handshake over maxConnectsPerSecond with HTTP 503 and Retry-After before engine.io, and lets a request of an open session pass', async () => {
    const app = await startApp({ maxConnectsPerSecond: 1 });
    const answers = await Promise.all(Array.from({ length: 4 }, () => upgrade(app)));
    // At most one per one-second window gets through (more windows only if the machine stalls).
    const refused = answers.filter((a) => a.status === 503);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const answer of refused) expect(answer.retryAfter).toMatch(/^[1-9]\d*$/);
    expect(answers.filter((a) => a.status !== 503).every((a) => a.status === 101)).toBe(true);
    // Over the ceiling, a request naming a session is engine.io's to answer (400: unknown session), not a 503.
    await upgrade(app);
    const withSession = await fetch(`${app.base}${PATH}/?EIO=4&transport=polling&sid=unknown`);
    expect(withSession.status).toBe(400);
    const polling = await fetch(`${app.base}${PATH}/?EIO=4&transport=polling`);
    if (polling.status === 503) expect(polling.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
  });

  it('the SDK over long polling reads the 503’s Retry-After as its hint and opens its next handshake no sooner', async () => {
    const app = await startApp({ maxConnectsPerSecond: 1 }, ['polling', 'websocket']);
    const userId = uniqueUser('paced');
    const token = await signToken({ userId, key: TEST_JWT_KEY });
    // Take this window's one handshake, so the SDK's first is over the ceiling.
    let taken = await fetch(`${app.base}${PATH}/?EIO=4&transport=polling`);
    while (taken.status !== 503) taken = await fetch(`${app.base}${PATH}/?EIO=4&transport=polling`);
    const client = createClient({
      transport: socketIoTransport({ path: PATH, transports: ['polling'] }),
      url: app.base,
      token,
      minReconnectDelayMs: 10,
      maxReconnectDelayMs: 20,
      positionStorage: 'off',
    });
    stops.push(() => client.close());
    const changes: StateChange[] = [];
    client.on('state', (change) => changes.push(change));
    const resumed = new Promise((resolve) => client.on('resumed', resolve));
    const sdkFrom = app.handshakes.length;
    await resumed;
    const refusal = changes.find((c) => c.reason?.code === ErrorCode.RateLimited);
    expect(refusal?.reason?.retryAfterMs).toBeGreaterThanOrEqual(1000);
    // The SDK's own backoff is 10-20 ms here: only the hint holds it back this long.
    const sdk = app.handshakes.slice(sdkFrom);
    expect(sdk.length).toBeGreaterThanOrEqual(2);
    const [refused, after] = sdk;
    expect((after?.atMs ?? 0) - (refused?.atMs ?? 0)).toBeGreaterThanOrEqual(
      (refusal?.reason?.retryAfterMs ?? 0) - STAMP_RESOLUTION_MS,
    );
  });
});

describe('the container reads the pacing knobs from its environment', () => {
  it('MAX_HANDSHAKES_IN_FLIGHT=1: a second connect is refused with a hint until the first has resumed', async () => {
    const harness = await createEcsHarness({ containers: 1, env: { MAX_HANDSHAKES_IN_FLIGHT: '1' } });
    stops.push(() => harness.stop());
    const connect = async () => {
      const socket = ioClient(harness.url, {
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        auth: { token: await harness.token(uniqueUser('paced')) },
      });
      sockets.push(socket);
      return new Promise<{ socket: ClientSocket; refused?: { code?: string; retryAfterMs?: number } }>(
        (resolve) => {
          socket.once('connect', () => resolve({ socket }));
          socket.once('connect_error', (error: Error & { data?: { code?: string; retryAfterMs?: number } }) =>
            resolve({ socket, refused: error.data ?? {} }),
          );
        },
      );
    };
    const first = await connect();
    expect(first.refused).toBeUndefined();
    const second = await connect();
    expect(second.refused).toMatchObject({ code: ErrorCode.RateLimited });
    expect(second.refused?.retryAfterMs).toBeGreaterThan(0);
    await first.socket.timeout(10_000).emitWithAck(SocketEvent.Resume, {});
    expect((await connect()).refused).toBeUndefined();
  });
});
