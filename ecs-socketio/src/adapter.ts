import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import type { ServerOptions } from 'socket.io';
import { ADAPTER_KEY } from './publisher.js';
import { type AnyRedis, asRedisLike } from './redis-client.js';
import type { SocketIoAdapterKind } from './socketio-publisher.js';

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
   * (Redis 7+), one channel per user room, reaching only the servers that hold the user; needs
   * ioredis (node-redis 5 does not restore thousands of SSUBSCRIBEd channels after a Redis restart).
   * @default 'classic'
   */
  kind?: SocketIoAdapterKind;
}

/**
 * The @socket.io/redis-adapter for syncbell's publisher: the same channel key (`ADAPTER_KEY`) the
 * publisher writes to. `new Server(http, { adapter: syncbellAdapter({ pub, sub }) })`.
 */
export function syncbellAdapter({
  pub,
  sub,
  kind = 'classic',
}: SyncbellAdapterOptions): SyncbellAdapterFactory {
  const pubClient = asRedisLike(pub).client;
  const subClient = asRedisLike(sub).client;
  return kind === 'sharded'
    ? createShardedAdapter(pubClient, subClient, { channelPrefix: ADAPTER_KEY })
    : createAdapter(pubClient, subClient, { key: ADAPTER_KEY });
}
