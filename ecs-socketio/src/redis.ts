import { Redis, type RedisOptions } from 'ioredis';
import { createClient } from 'redis';
import { fromIoredis, fromNodeRedis, type RedisClientKind, type RedisLike } from './redis-client.js';

export interface RedisConnectionOptions {
  url: string;
  authToken?: string | undefined;
  /** Shown in Redis `CLIENT LIST`; helps when debugging who holds a connection. */
  name: string;
  /** @default 'ioredis' */
  client?: RedisClientKind;
}

/** Reconnect forever with a capped delay: Redis restarts are an expected event. */
const reconnectDelayMs = (attempt: number) => Math.min(50 * 2 ** attempt, 2000);

/**
 * A connection of either client, reconnecting forever and queueing commands while disconnected.
 * Both restore SUBSCRIBE/PSUBSCRIBE after a reconnect (ioredis's `autoResubscribe`; node-redis 5
 * re-subscribes before it reports `ready`), measured in test/ecs-socketio/redis-restart.test.ts.
 */
export function createRedis(
  { url, authToken, name, client = 'ioredis' }: RedisConnectionOptions,
  overrides: RedisOptions = {},
): RedisLike {
  if (client === 'node-redis') {
    // rediss:// turns TLS on by itself in node-redis.
    const nodeRedis = createClient({
      url,
      name,
      ...(authToken ? { password: authToken } : {}),
      socket: { reconnectStrategy: reconnectDelayMs },
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
