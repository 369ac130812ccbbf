import { Cluster, Redis } from 'ioredis';
import { DEV_JWT_SECRET, signToken } from '../../../shared/server/auth/index.js';
import { socketIoTransport } from '@syncbell/client/socketio';
import { createNotification, type Notification } from '@syncbell/contract';
import {
  type EcsLocalOptions,
  type EcsLocalStack,
  startEcsLocal,
} from '../../../ecs-socketio/local/stack.js';
import { createRedis } from '../../../ecs-socketio/container/redis-connection.js';
import {
  REDIS_CLIENT_KINDS,
  type RedisClientKind,
  type RedisLike,
} from '../../../ecs-socketio/src/redis-client.js';
import { replayLogKey } from '../../../ecs-socketio/src/replay-log.js';
import {
  createSocketIoPublisher,
  publisherAdapter,
  type SocketIoAdapterKind,
  type SocketIoPublisher,
} from '@syncbell/socketio/publisher';
import type { VariantHarness } from '../../contract/harness.js';

export const TEST_JWT_KEY = new TextEncoder().encode(DEV_JWT_SECRET);

/**
 * The Redis client the ECS suite runs on: vitest runs every test/ecs-socketio file that imports
 * this module once per client (the `ecs-node-redis` project in vitest.config.ts sets
 * SYNCBELL_TEST_REDIS_CLIENT=node-redis).
 */
export const TEST_REDIS_CLIENT: RedisClientKind = (() => {
  const value = process.env.SYNCBELL_TEST_REDIS_CLIENT ?? 'ioredis';
  if (!(REDIS_CLIENT_KINDS as readonly string[]).includes(value))
    throw new Error(`SYNCBELL_TEST_REDIS_CLIENT must be one of ${REDIS_CLIENT_KINDS.join(', ')}`);
  return value as RedisClientKind;
})();

/**
 * The adapter the ECS suites run on: `classic` everywhere, and `sharded` (per-user channels) in
 * the `ecs-sharded` projects of vitest.config.ts, which re-run the suites that exercise the
 * adapter (delivery, isolation, resume, Redis restart, drain) on each client.
 */
export const TEST_REDIS_ADAPTER: SocketIoAdapterKind = (() => {
  const value = process.env.SYNCBELL_TEST_REDIS_ADAPTER ?? 'classic';
  if (value !== 'classic' && value !== 'sharded')
    throw new Error('SYNCBELL_TEST_REDIS_ADAPTER must be classic or sharded');
  return value;
})();

/**
 * Whether the ECS suites run on a Redis Cluster: the `ecs-cluster` projects of vitest.config.ts set
 * SYNCBELL_TEST_REDIS_CLUSTER=true, and each harness then starts its own local cluster (3 primaries,
 * 3 replicas) with the sharded adapter.
 */
export const TEST_REDIS_CLUSTER = process.env.SYNCBELL_TEST_REDIS_CLUSTER === 'true';

/** A connection of the suite's client (TEST_REDIS_CLIENT), for the code under test. */
export function createTestRedis(
  url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  cluster = TEST_REDIS_CLUSTER,
): RedisLike {
  const redis = createRedis({ url, name: 'syncbell:test', client: TEST_REDIS_CLIENT, cluster });
  redis.on('error', () => undefined); // a test that stops Redis expects these; both clients reconnect
  return redis;
}

export interface EcsHarness extends VariantHarness {
  stack: EcsLocalStack;
  /** For the test's own reads of Redis (always ioredis: the code under test uses `publisher`). */
  redis: Redis | Cluster;
  /** The connection `publish` runs on: the suite's client, as the worker's. */
  publisher: RedisLike;
  /** The socket.io publisher on `publisher`, for the stack's adapter (what `publish` uses). */
  notifications: SocketIoPublisher;
  /** Only with `ownRedis: true`. */
  ownedRedisStop(): Promise<void>;
  ownedRedisStart(): Promise<void>;
}

/**
 * The ECS variant as the contract suite sees it: 2 container processes behind the local load
 * balancer, on the suite's client and adapter (`env.REDIS_ADAPTER` overrides the adapter).
 */
export async function createEcsHarness(options: EcsLocalOptions = {}): Promise<EcsHarness> {
  const cluster = options.redisCluster ?? TEST_REDIS_CLUSTER;
  const adapter = options.env?.REDIS_ADAPTER ?? (cluster ? 'sharded' : TEST_REDIS_ADAPTER);
  // Every worker on a Redis reads the one job stream: a classic-adapter worker of a file running
  // in parallel would take a sharded stack's jobs and publish where its servers do not listen.
  const ownRedis = options.worker === true && adapter !== 'classic' && !options.redisUrl;
  const stack = await startEcsLocal({
    containers: 2,
    worker: false,
    redisClient: TEST_REDIS_CLIENT,
    ...(ownRedis && !cluster ? { ownRedis } : {}),
    ...(cluster ? { redisCluster: true } : {}),
    ...options,
    env: { ...options.env, REDIS_ADAPTER: adapter },
  });
  if (!stack.redisUrl) throw new Error('the ECS harness needs Redis');
  const redis = stack.ownedRedisCluster
    ? new Cluster([...stack.ownedRedisCluster.startupNodes], { redisOptions: { maxRetriesPerRequest: null } })
    : new Redis(stack.redisUrl, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined);
  const publisher = createTestRedis(stack.redisUrl, stack.ownedRedisCluster !== undefined);
  const notifications = createSocketIoPublisher({
    redis: publisher,
    adapter: publisherAdapter(adapter),
  });
  return {
    name: 'ecs-socketio',
    stack,
    redis,
    publisher,
    notifications,
    url: stack.url,
    jobsUrl: stack.url,
    transport: (keepAlive) => socketIoTransport({ ...keepAlive }),
    token: (userId, opts) =>
      signToken({
        userId,
        key: TEST_JWT_KEY,
        ...(opts?.expiresInSeconds === undefined ? {} : { expiresInSeconds: opts.expiresInSeconds }),
      }),
    async publish(userId, overrides = {}) {
      // The worker's path (the publisher's script: replay log, then the adapter's channel), not
      // claimed per job: the suite reuses job ids across a user's notifications on purpose.
      const notification = createNotification({
        type: overrides.type ?? 'sync.complete',
        userId,
        jobId: overrides.jobId ?? 'job',
        ...(overrides.data ? { data: overrides.data } : {}),
      });
      await notifications.publishEnvelope(notification);
      return notification;
    },
    async publishAsNewerServer(envelope) {
      // A newer server runs this same publish path with a wider Notification type.
      await notifications.publishEnvelope(envelope as unknown as Notification);
    },
    async writeLogEntry(userId, entry) {
      await redis.xadd(
        replayLogKey(userId),
        '*',
        'n',
        typeof entry === 'string' ? entry : JSON.stringify(entry),
      );
    },
    rawSocketUrl: (token) =>
      `${stack.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket&token=${encodeURIComponent(token)}`,
    async ownedRedisStop() {
      if (!stack.ownedRedis) throw new Error('start the harness with ownRedis: true');
      await stack.ownedRedis.stop();
    },
    async ownedRedisStart() {
      if (!stack.ownedRedis) throw new Error('start the harness with ownRedis: true');
      await stack.ownedRedis.start();
    },
    async stop() {
      redis.disconnect();
      publisher.disconnect();
      await stack.stop();
    },
  };
}
