/**
 * `@syncbell/nestjs`: what every Nest app of either variant uses, `SyncbellModule` and the
 * injectable `SyncbellPublisher`, with no socket.io or AWS type in its declarations. Import from
 * your variant's entry, which re-exports these: `@syncbell/nestjs/socketio` (adds
 * `SyncbellIoAdapter` and the socket.io options) or `@syncbell/nestjs/apigw` (the API Gateway
 * options).
 */
export { NestErrorCode, SyncbellSetupError } from './errors.js';
export { SyncbellModule } from './module.js';
export type * from './options.js';
export { SyncbellPublisher } from './publisher.js';
export { SYNCBELL_OPTIONS, SYNCBELL_SOCKETIO } from './tokens.js';
