import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import { ConfigError } from '@syncbell/server';
import type { ServerOptions } from 'socket.io';
import { type AnyRedis, asRedisLike } from './redis-client.js';
import type { SocketIoAdapterKind } from './socketio-publisher.js';

/**
 * The adapter's key (its channel prefix), shared by the servers' adapter and the publisher.
 * Notifications and the resync broadcast go through the publisher (socketio-publisher.ts), which
 * writes either adapter's format: @socket.io/redis-emitter only PUBLISHes, so it cannot reach
 * servers on the sharded adapter (SSUBSCRIBE), and on node-redis it dropped a failed PUBLISH's
 * promise, which became an unhandled rejection (fatal in Node).
 */
export const ADAPTER_KEY = 'syncbell';

/**
 * What `new Server(http, { adapter })` takes. Named so the published .d.ts can state it: tsc cannot
 * write the redis adapters' anonymous class types into a declaration file.
 */
export type SyncbellAdapterFactory = NonNullable<ServerOptions['adapter']>;

export interface SyncbellAdapterOptions {
  /** Publishing connection (ioredis or node-redis `redis` v5), left open: it is yours. */
  pub: AnyRedis;
  /** Subscribing connection (a `duplicate()` of `pub`); pass it to `attachSyncbell` as `subscriber` too. */
  sub: AnyRedis;
  /**
   * `classic`: PUBLISH/SUBSCRIBE, every notification reaches every server. `sharded`: SPUBLISH
   * (Redis 7+), one channel per user room, reaching only the servers that hold the user. On
   * node-redis the subscriber needs `socket.writableHighWaterMark` (see `attachSyncbell`). A
   * cluster client (ioredis `Cluster` with `shardedSubscribers: true`, node-redis `createCluster`)
   * takes `sharded` only: `classic` throws a `ConfigError`.
   * @default 'classic'
   */
  kind?: SocketIoAdapterKind;
}

/**
 * Why a Redis Cluster takes the sharded adapter only. Classic PUBLISH on a cluster is forwarded to
 * every node over the cluster bus, so every node does the work of every message (AWS ElastiCache
 * best practices, "Best practices for Pub/Sub": use sharded pub/sub on cluster mode enabled), and
 * the adapter's PSUBSCRIBE is refused by ElastiCache Serverless (socket.io-redis-adapter#553).
 */
export const CLASSIC_ON_CLUSTER =
  "the classic adapter (PUBLISH/PSUBSCRIBE) cannot run on a Redis Cluster: every node would carry every notification, and ElastiCache Serverless refuses PSUBSCRIBE. Use the sharded adapter (kind: 'sharded', REDIS_ADAPTER=sharded)";

/**
 * The @socket.io/redis-adapter for syncbell's publisher: the same channel key (`ADAPTER_KEY`) the
 * publisher writes to. `new Server(http, { adapter: syncbellAdapter({ pub, sub }) })`.
 */
export function syncbellAdapter({
  pub,
  sub,
  kind = 'classic',
}: SyncbellAdapterOptions): SyncbellAdapterFactory {
  const pubRedis = asRedisLike(pub);
  const subRedis = asRedisLike(sub);
  if (kind !== 'sharded' && (pubRedis.cluster || subRedis.cluster)) throw new ConfigError(CLASSIC_ON_CLUSTER);
  const pubClient = pubRedis.client;
  const subClient = subRedis.client;
  return kind === 'sharded'
    ? // 'dynamic' (the adapter's default, stated because per-user channels depend on it): each
      // user room gets its own SSUBSCRIBE channel, so a notification reaches only the servers that
      // hold the user; socket-id rooms stay on the shared channel.
      createShardedAdapter(pubClient, subClient, { channelPrefix: ADAPTER_KEY, subscriptionMode: 'dynamic' })
    : createAdapter(pubClient, subClient, { key: ADAPTER_KEY });
}
