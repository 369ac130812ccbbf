import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { createClient, createCluster } from 'redis';
import {
  IOREDIS_CLUSTER_SLOTS_REFRESH_MS,
  IOREDIS_CLUSTER_UNPIPELINED_COMMANDS,
  NODE_REDIS_WRITE_BUFFER_BYTES,
} from '../src/redis.js';
import {
  fromIoredis,
  fromNodeRedis,
  fromNodeRedisCluster,
  type NodeRedisClusterClient,
  type RedisClientKind,
  type RedisLike,
} from '../src/redis-client.js';

/*
 * The container's Redis connections, from its environment (REDIS_URL, REDIS_CLIENT, REDIS_CLUSTER):
 * the one module that imports both clients by value. The library entry (`@syncbell/socketio`)
 * never does: an app passes the client it installed and the library wraps it by its shape
 * (`asRedisLike`), so `ioredis` and `redis` are optional peer dependencies.
 */

export interface RedisConnectionOptions {
  url: string;
  authToken?: string | undefined;
  /** Shown in Redis `CLIENT LIST`; helps when debugging who holds a connection. */
  name: string;
  /** @default 'ioredis' */
  client?: RedisClientKind;
  /**
   * `url` is one node of a Redis Cluster (ElastiCache's configuration endpoint with cluster mode
   * enabled); the client discovers the others and routes each command by its key's slot.
   * @default false
   */
  cluster?: boolean;
}

/**
 * node-redis 6 rejects a command that has no reply after 5 s (`commandTimeout`, new in 6.0); v5
 * and ioredis (`maxRetriesPerRequest: null`) queue commands until Redis is back. syncbell's
 * clients keep queueing, so a publish during a failover or a Redis restart waits for it instead of
 * failing (`timeout: undefined` opts out: @redis/client's commands-queue).
 */
const NODE_REDIS_COMMAND_OPTIONS = { timeout: undefined };

/** Reconnect forever with a capped delay: Redis restarts are an expected event. */
const reconnectDelayMs = (attempt: number) => Math.min(50 * 2 ** attempt, 2000);

/**
 * A connection of either client, reconnecting forever and queueing commands while disconnected.
 * Both restore SUBSCRIBE/PSUBSCRIBE/SSUBSCRIBE after a reconnect (ioredis's `autoResubscribe`;
 * node-redis re-subscribes before it reports `ready`), measured in
 * test/ecs-socketio/redis-restart.test.ts and sharded-resubscribe.test.ts.
 */
export function createRedis(
  { url, authToken, name, client = 'ioredis', cluster = false }: RedisConnectionOptions,
  overrides: RedisOptions = {},
): RedisLike {
  if (cluster) return createClusterRedis({ url, authToken, name, client }, overrides);
  if (client === 'node-redis') {
    // Passed on to net.createConnection; node-redis's own type does not list net.Socket options.
    const socket = {
      reconnectStrategy: reconnectDelayMs,
      writableHighWaterMark: NODE_REDIS_WRITE_BUFFER_BYTES,
    };
    // rediss:// turns TLS on by itself in node-redis.
    const nodeRedis = createClient({
      url,
      name,
      ...(authToken ? { password: authToken } : {}),
      socket,
      commandOptions: NODE_REDIS_COMMAND_OPTIONS,
    });
    return fromNodeRedis(nodeRedis);
  }
  return fromIoredis(
    new Redis(url, {
      connectionName: name,
      ...(authToken ? { password: authToken } : {}),
      ...(url.startsWith('rediss://') ? { tls: {} } : {}),
      retryStrategy: reconnectDelayMs,
      maxRetriesPerRequest: null,
      enableAutoPipelining: true,
      ...overrides,
    }),
  );
}

/**
 * A Redis Cluster client of either kind, seeded with `url`. Sharded pub/sub on a cluster needs a
 * connection per primary that holds a subscribed channel's slot: ioredis opens them with
 * `shardedSubscribers: true` (ioredis 5.9.0 and later), node-redis always does.
 */
function createClusterRedis(
  {
    url,
    authToken,
    name,
    client,
  }: Required<Omit<RedisConnectionOptions, 'authToken' | 'cluster'>> &
    Pick<RedisConnectionOptions, 'authToken'>,
  overrides: RedisOptions,
): RedisLike {
  const { hostname, port } = new URL(url);
  const tls = url.startsWith('rediss://');
  if (client === 'node-redis') {
    // The same write threshold as a single node's (see NODE_REDIS_WRITE_BUFFER_BYTES), passed on
    // to net.createConnection; `tls` as the URL says (each node's connection reads its socket
    // options, not the seed URL).
    const socket = {
      reconnectStrategy: reconnectDelayMs,
      writableHighWaterMark: NODE_REDIS_WRITE_BUFFER_BYTES,
      ...(tls ? { tls: true as const } : {}),
    };
    const nodeRedis = createCluster({
      rootNodes: [{ url }],
      commandOptions: NODE_REDIS_COMMAND_OPTIONS,
      defaults: { name, ...(authToken ? { password: authToken } : {}), socket },
    });
    return fromNodeRedisCluster(nodeRedis as unknown as NodeRedisClusterClient);
  }
  return fromIoredis(
    new Cluster([{ host: hostname, port: Number(port || 6379) }], {
      shardedSubscribers: true,
      slotsRefreshInterval: IOREDIS_CLUSTER_SLOTS_REFRESH_MS,
      enableAutoPipelining: true,
      // Else ioredis 6.1.0 forgets all but the first of the SSUBSCRIBEs pipelined together and
      // never re-subscribes them after a failover (see IOREDIS_CLUSTER_UNPIPELINED_COMMANDS).
      autoPipeliningIgnoredCommands: [...IOREDIS_CLUSTER_UNPIPELINED_COMMANDS],
      clusterRetryStrategy: reconnectDelayMs,
      // ElastiCache's TLS certificates name the node's host name, which ioredis would otherwise
      // replace with the resolved IP (ioredis README, "Special note: AWS ElastiCache Clusters with TLS").
      ...(tls
        ? {
            dnsLookup: (address: string, done: (error: null, address: string) => void) => done(null, address),
          }
        : {}),
      redisOptions: {
        connectionName: name,
        ...(authToken ? { password: authToken } : {}),
        ...(tls ? { tls: {} } : {}),
        retryStrategy: reconnectDelayMs,
        maxRetriesPerRequest: null,
        ...overrides,
      },
    }),
  );
}
