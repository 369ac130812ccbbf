import type { OnApplicationShutdown } from '@nestjs/common';
import type { Namespace, Server } from 'socket.io';
import type { RedisLike, SocketIoPublisher } from '@syncbell/socketio';
import { SyncbellSetupError } from './errors.js';
import type { SyncbellSocketIoOptions } from './options.js';

/** The namespace syncbell's gateway serves and its publisher emits to: your gateways keep `/` and any other. */
export const SYNCBELL_NAMESPACE = '/syncbell';

type AdapterConstructor = NonNullable<Parameters<Server['adapter']>[0]>;

/**
 * The socket.io variant's running parts, made once per app by the module: the adapter's
 * subscriber connection (a duplicate of your client, opened and closed here), the adapter both
 * sides of it feed, and the publisher. `SyncbellIoAdapter` gives the adapter to every socket.io
 * server Nest creates; `SyncbellGateway` attaches syncbell to its namespace.
 */
export class SocketIoRuntime implements OnApplicationShutdown {
  /** The servers `SyncbellIoAdapter` made, so with the Redis adapter set. */
  readonly servers = new WeakSet<Server>();

  private constructor(
    readonly publisher: SocketIoPublisher,
    readonly adapterConstructor: AdapterConstructor,
    private readonly subscriber: RedisLike,
    private readonly attachTo: (namespace: Namespace) => void,
  ) {}

  static async create(options: SyncbellSocketIoOptions): Promise<SocketIoRuntime> {
    if (!options?.redis) {
      throw new SyncbellSetupError(
        "SyncbellModule needs `redis`, your ioredis or node-redis client: SyncbellModule.forRoot({ redis: new Redis(process.env.REDIS_URL) }) (or variant: 'apigw')",
      );
    }
    const socketio = await importVariant();
    const redis = socketio.asRedisLike(options.redis);
    const subscriber = redis.duplicate('syncbell:nestjs:sub');
    const adapter = options.adapter ?? 'classic';
    const publisher = socketio.createSocketIoPublisher({
      redis,
      adapter,
      namespace: SYNCBELL_NAMESPACE,
      ...(options.replay ? { replay: options.replay } : {}),
    });
    const adapterConstructor = socketio.syncbellAdapter({ pub: redis, sub: subscriber, kind: adapter });
    const attachTo = (namespace: Namespace) => {
      socketio.attachSyncbell(namespace, {
        redis,
        subscriber,
        ...(options.verify ? { verify: options.verify } : {}),
        ...(options.replay ? { replay: options.replay } : {}),
      });
    };
    return new SocketIoRuntime(publisher, adapterConstructor, subscriber, attachTo);
  }

  attach(namespace: Namespace): void {
    if (!this.servers.has(namespace.server)) {
      throw new SyncbellSetupError(
        "syncbell's gateway server has no Redis adapter: a notification published on another instance would never reach it. Set the adapter before the app starts: app.useWebSocketAdapter(new SyncbellIoAdapter(app)).",
      );
    }
    this.attachTo(namespace);
  }

  async onApplicationShutdown(): Promise<void> {
    // Nest has closed the socket.io servers by now. The adapter's close sends (P)UNSUBSCRIBE
    // without waiting for the answers; a QUIT right behind them turned each into an unhandled
    // rejection (see @syncbell/socketio's server close). Redis answers in order: once a PING
    // behind them is answered, they are too.
    await this.subscriber.call('PING').catch(() => undefined);
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }
}

async function importVariant() {
  try {
    return await import('@syncbell/socketio');
  } catch (error) {
    throw new SyncbellSetupError(
      "SyncbellModule's socket.io variant needs @syncbell/socketio: npm install @syncbell/socketio",
      { cause: error },
    );
  }
}
