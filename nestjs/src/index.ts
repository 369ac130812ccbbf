/**
 * `@syncbell/nestjs`: what every Nest app of either variant uses, `SyncbellModule` and the
 * injectable `SyncbellPublisher`, with no socket.io or AWS type in its declarations and no
 * socket.io module loaded at run time. Import from your variant's entry, which re-exports these:
 * `@syncbell/nestjs/socketio` (adds `SyncbellIoAdapter`, the socket.io options, and registers the
 * socket.io variant's providers) or `@syncbell/nestjs/apigw` (the API Gateway options).
 */
export { NestErrorCode, SyncbellSetupError } from './errors.js';
export { SyncbellModule } from './module.js';
export type * from './options.js';
export { SyncbellPublisher } from './publisher.js';
export { SYNCBELL_OPTIONS, SYNCBELL_SOCKETIO } from './tokens.js';
