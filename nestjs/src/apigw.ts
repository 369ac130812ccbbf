/**
 * `@syncbell/nestjs/apigw`: the API Gateway variant. Everything of `@syncbell/nestjs`, plus
 * `forRoot({ variant: 'apigw', apigw })`'s options (`SyncbellApiGwOptions`). Needs @syncbell/apigw;
 * no socket.io package.
 */
export * from './index.js';
export type { SyncbellApiGwOptions } from './apigw-options.js';
