import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { WebSocket } from 'ws';
import type { RunningContender } from '../../benchmarks/contenders/contender.js';
import { socketIoPlain } from '../../benchmarks/contenders/socketio-plain.js';
import { type PushServerKind, startPushContender } from '../../benchmarks/contenders/push-contender.js';
import { type OwnedRedis, startOwnedRedis } from '../../dev-tools/index.js';
import { resolveJwtSecret, signToken } from '../../shared/server/auth/index.js';
import { createNotification, type Notification } from '../../shared/contract/index.js';

/**
 * The hand-written benchmark contenders (raw ws, SSE, long polling) must be correct before their
 * numbers mean anything (issue 5): tokens checked, each user gets only their own notifications,
 * and a reconnect with a cursor gets what it missed. Real server processes, a private Redis.
 */

interface Subscription {
  received: Notification[];
  close(): void;
}

/** What a server answered instead of a stream: the HTTP status (and body) of the refusal. */
type Refusal = { status: number; body: string };

const key = resolveJwtSecret().key;
const token = (userId: string) => signToken({ userId, key });
const query = (params: Record<string, string | undefined>) =>
  new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));

function subscribeWs(
  url: string,
  params: Record<string, string | undefined>,
): Promise<Subscription | Refusal> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/?${query(params)}`);
  const received: Notification[] = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as {
      type: string;
      notification?: Notification;
      notifications?: Notification[];
    };
    if (frame.type === 'notification' && frame.notification) received.push(frame.notification);
    if (frame.type === 'replay') received.push(...(frame.notifications ?? []));
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ received, close: () => ws.terminate() }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}

async function subscribeSse(
  url: string,
  params: Record<string, string | undefined>,
): Promise<Subscription | Refusal> {
  const abort = new AbortController();
  const response = await fetch(`${url}/events?${query(params)}`, { signal: abort.signal });
  if (response.status !== 200) return { status: response.status, body: await response.text() };
  const received: Notification[] = [];
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  void (async () => {
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const data = buffer
          .slice(0, end)
          .split('\n')
          .find((line) => line.startsWith('data: '));
        if (data) received.push(JSON.parse(data.slice(6)) as Notification);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
      }
    }
  })();
  return { received, close: () => abort.abort() };
}

async function subscribePoll(
  url: string,
  params: Record<string, string | undefined>,
): Promise<Subscription | Refusal> {
  const abort = new AbortController();
  const poll = (after: string | undefined) =>
    fetch(`${url}/poll?${query({ ...params, after })}`, { signal: abort.signal });
  const first = await poll(params.after);
  if (first.status !== 200) return { status: first.status, body: await first.text() };
  const received: Notification[] = [];
  void (async () => {
    let response: Response = first;
    for (;;) {
      const body = (await response.json()) as { notifications: Notification[]; cursor: string | null };
      received.push(...body.notifications);
      try {
        response = await poll(body.cursor ?? undefined);
      } catch {
        return; // closed
      }
      if (response.status !== 200) return;
    }
  })().catch(() => undefined);
  return { received, close: () => abort.abort() };
}

type AuthenticatedKind = Exclude<PushServerKind, 'baseline' | 'socketio-plain'>;

const subscribers: Record<AuthenticatedKind, typeof subscribeWs> = {
  ws: subscribeWs,
  sse: subscribeSse,
  'long-polling': subscribePoll,
};

const isRefusal = (s: Subscription | Refusal): s is Refusal => 'status' in s;

describe.each(Object.entries(subscribers) as [AuthenticatedKind, typeof subscribeWs][])(
  'benchmark contender server: %s',
  (kind, subscribe) => {
    let redis: OwnedRedis;
    let server: RunningContender;
    const open: Subscription[] = [];

    beforeAll(async () => {
      redis = await startOwnedRedis();
      server = await startPushContender(kind, {
        redisUrl: redis.url,
        // A long poll is held for one interval: short, so a poll with nothing to say answers soon.
        // The timeout is long enough that no connection is given up during a test.
        heartbeat: { intervalMs: 1_000, timeoutMs: 30_000 },
      });
    });
    afterAll(async () => {
      for (const s of open) s.close();
      await server?.stop();
      await redis?.stop();
    });

    const connect = async (params: Record<string, string | undefined>): Promise<Subscription> => {
      const result = await subscribe(server.urls[0] as string, params);
      if (isRefusal(result)) throw new Error(`refused: ${result.status} ${result.body}`);
      open.push(result);
      return result;
    };
    const publish = async (userId: string) => {
      const notification = createNotification({
        type: 'sync.complete',
        userId,
        jobId: `job_${randomUUID()}`,
      });
      await server.publish(notification);
      return notification;
    };
    /** Publishes for `userId` until one arrives live (the server subscribes its channel just after accepting). */
    const publishUntilLive = async (userId: string, client: Subscription) => {
      const sent: Notification[] = [];
      await vi.waitFor(
        async () => {
          sent.push(await publish(userId));
          expect(client.received.length).toBeGreaterThan(0);
        },
        { timeout: 10_000, interval: 100 },
      );
      return sent;
    };

    it('refuses a bad token and a malformed cursor before streaming anything', async () => {
      const url = server.urls[0] as string;
      const forged = await subscribe(url, { token: `${await token('user-a')}x` });
      expect(isRefusal(forged) && forged.status).toBe(401);
      expect(isRefusal(forged) ? forged.body : '').toMatch(/token/i);
      const none = await subscribe(url, {});
      expect(isRefusal(none) && none.status).toBe(401);
      const badCursor = await subscribe(url, { token: await token('user-a'), after: 'not-a-ulid' });
      expect(isRefusal(badCursor) && badCursor.status).toBe(400);
    });

    it("delivers each user's notifications to that user only", async () => {
      const [a, b] = [`a-${randomUUID()}`, `b-${randomUUID()}`];
      const clientA = await connect({ token: await token(a) });
      const clientB = await connect({ token: await token(b) });
      const sentA = await publishUntilLive(a, clientA);
      const sentB = await publishUntilLive(b, clientB);
      // B's last arrived after every one of A's was published: any leak would be in by now.
      await vi.waitFor(() => expect(clientB.received.map((n) => n.id)).toContain(sentB.at(-1)?.id));
      expect(new Set(clientA.received.map((n) => n.userId))).toEqual(new Set([a]));
      expect(new Set(clientB.received.map((n) => n.userId))).toEqual(new Set([b]));
      expect(sentA.length).toBeGreaterThan(0);
    });

    it('replays what a user missed after the cursor, in order, on reconnect', async () => {
      const user = `r-${randomUUID()}`;
      const first = await connect({ token: await token(user) });
      const seen = await publishUntilLive(user, first);
      first.close();
      const missed = [await publish(user), await publish(user), await publish(user)];
      const cursor = seen.at(-1)?.id as string;
      const again = await connect({ token: await token(user), after: cursor });
      await vi.waitFor(() => expect(again.received.length).toBeGreaterThanOrEqual(missed.length), {
        timeout: 10_000,
      });
      expect(again.received.map((n) => n.id)).toEqual(missed.map((n) => n.id));
    });
  },
);

/**
 * The plain socket.io reference (issue 16): no auth, no log, so only delivery is checked: per user,
 * and across its 2 processes through Redis, as the load generator's socket.io clients use it; on
 * both adapters the scale scenario runs it on (the sharded one published from a headless Server).
 */
describe.each(['classic', 'sharded'])('benchmark contender server: socketio-plain, %s adapter', (adapter) => {
  let redis: OwnedRedis;
  let server: RunningContender;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    redis = await startOwnedRedis();
    server = await socketIoPlain.start({
      redisUrl: redis.url,
      env: { REDIS_ADAPTER: adapter },
      heartbeat: { intervalMs: 1_000, timeoutMs: 30_000 },
    });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await server?.stop();
    await redis?.stop();
  });

  /** Connects as the load generator does (auth token, then a `resume` ack) and collects notifications. */
  async function connect(url: string, userId: string): Promise<Notification[]> {
    const socket = io(url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      auth: { token: await token(userId) },
    });
    sockets.push(socket);
    const received: Notification[] = [];
    socket.on('notification', (n: Notification) => received.push(n));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const answer = (await socket.timeout(5_000).emitWithAck('resume', {})) as { notifications: unknown[] };
    expect(answer.notifications).toEqual([]);
    return received;
  }
  const publish = async (userId: string) => {
    const notification = createNotification({ type: 'sync.complete', userId, jobId: `job_${randomUUID()}` });
    await server.publish(notification);
    return notification;
  };

  it("delivers each user's notifications to that user only, on both processes", async () => {
    const [a, b] = [`a-${randomUUID()}`, `b-${randomUUID()}`];
    // The load balancer is strict round robin over its 2 healthy targets: two connections in a row
    // through it land one on each process, so user A has a socket on both.
    const onFirst = await connect(server.urls[0] as string, a);
    const onSecond = await connect(server.urls[0] as string, a);
    const other = await connect(server.directUrl, b);
    await vi.waitFor(async () => expect(await server.serverConnections()).toBe(3));
    // Published until live on both processes (each adapter subscribes just after start-up).
    const sentA: Notification[] = [];
    await vi.waitFor(
      async () => {
        sentA.push(await publish(a));
        expect(Math.min(onFirst.length, onSecond.length)).toBeGreaterThan(0);
      },
      { timeout: 10_000, interval: 100 },
    );
    const sentB = await publish(b);
    await vi.waitFor(() => expect(other.map((n) => n.id)).toEqual([sentB.id]));
    // B's arrived after every one of A's was published: a leak to B would be in by now.
    expect(new Set([...onFirst, ...onSecond].map((n) => n.userId))).toEqual(new Set([a]));
    expect(sentA.map((n) => n.id)).toContain(onSecond[0]?.id);
  });
});
