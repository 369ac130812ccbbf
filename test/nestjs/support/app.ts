import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Inject, Injectable, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import {
  SyncbellIoAdapter,
  SyncbellModule,
  type SyncbellModuleOptions,
  SyncbellPublisher,
} from '@syncbell/nestjs/socketio';

/** A service that ends a job, as an app's own would. */
@Injectable()
export class SyncJobs {
  constructor(@Inject(SyncbellPublisher) private readonly notifications: SyncbellPublisher) {}

  finish(userId: string, jobId: string) {
    return this.notifications.publish({ userId, type: 'sync.complete', jobId });
  }
}

/**
 * The app's own gateway on the same socket.io server: a handler named like syncbell's own event
 * (`resume`), one of its own, and a broadcast, on the default namespace `/` (a gateway with no
 * options, the most common kind) and without a syncbell token.
 */
@WebSocketGateway()
export class ChatGateway {
  @WebSocketServer() server!: Server;

  @SubscribeMessage('echo')
  echo(@MessageBody() body: unknown) {
    return { echoed: body };
  }

  @SubscribeMessage('resume')
  resume(@ConnectedSocket() socket: Socket) {
    return { mine: true, socket: socket.id };
  }

  announce(text: string) {
    this.server.emit('announce', text);
  }
}

export interface TestApp {
  app: INestApplication;
  url: string;
}

/** A Nest app with syncbell, the app's own service and gateway; `adapter: false` leaves the Redis adapter out. */
export async function startTestApp(
  options: SyncbellModuleOptions,
  { adapter = true }: { adapter?: boolean } = {},
): Promise<TestApp> {
  @Module({ imports: [SyncbellModule.forRoot(options)], providers: [SyncJobs, ChatGateway] })
  class AppModule {}

  const app = await NestFactory.create(AppModule, { logger: false, abortOnError: false });
  if (adapter) app.useWebSocketAdapter(new SyncbellIoAdapter(app));
  try {
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}` };
}
