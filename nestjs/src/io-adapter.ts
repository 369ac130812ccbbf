import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';
import { SyncbellSetupError } from './errors.js';
import type { SocketIoRuntime } from './socketio-runtime.js';
import { SYNCBELL_SOCKETIO } from './tokens.js';

/**
 * The `RedisIoAdapter` of the NestJS WebSockets docs ("Adapters": extend `IoAdapter`, give each
 * server it creates the @socket.io/redis-adapter), on the Redis connections `SyncbellModule` made
 * from your client, so a notification published on any instance reaches sockets on every other.
 * Every gateway of the app gets it, yours too (their `server.emit` crosses instances as well).
 *
 * ```ts
 * const app = await NestFactory.create(AppModule);
 * app.useWebSocketAdapter(new SyncbellIoAdapter(app));
 * await app.listen(3000);
 * ```
 */
export class SyncbellIoAdapter extends IoAdapter {
  constructor(private readonly app: INestApplicationContext) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    let runtime: SocketIoRuntime;
    try {
      runtime = this.app.get<SocketIoRuntime>(SYNCBELL_SOCKETIO, { strict: false });
    } catch (error) {
      throw new SyncbellSetupError(
        "SyncbellIoAdapter needs SyncbellModule's socket.io variant in the app: import SyncbellModule.forRoot({ redis }) in your AppModule",
        { cause: error },
      );
    }
    const server = super.createIOServer(port, options);
    server.adapter(runtime.adapterConstructor);
    runtime.servers.add(server);
    return server;
  }
}
