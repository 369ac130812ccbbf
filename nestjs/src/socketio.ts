/**
 * `@syncbell/nestjs/socketio`: the socket.io variant. Everything of `@syncbell/nestjs`, plus
 * `SyncbellIoAdapter` for `app.useWebSocketAdapter`, syncbell's gateway and its runtime, and
 * `forRoot({ redis, ... })`'s options (`SyncbellSocketIoOptions`). Needs @syncbell/socketio and
 * socket.io; the main entry does not.
 */
export * from './index.js';
export { SyncbellGateway } from './gateway.js';
export { SyncbellIoAdapter } from './io-adapter.js';
export { SYNCBELL_NAMESPACE, SocketIoRuntime } from './socketio-runtime.js';
export type { SyncbellSocketIoOptions } from './socketio-options.js';
