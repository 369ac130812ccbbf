import type { BeforeApplicationShutdown, OnApplicationShutdown } from '@nestjs/common';
import type { Namespace, Server } from 'socket.io';
import type { RedisLike, SocketIoPublisher, SyncbellAttachment } from '@syncbell/socketio';
import { SyncbellSetupError } from './errors.js';
import type { SyncbellSocketIoOptions } from './socketio-options.js';

/** The namespace syncbell's gateway serves and its publisher emits to: your gateways keep `/` and any other. */
export const SYNCBELL_NAMESPACE = '/syncbell';

type AdapterConstructor = NonNullable<Parameters<Server['adapter']>[0]>;
type SocketIoModule = typeof import('@syncbell/socketio');

/**
 * The socket.io variant's running parts, made once per app by the module: the publisher on your
 * client, and, in a process that serves sockets, the adapter's subscriber connection (a duplicate
 * of your client, opened on first use and closed here), the adapter, and the attachment of
 * syncbell to its namespace. A process that only publishes (a worker's
 * `NestFactory.createApplicationContext`) opens nothing beyond your client.
 */
export class SocketIoRuntime implements BeforeApplicationShutdown, OnApplicationShutdown {
  /** The servers `SyncbellIoAdapter` made, so with the Redis adapter set. */
  readonly servers = new WeakSet<Server>();
  readonly publisher: SocketIoPublisher;
  #subscriber: RedisLike | undefined;
  #adapterConstructor: AdapterConstructor | undefined;
  #attachment: SyncbellAttachment | undefined;

  private constructor(
    private readonly socketio: SocketIoModule,
    private readonly redis: RedisLike,
    private readonly options: SyncbellSocketIoOptions,
  ) {
    this.publisher = socketio.createSocketIoPublisher({
      redis,
      adapter: options.adapter ?? 'classic',
      namespace: SYNCBELL_NAMESPACE,
      ...(options.replay ? { replay: options.replay } : {}),
    });
  }

  static async create(options: SyncbellSocketIoOptions): Promise<SocketIoRuntime> {
    if (!options?.redis) {
      throw new SyncbellSetupError(
        "SyncbellModule needs `redis`, your ioredis or node-redis client: SyncbellModule.forRoot({ redis: new Redis(process.env.REDIS_URL) }) (or variant: 'apigw')",
      );
    }
    const socketio = await importVariant();
    return new SocketIoRuntime(socketio, socketio.asRedisLike(options.redis), options);
  }

  private get subscriber(): RedisLike {
    this.#subscriber ??= this.redis.duplicate('syncbell:nestjs:sub');
    return this.#subscriber;
  }

  /** The @socket.io/redis-adapter on your client and the module's subscriber (what `SyncbellIoAdapter` sets). */
  get adapterConstructor(): AdapterConstructor {
    this.#adapterConstructor ??= this.socketio.syncbellAdapter({
      pub: this.redis,
      sub: this.subscriber,
      kind: this.options.adapter ?? 'classic',
    });
    return this.#adapterConstructor;
  }

  attach(namespace: Namespace): void {
    if (!this.servers.has(namespace.server)) {
      throw new SyncbellSetupError(
        "syncbell's gateway server has no Redis adapter, so a notification published on another instance would never reach it: set it before the app starts, app.useWebSocketAdapter(new SyncbellIoAdapter(app))",
      );
    }
    const { redis: _yours, verify, jwtKey, adapter, ...attachOptions } = this.options;
    this.#attachment = this.socketio.attachSyncbell(namespace, {
      ...attachOptions,
      redis: this.redis,
      subscriber: this.subscriber,
      adapter: adapter ?? 'classic',
      // Neither given: attachSyncbell's own rule (JWT_SECRET; refused unset in production, the
      // development secret with one warning elsewhere), the same as every syncbell server's.
      ...(verify ? { verify } : { jwtKey }),
    });
  }

  /**
   * Resolves once the adapter's subscriptions are in place. `app.listen()` otherwise resolved while
   * the subscriber's PSUBSCRIBE could still be on its way: a browser could connect and resume,
   * and a publish arriving before the subscription would be lost live (the likely cause of one
   * timed-out delivery in test/nestjs on a loaded machine). The adapters subscribe when each
   * namespace is created, before the app's
   * init hooks; Redis answers in order, so once a PING behind them is answered, they are too.
   */
  async subscribed(): Promise<void> {
    await this.#subscriber?.call('PING');
  }

  /** What `attachSyncbell` returned (its metrics, its sockets), once the gateway is up. */
  get attachment(): SyncbellAttachment | undefined {
    return this.#attachment;
  }

  /** Before Nest closes the socket.io servers: syncbell's sockets go and its pending replay reads finish. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.#attachment?.close();
  }

  async onApplicationShutdown(): Promise<void> {
    const subscriber = this.#subscriber;
    if (!subscriber) return;
    // Nest has closed the socket.io servers by now. The adapter's close sends (P)UNSUBSCRIBE
    // without waiting for the answers; a QUIT right behind them turned each into an unhandled
    // rejection (see @syncbell/socketio's server close). Redis answers in order: once a PING
    // behind them is answered, they are too.
    await subscriber.call('PING').catch(() => undefined);
    await subscriber.quit().catch(() => subscriber.disconnect());
  }
}

async function importVariant(): Promise<SocketIoModule> {
  try {
    return await import('@syncbell/socketio');
  } catch (error) {
    throw new SyncbellSetupError(
      "SyncbellModule's socket.io variant needs @syncbell/socketio: npm install @syncbell/socketio",
      { cause: error },
    );
  }
}
