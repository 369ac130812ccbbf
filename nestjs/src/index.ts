/**
 * `@syncbell/nestjs`: `SyncbellModule.forRoot({ redis })` (or `{ variant: 'apigw', apigw }`),
 * `SyncbellIoAdapter` for `app.useWebSocketAdapter`, and the injectable `SyncbellPublisher`.
 */
export { NestErrorCode, SyncbellSetupError } from './errors.js';
export { SyncbellGateway } from './gateway.js';
export { SyncbellIoAdapter } from './io-adapter.js';
export { SyncbellModule } from './module.js';
export type * from './options.js';
export { SyncbellPublisher } from './publisher.js';
export { SYNCBELL_NAMESPACE, SocketIoRuntime } from './socketio-runtime.js';
export { SYNCBELL_OPTIONS, SYNCBELL_SOCKETIO } from './tokens.js';
