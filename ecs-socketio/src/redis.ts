import { Redis, type RedisOptions } from 'ioredis';

export interface RedisConnectionOptions {
  url: string;
  authToken?: string | undefined;
  /** Shown in Redis `CLIENT LIST`; helps when debugging who holds a connection. */
  name: string;
}

/**
 * ioredis, not node-redis: it restores SUBSCRIBE/SSUBSCRIBE after a reconnect on its own
 * (`autoResubscribe`), where node-redis has been known not to (socket.io issue 4845,
 * redis-adapter issue 446). Commands issued while disconnected queue up and run on reconnect.
 */
export function createRedis(
  { url, authToken, name }: RedisConnectionOptions,
  overrides: RedisOptions = {},
): Redis {
  return new Redis(url, {
    connectionName: name,
    ...(authToken ? { password: authToken } : {}),
    ...(url.startsWith('rediss://') ? { tls: {} } : {}),
    // Reconnect forever with a capped delay: Redis restarts are an expected event.
    retryStrategy: (times) => Math.min(50 * 2 ** times, 2000),
    maxRetriesPerRequest: null,
    enableAutoPipelining: true,
    ...overrides,
  });
}
