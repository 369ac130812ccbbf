import pWaitFor from 'p-wait-for';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type OwnedRedis, startOwnedRedis } from '../../dev-tools/index.js';
import { ADAPTER_KEY } from '../../ecs-socketio/src/adapter.js';
import type { RedisLike } from '../../ecs-socketio/src/redis-client.js';
import { userRoom } from '../../ecs-socketio/src/rooms.js';
import { createSocketIoPublisher } from '@syncbell/socketio/publisher';
import { createTestRedis, TEST_REDIS_CLIENT } from './support/harness.js';

// The sharded adapter subscribes one channel per user room. node-redis 5.12 re-sends them one
// SSUBSCRIBE each before it reports `ready`, and stalled for good once they filled the socket's
// write buffer (1,314 of 2,002 channels back, no command answered): `createRedis` raises the
// buffer's threshold. This reproduces it at a container's scale, on the suite's client: remove
// `writableHighWaterMark` in ecs-socketio/src/redis.ts and the node-redis project fails here.
const ROOMS = 2000;
const CHANNELS = ROOMS + 2; // the namespace's channel and the adapter's response channel

let owned: OwnedRedis;
let pub: RedisLike;
let sub: RedisLike;
let admin: Redis;
let io: Server;

beforeAll(async () => {
  owned = await startOwnedRedis();
  pub = createTestRedis(owned.url);
  sub = pub.duplicate('syncbell:test:sub');
  sub.on('error', () => undefined);
  await Promise.all([pub.call('PING'), sub.call('PING')]);
  admin = new Redis(owned.url, { maxRetriesPerRequest: null });
  admin.on('error', () => undefined);
  io = new Server({
    adapter: createShardedAdapter(pub.client, sub.client, {
      channelPrefix: ADAPTER_KEY,
      subscriptionMode: 'dynamic',
    }),
  });
  // What joining ROOMS users' sockets does to the adapter (a room per user), without 2,000 sockets.
  const adapter = io.of('/').adapter;
  for (let i = 0; i < ROOMS; i++) adapter.addAll(`socket-${i}`, new Set([userRoom(`user-${i}`)]));
});
afterAll(async () => {
  // As the server's close: unsubscribe, wait for the answers (a PING behind them), then quit. A
  // subscriber that never became ready again (the failure this file is about) is just dropped.
  if (sub?.isReady) {
    await io.of('/').adapter.close();
    await sub.call('PING');
    await Promise.all([pub.quit(), sub.quit()]);
  } else {
    pub?.disconnect();
    sub?.disconnect();
  }
  admin?.disconnect();
  await owned?.destroy();
});

/** The subscriber's SSUBSCRIBE count, from CLIENT LIST (the server's view, not the client's). */
async function shardChannels(): Promise<number> {
  const list = (await admin.call('CLIENT', 'LIST')) as string;
  const line = list.split('\n').find((l) => /\bname=syncbell:test:sub\b/.test(l));
  return Number(/\bssub=(\d+)/.exec(line ?? '')?.[1] ?? 0);
}

const waitFor = (condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000) =>
  pWaitFor(condition, {
    interval: 100,
    timeout: { milliseconds: timeoutMs, message: `timed out waiting for ${what}` },
  });

it(`restores all ${CHANNELS} per-user channels after a Redis restart and delivers on them (${TEST_REDIS_CLIENT})`, async () => {
  await waitFor(async () => (await shardChannels()) === CHANNELS, 'the first subscriptions');

  await owned.restart();

  await waitFor(
    async () => (await shardChannels()) === CHANNELS,
    `${CHANNELS} channels re-subscribed (last seen ${await shardChannels().catch(() => '?')})`,
  );
  // The server counts the channels before the client has read every reply: ready follows (a hung
  // client, the node-redis failure this guards against, never gets there).
  await waitFor(() => sub.isReady, 'the subscriber to report ready');
  // The last room's channel carries a publish again: the adapter decodes it (its socket is absent).
  const adapter = io.of('/').adapter as unknown as {
    onMessage(message: { data: { opts: { rooms: string[] } } }): void;
  };
  const delivered = new Promise<string[]>((resolve) => {
    const onMessage = adapter.onMessage.bind(adapter);
    adapter.onMessage = (message) => {
      resolve([...message.data.opts.rooms]);
      onMessage(message);
    };
  });
  const userId = `user-${ROOMS - 1}`;
  await createSocketIoPublisher({ redis: pub, adapter: 'sharded' }).publish({
    userId,
    type: 'sync.complete',
    jobId: 'after-restart',
  });
  expect(await delivered).toEqual([userRoom(userId)]);
});
