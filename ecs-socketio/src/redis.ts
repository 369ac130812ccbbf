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

/**
 * The newest ioredis measured to leave sharded channels unsubscribed after a topology change, as a
 * cluster subscriber. 5.11.1 dropped a re-subscription that a node refused with MOVED during a slot
 * migration (12 to 235 notifications lost at 300 users); 6.1.0 retries those, yet still left 6 of
 * 120 users' channels unsubscribed 38 s after a CLUSTER FAILOVER and 2 of 12 after a slot
 * migration (chaos ecs-redis-cluster-*; their notifications reached them only through the SDK's
 * catch-up). Versions up to this one are refused; a later one is accepted (to be measured).
 */
export const IOREDIS_CLUSTER_LAST_FAILING = '6.1.0';

const installedVersion = (name: string): string => {
  try {
    return (nodeModule.createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
};

const majorOf = (version: string) => Number(version.split('.')[0]);

/** `a` is at most `b`, comparing major.minor.patch numerically (pre-release tags ignored). */
const atMost = (a: string, b: string) => {
  const [x, y] = [a, b].map((v) => v.split(/[.-]/).slice(0, 3).map(Number));
  for (let i = 0; i < 3; i++) if ((x?.[i] ?? 0) !== (y?.[i] ?? 0)) return (x?.[i] ?? 0) < (y?.[i] ?? 0);
  return true;
};

/**
 * Why a cluster subscriber cannot carry the sharded adapter through a failover and a slot
 * migration, or undefined when it can. ioredis: every version measured so far is refused (see
 * IOREDIS_CLUSTER_LAST_FAILING); a later one also needs `shardedSubscribers: true` (one
 * subscriber per primary) and a periodic slot refresh. node-redis
 * 5 (5.12.1 measured here) lost the channels of the primary that failed over and never restored
 * them; node-redis 6 restores them (its 6.0 release notes: "cluster pubsub fixes for ... sharded
 * topology recovery"; measured with 6.4.0 by the cluster chaos scenarios). The version is the
 * package syncbell resolves (the one `createRedis` builds with) unless given.
 */
export function clusterSubscriberProblem(
  subscriber: RedisLike,
  version = installedVersion(subscriber.kind === 'node-redis' ? 'redis' : 'ioredis'),
): string | undefined {
  if (!subscriber.cluster) return undefined;
  if (subscriber.kind === 'node-redis') {
    return majorOf(version) >= NODE_REDIS_CLUSTER_MIN_MAJOR
      ? undefined
      : `node-redis ${version}'s cluster client loses the sharded adapter's channels of a primary that fails over and never restores them (measured on Redis 7.0 with CLUSTER FAILOVER), so those users stop getting notifications live. Install redis 6 or later`;
  }
  const ioredisVersion = version;
  if (atMost(ioredisVersion, IOREDIS_CLUSTER_LAST_FAILING))
    return `ioredis ${ioredisVersion}'s Cluster leaves some sharded channels unsubscribed after a failover or a slot migration (measured with 5.11.1 and 6.1.0), so those users stop getting notifications live. On a Redis Cluster use node-redis 6 for the subscriber (createRedis({ client: 'node-redis', cluster: true }) of @syncbell/socketio/container, or createCluster from redis)`;
  const { shardedSubscribers, slotsRefreshInterval } = (subscriber.client as IoredisClient).options as {
    shardedSubscribers?: boolean;
    slotsRefreshInterval?: number;
  };
  if (shardedSubscribers !== true)
    return `an ioredis Cluster subscriber needs shardedSubscribers: true (ioredis 5.9.0 or later; installed ${ioredisVersion}) for sharded pub/sub`;
  if (
    !(
      typeof slotsRefreshInterval === 'number' &&
      slotsRefreshInterval > 0 &&
      slotsRefreshInterval <= CURSOR_SKEW_MARGIN_MS
    )
  )
    return `an ioredis Cluster subscriber needs slotsRefreshInterval between 1 and ${CURSOR_SKEW_MARGIN_MS} ms (IOREDIS_CLUSTER_SLOTS_REFRESH_MS): without a periodic slot refresh ioredis ${ioredisVersion} never re-subscribes after a failover (measured); @syncbell/socketio/container's createRedis({ cluster: true }) sets it`;
  return undefined;
}
