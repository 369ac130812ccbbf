import { Inject, type OnModuleInit } from '@nestjs/common';
import { WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Namespace } from 'socket.io';
import { SYNCBELL_NAMESPACE, type SocketIoRuntime } from './socketio-runtime.js';
import { SYNCBELL_SOCKETIO } from './tokens.js';

/**
 * syncbell's gateway: its own namespace (`/syncbell`) on the app's socket.io server, so its
 * handshake auth, its events and its frame budget never meet your gateways' (on `/` or any other
 * namespace). Browsers connect the SDK to `https://your-app/syncbell`.
 */
@WebSocketGateway({ namespace: SYNCBELL_NAMESPACE })
export class SyncbellGateway implements OnModuleInit {
  @WebSocketServer() namespace!: Namespace;

  constructor(@Inject(SYNCBELL_SOCKETIO) private readonly runtime: SocketIoRuntime) {}

  // Attached here, not in `afterInit`: Nest calls that from an observable, where a setup error
  // would surface as an uncaught exception later; from `onModuleInit` it rejects `app.init()`.
  async onModuleInit(): Promise<void> {
    // No socket.io server in this process (a worker's application context): it only publishes.
    if (this.namespace === undefined) return;
    this.runtime.attach(this.namespace);
    // Nest awaits this before `app.listen()` resolves: no socket is served before Redis is.
    await this.runtime.subscribed();
  }
}
