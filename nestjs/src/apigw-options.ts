import type { ApiGwPublisherOptions } from '@syncbell/apigw/publisher';

/**
 * The API Gateway variant: no socket.io server in the app; the publisher posts through
 * `@connections`. `apigw` is `createApiGwPublisher`'s options as @syncbell/apigw declares them,
 * not re-declared: every one applies here, so the type itself rather than a `Pick` of each key.
 */
export interface SyncbellApiGwOptions {
  apigw: ApiGwPublisherOptions;
}

// The API Gateway variant joins `SyncbellModuleOptions` wherever this entry is in the program
// (options.ts says why by augmentation).
declare module './options.js' {
  interface SyncbellVariants {
    apigw: SyncbellApiGwOptions;
  }
}
