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
 * The oldest ioredis whose Cluster carries the sharded adapter through a failover and a slot
 * migration, given `IOREDIS_CLUSTER_UNPIPELINED_COMMANDS` (chaos ecs-redis-cluster-*-ioredis, 120
 * users, measured with 6.1.0). 5.11.1 dropped a re-subscription that a node refused with MOVED
 * during a slot migration (12 to 235 notifications lost at 300 users); 6.1.0 retries those.
 */
export const IOREDIS_CLUSTER_MIN_VERSION = '6.1.0';

/**
 * The commands an ioredis Cluster subscriber must not auto-pipeline (`autoPipeliningIgnoredCommands`).
 *
 * The cause of the channels ioredis 6.1.0 left unsubscribed after a failover (6 of 120 users in the
 * chaos run; a whole shard's in a script that SSUBSCRIBEs 120 channels in one tick): with
 * `enableAutoPipelining`, SSUBSCRIBEs issued in one tick for channels of one primary go out as one
 * pipeline (ssubscribe and sunsubscribe are not in its `notAllowedAutoPipelineCommands`,
 * ioredis/built/autoPipelining.js:10). `Cluster.sendCommand` routes only a pipeline's first command
 * through the sharded subscriber group; the others take the connection the first one got
 * (`if (node && node.redis)`, ioredis/built/cluster/index.js:555), so they are subscribed but never
 * recorded (`ClusterSubscriberGroup.addChannels`, ClusterSubscriberGroup.js:104). After a topology
 * change ioredis re-subscribes only what it recorded (`resubscribeSubscriber`,
 * ClusterSubscriberGroup.js:382): the rest are gone for good. The adapter SSUBSCRIBEs a user's room
 * as the socket joins, so sockets connecting together hit it. An SUNSUBSCRIBE pipelined the same
 * way stays recorded and is re-subscribed after the next topology change.
 */
export const IOREDIS_CLUSTER_UNPIPELINED_COMMANDS = ['ssubscribe', 'sunsubscribe'] as const;

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
 * migration, or undefined when it can. ioredis: IOREDIS_CLUSTER_MIN_VERSION or later, with
 * `shardedSubscribers: true` (one subscriber per primary), a periodic slot refresh, and, when it
 * auto-pipelines, IOREDIS_CLUSTER_UNPIPELINED_COMMANDS left out of the pipelines. node-redis
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
  // An unknown version (its package.json not resolvable) is judged by its options alone, as before.
  if (ioredisVersion !== 'unknown' && !atMost(IOREDIS_CLUSTER_MIN_VERSION, ioredisVersion))
    return `ioredis ${ioredisVersion}'s Cluster drops a sharded re-subscription that a node refuses with MOVED during a slot migration (measured with 5.11.1), so those users stop getting notifications live. Install ioredis ${IOREDIS_CLUSTER_MIN_VERSION} or later, or use node-redis 6 for the subscriber`;
  const { shardedSubscribers, slotsRefreshInterval, enableAutoPipelining, autoPipeliningIgnoredCommands } = (
    subscriber.client as IoredisClient
  ).options as {
    shardedSubscribers?: boolean;
    slotsRefreshInterval?: number;
    enableAutoPipelining?: boolean;
    autoPipeliningIgnoredCommands?: string[];
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
  const ignored = autoPipeliningIgnoredCommands ?? [];
  if (
    enableAutoPipelining === true &&
    !IOREDIS_CLUSTER_UNPIPELINED_COMMANDS.every((command) => ignored.includes(command))
  )
    return `an ioredis Cluster subscriber with enableAutoPipelining needs autoPipeliningIgnoredCommands: ['ssubscribe', 'sunsubscribe'] (IOREDIS_CLUSTER_UNPIPELINED_COMMANDS): ioredis ${ioredisVersion} records only the first SSUBSCRIBE of an auto-pipelined batch, so after a failover or a slot migration it does not re-subscribe the others and those users stop getting notifications live (measured); @syncbell/socketio/container's createRedis({ cluster: true }) sets it`;
  return undefined;
}
