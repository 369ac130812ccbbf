import type { SocketIoPublisher } from '@syncbell/socketio';
import { SyncbellGateway } from './gateway.js';
import { registerSyncbellVariant } from './module.js';
import { SyncbellPublisher } from './publisher.js';
import type { SyncbellSocketIoOptions } from './socketio-options.js';
import { SocketIoRuntime } from './socketio-runtime.js';
import { SYNCBELL_OPTIONS, SYNCBELL_SOCKETIO } from './tokens.js';

/**
 * `@syncbell/nestjs/socketio`: the socket.io variant. Everything of `@syncbell/nestjs`, plus
 * `SyncbellIoAdapter` for `app.useWebSocketAdapter`, syncbell's gateway and its runtime, and
 * `forRoot({ redis, ... })`'s options (`SyncbellSocketIoOptions`). Needs @syncbell/socketio,
 * socket.io and @nestjs/websockets; the main entry loads none of them. Importing this entry
 * registers the variant's providers with `SyncbellModule` (its one side effect, declared in
 * package.json `sideEffects`): `forRoot({ redis })` without it refuses, naming this entry.
 */
export * from './index.js';
export { SyncbellGateway } from './gateway.js';
export { SyncbellIoAdapter } from './io-adapter.js';
export { SYNCBELL_NAMESPACE, SocketIoRuntime } from './socketio-runtime.js';
export type { SyncbellSocketIoOptions } from './socketio-options.js';

registerSyncbellVariant('socketio', {
  providers: [
    {
      provide: SYNCBELL_SOCKETIO,
      useFactory: (resolved: SyncbellSocketIoOptions) => SocketIoRuntime.create(resolved),
      inject: [SYNCBELL_OPTIONS],
    },
    {
      provide: SyncbellPublisher,
      useFactory: (runtime: SocketIoRuntime): SocketIoPublisher => runtime.publisher,
      inject: [SYNCBELL_SOCKETIO],
    },
    SyncbellGateway,
  ],
  exports: [SyncbellPublisher, SYNCBELL_SOCKETIO],
});
