import type { AnyRedis, AttachSyncbellOptions } from '@syncbell/socketio';

/**
 * The socket.io variant (ECS): the module runs the Redis adapter, attaches syncbell and publishes
 * through Redis. Every option but `redis` is `attachSyncbell`'s own (`AttachSyncbellOptions`),
 * picked rather than re-declared, so the two cannot drift: the same names, types, defaults and docs.
 */
export interface SyncbellSocketIoOptions
  extends Pick<
    AttachSyncbellOptions,
    | 'jwtKey'
    | 'verify'
    | 'adapter'
    | 'replay'
    | 'serverId'
    | 'trustProxy'
    | 'maxConnectionsPerAddress'
    | 'maxFramesPerSecond'
    | 'registry'
    | 'logger'
    | 'releaseHandshake'
  > {
  /**
   * Your Redis client, ioredis (`new Redis(url)`) or node-redis (`createClient({ url })`,
   * connected or not). The publisher and the adapter's publishing side run on it and it is left
   * open when the app closes (it is yours); the adapter's subscriber is a duplicate the module opens
   * and closes.
   */
  redis: AnyRedis;
}

// The socket.io variant joins `SyncbellModuleOptions` wherever this entry is in the program
// (options.ts says why by augmentation).
declare module './options.js' {
  interface SyncbellVariants {
    socketio: SyncbellSocketIoOptions;
  }
}
