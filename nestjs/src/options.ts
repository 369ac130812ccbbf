import type { ModuleMetadata } from '@nestjs/common';
import type { ApiGwPublisherOptions } from '@syncbell/apigw/publisher';
import type { AnyRedis, AttachSyncbellOptions, SocketIoAdapterKind } from '@syncbell/socketio';

/** Where notifications reach browsers: socket.io containers behind a load balancer, or API Gateway WebSockets. */
export type SyncbellVariant = 'socketio' | 'apigw';

/** What `verify` answers for a handshake token it accepts. */
export interface VerifiedUser {
  userId: string;
}

/** The socket.io variant (ECS): the module runs the Redis adapter, attaches syncbell and publishes through Redis. */
export interface SyncbellSocketIoOptions
  extends Pick<
    AttachSyncbellOptions,
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
  /**
   * Your own check of the token a browser connects with: it names the user (the only source of
   * the user id). Give this or `jwtKey`.
   * @default none (then `jwtKey`)
   */
  verify?: (token: string) => Promise<VerifiedUser>;
  /**
   * The HS256 secret your users' tokens are signed with (`signToken` from @syncbell/server).
   * @default resolveJwtSecret().key (JWT_SECRET; refused unset in production, the dev secret elsewhere)
   */
  jwtKey?: Uint8Array | string;
  /** The socket.io Redis adapter every container runs. @default 'classic' */
  adapter?: SocketIoAdapterKind;
  replay?: {
    /** Notifications kept per user for resume. @default 1000 */
    maxLen?: number;
    /** @default 86400 */
    ttlSeconds?: number;
  };
}

/** The API Gateway variant: no socket.io server in the app; the publisher posts through `@connections`. */
export interface SyncbellApiGwOptions {
  apigw: ApiGwPublisherOptions;
}

export type SyncbellModuleOptions =
  | ({ variant?: 'socketio' } & SyncbellSocketIoOptions)
  | ({ variant: 'apigw' } & SyncbellApiGwOptions);

/** The options a variant's factory resolves to (`forRootAsync`). */
export type SyncbellOptionsFor<V extends SyncbellVariant> = V extends 'apigw'
  ? SyncbellApiGwOptions
  : SyncbellSocketIoOptions;

export interface SyncbellModuleAsyncOptions<V extends SyncbellVariant = 'socketio'>
  extends Pick<ModuleMetadata, 'imports'> {
  /**
   * Given here, not by the factory: the variant decides which providers exist (the gateway and the
   * adapter's Redis connections exist only for socket.io). Read it from the environment to switch
   * deployment model by configuration. @default 'socketio'
   */
  variant?: V;
  // biome-ignore lint/suspicious/noExplicitAny: Nest's own factory signature
  useFactory: (...args: any[]) => SyncbellOptionsFor<V> | Promise<SyncbellOptionsFor<V>>;
  // biome-ignore lint/suspicious/noExplicitAny: Nest's own injection tokens
  inject?: any[];
}
