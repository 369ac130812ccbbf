import type { ModuleMetadata } from '@nestjs/common';
import type { AnyRedis, AttachSyncbellOptions } from '@syncbell/socketio';

/** Where notifications reach browsers: socket.io containers behind a load balancer, or API Gateway WebSockets. */
export type SyncbellVariant = 'socketio' | 'apigw';

/** What `verify` answers for a handshake token it accepts. */
export interface VerifiedUser {
  userId: string;
}

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

/**
 * `createApiGwPublisher`'s options (`ApiGwPublisherOptions` of @syncbell/apigw), declared here
 * rather than imported: a socket.io-only app, without @syncbell/apigw, type-checks these
 * declarations too (`skipLibCheck: false`). The AWS clients are typed loosely for the same reason
 * (their types come with @syncbell/apigw's dependencies). test/nestjs/apigw.test.ts holds the two
 * in step: every `ApiGwPublisherOptions` is accepted here, and the plain fields mean the same there.
 */
export interface SyncbellApiGwPublisherOptions {
  /**
   * The stage's `@connections` endpoint: `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`
   * (the stack's `ManagementEndpoint` output), or serverless-offline's `http://localhost:3001`.
   */
  managementEndpoint: string;
  /** @default 'syncbell-connections' */
  connectionsTable?: string;
  /** @default 'syncbell-notifications' */
  notificationsTable?: string;
  /** @default 'byUser' */
  connectionsByUserIndex?: string;
  /** How long a notification stays replayable. @default 86400 */
  replayTtlSeconds?: number;
  /** Parallel `PostToConnection` calls per notification. @default 10 */
  notifyConcurrency?: number;
  /** @default the SDK's (AWS_REGION) */
  region?: string;
  /** DynamoDB endpoint override (dynalite, DynamoDB Local). @default the AWS endpoint */
  dynamodbEndpoint?: string;
  /** AWS credentials or a provider of them. @default the SDK's credential chain */
  credentials?: object;
  /** Your `DynamoDBDocumentClient` (left open). @default one created from the options above */
  ddb?: object;
  /** Your `ApiGatewayManagementApiClient` (left open). @default one created from the options above */
  management?: object;
  /** @syncbell/apigw's `Telemetry`. @default Powertools logger + EMF metrics */
  telemetry?: object;
}

/** The API Gateway variant: no socket.io server in the app; the publisher posts through `@connections`. */
export interface SyncbellApiGwOptions {
  apigw: SyncbellApiGwPublisherOptions;
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
