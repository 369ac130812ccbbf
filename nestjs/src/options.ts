import type { ModuleMetadata } from '@nestjs/common';

/** Where notifications reach browsers: socket.io containers behind a load balancer, or API Gateway WebSockets. */
export type SyncbellVariant = 'socketio' | 'apigw';

/**
 * Each variant's options, by variant name, as its entry declares them: `@syncbell/nestjs/socketio`
 * adds `socketio` (picked from `attachSyncbell`'s options), `@syncbell/nestjs/apigw` adds `apigw`
 * (`createApiGwPublisher`'s). Declaration merging rather than an import here, so this entry's
 * `.d.ts` references neither @syncbell/socketio (and socket.io) nor @syncbell/apigw (and the AWS
 * SDK): an app type-checks, `skipLibCheck: false`, with only the variant it installs
 * (test/cli/pack-install.test.ts checks a project of each). A variant whose entry no file of the
 * program imports is not in `SyncbellModuleOptions`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by the variant entries' module augmentation
export interface SyncbellVariants {}

/** The options a variant's factory resolves to (`forRootAsync`). */
export type SyncbellOptionsFor<V extends SyncbellVariant> = V extends keyof SyncbellVariants
  ? SyncbellVariants[V]
  : never;

/** `forRoot`'s options: socket.io's (the default, `variant` optional) or `{ variant: 'apigw', apigw }`. */
export type SyncbellModuleOptions = {
  [V in keyof SyncbellVariants]: (V extends 'socketio' ? { variant?: V } : { variant: V }) &
    SyncbellVariants[V];
}[keyof SyncbellVariants];

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
