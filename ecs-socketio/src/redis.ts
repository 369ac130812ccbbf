// A namespace import: the image's esbuild banner declares `createRequire` at the bundle's top
// level (ecs-socketio/Dockerfile), and a second top-level `createRequire` is a SyntaxError there.
import * as nodeModule from 'node:module';
import { CURSOR_SKEW_MARGIN_MS } from '@syncbell/contract';
import type { IoredisClient, RedisLike } from './redis-client.js';

/**
 * The node-redis socket's write buffer threshold. node-redis 5.12 re-sends each SSUBSCRIBE of a
 * reconnected subscriber before it reports `ready`; when those commands fill the socket's buffer
 * (Node's default threshold, 16 KiB: about 300 channels) it stops writing and waits for `drain`,
 * but on `drain` it writes only once it is ready, which it never becomes (its `#scheduleWrite`
 * checks `isReady`). The subscriber then hangs forever with part of its channels: 1,314 of
 * 2,002 measured here, and no command on it answers (test/ecs-socketio/sharded-resubscribe.test.ts).
 * A threshold above the bytes of every re-subscription keeps the whole batch in one write: a
 * container holds under 20,000 connections (the machine's open-file limit), so under 20,000 user
 * channels of about 60 bytes each (1.2 MB); 16 MiB leaves room. Only a threshold: nothing is
 * allocated until written.
 */
export const NODE_REDIS_WRITE_BUFFER_BYTES = 16 * 1024 * 1024;

/**
 * Whether a node-redis client restores thousands of SSUBSCRIBEd channels after a reconnect: its
 * socket's `writableHighWaterMark` is at least `NODE_REDIS_WRITE_BUFFER_BYTES` (see above).
 * `createRedis({ client: 'node-redis' })` (@syncbell/socketio/container) and a `duplicate()` of such a client have it.
 */
export function nodeRedisRestoresShardedChannels(client: unknown): boolean {
  type SocketOptions = { socket?: { writableHighWaterMark?: unknown } };
  const { options, _options } = client as {
    options?: SocketOptions;
    _options?: { defaults?: SocketOptions };
  };
  // A cluster client (`createCluster`) gives every node's connection its `defaults`.
  const threshold = (options ?? _options?.defaults)?.socket?.writableHighWaterMark;
  return typeof threshold === 'number' && threshold >= NODE_REDIS_WRITE_BUFFER_BYTES;
}

/**
 * How often an ioredis cluster client re-reads the slot map (`slotsRefreshInterval`). Measured
 * (test/ecs-socketio/cluster.test.ts): after `CLUSTER FAILOVER` Redis 7 drops the old primary's
 * sharded subscribers without closing their connection, and ioredis 5.11.1 never re-subscribes
 * unless a slot-map refresh shows it the new primary (its default is no periodic refresh). With a
 * refresh every second it re-subscribes within about a second; the container then redelivers what
 * the log holds since then minus CURSOR_SKEW_MARGIN_MS (5 s), which covers that gap.
 */
export const IOREDIS_CLUSTER_SLOTS_REFRESH_MS = 1000;

/** The oldest node-redis whose cluster client re-subscribes sharded channels after a failover. */
const NODE_REDIS_CLUSTER_MIN_MAJOR = 6;

const installedVersion = (name: string): string => {
  try {
    return (nodeModule.createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
};

/**
 * Why a cluster subscriber cannot carry the sharded adapter through a failover, or undefined when
 * it can. ioredis needs `shardedSubscribers: true` (one subscriber per primary; ioredis 5.9.0 and
 * later) and a periodic slot refresh. node-redis 5 (5.12.1 measured here) loses the channels of
 * the primary that failed over and never restores them; node-redis 6.4.0 restored them in the same
 * run (its 6.0 release notes: "cluster pubsub fixes for ... sharded topology recovery"), but
 * syncbell is not on node-redis 6 yet (RESP3 and a 5 s command timeout by default: a migration).
 * The version is the `redis` package syncbell resolves, the one `createRedis` builds with.
 */
export function clusterSubscriberProblem(subscriber: RedisLike): string | undefined {
  if (!subscriber.cluster) return undefined;
  if (subscriber.kind === 'node-redis') {
    const version = installedVersion('redis');
    const major = Number(version.split('.')[0]);
    return major >= NODE_REDIS_CLUSTER_MIN_MAJOR
      ? undefined
      : `node-redis ${version}'s cluster client loses the sharded adapter's channels of a primary that fails over and never restores them (measured on Redis 7.0 with CLUSTER FAILOVER), so those users stop getting notifications live. On a Redis Cluster use ioredis (createRedis({ client: 'ioredis', cluster: true }) of @syncbell/socketio/container)`;
  }
  const { shardedSubscribers, slotsRefreshInterval } = (subscriber.client as IoredisClient).options as {
    shardedSubscribers?: boolean;
    slotsRefreshInterval?: number;
  };
  if (shardedSubscribers !== true)
    return `an ioredis Cluster subscriber needs shardedSubscribers: true (ioredis 5.9.0 or later; installed ${installedVersion('ioredis')}) for sharded pub/sub`;
  if (
    !(
      typeof slotsRefreshInterval === 'number' &&
      slotsRefreshInterval > 0 &&
      slotsRefreshInterval <= CURSOR_SKEW_MARGIN_MS
    )
  )
    return `an ioredis Cluster subscriber needs slotsRefreshInterval between 1 and ${CURSOR_SKEW_MARGIN_MS} ms (IOREDIS_CLUSTER_SLOTS_REFRESH_MS): without a periodic slot refresh ioredis ${installedVersion('ioredis')} never re-subscribes after a failover (measured); @syncbell/socketio/container's createRedis({ cluster: true }) sets it`;
  return undefined;
}
