import type { Redis } from 'ioredis';

/** The two Redis clients the ECS variant runs on; both go through the whole ECS test suite. */
export const REDIS_CLIENT_KINDS = ['ioredis', 'node-redis'] as const;
export type RedisClientKind = (typeof REDIS_CLIENT_KINDS)[number];

/**
 * What syncbell uses of a node-redis v5 client (`createClient()` from `redis`). Structural, so a
 * client with any modules, scripts or RESP version fits; syncbell's raw commands assume RESP2
 * replies (the default), so leave `RESP` unset.
 */
export interface NodeRedisClient {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  sendCommand(args: (string | Buffer)[]): Promise<unknown>;
  multi(): { addCommand(args: (string | Buffer)[]): unknown; exec(): Promise<unknown> };
  duplicate(overrides: { name: string }): NodeRedisClient;
  // biome-ignore lint/suspicious/noExplicitAny: EventEmitter's own listener type
  on(event: string, listener: (...args: any[]) => void): unknown;
  close(): Promise<void>;
  destroy(): void;
}

export type RedisArg = string | number | Buffer;

/** What the replay log, the job queue and the worker accept: either client, or one already wrapped. */
export type AnyRedis = Redis | NodeRedisClient | RedisLike;

/**
 * What syncbell needs from a Redis connection, written once for ioredis and node-redis.
 *
 * Hand-written because no library abstracts both clients' raw commands: ioredis has
 * `call(name, ...args)`, node-redis `sendCommand([name, ...args])`; they differ in how they report
 * a failed MULTI, how they name the connection and their events (ioredis `close`, node-redis
 * `reconnecting`/`end`), and node-redis must be `connect()`ed (and each duplicate too). Both return
 * the same RESP2 replies for raw commands (strings, numbers, nested arrays), so the replay log, the
 * job queue and their scripts are written once on raw commands (XADD, XRANGE, EVAL, XREADGROUP...).
 */
export interface RedisLike {
  readonly kind: RedisClientKind;
  /** The client itself, for the libraries that take it directly (the socket.io adapter). */
  readonly client: Redis | NodeRedisClient;
  /** Connected, and (for a subscriber) its subscriptions restored. */
  readonly isReady: boolean;
  /** Runs one command. While disconnected, both clients queue it until they are back. */
  call(command: string, ...args: RedisArg[]): Promise<unknown>;
  /** MULTI ... EXEC; rejects with the first command's error if any command failed. */
  transaction(commands: RedisArg[][]): Promise<unknown[]>;
  /** Connected and ready (again). node-redis re-subscribes before it says so; ioredis after. */
  on(event: 'ready', listener: () => void): void;
  /** The connection was lost (both then reconnect on their own). */
  on(event: 'down', listener: () => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  /** A new connection to the same Redis, connecting, with its own name (a subscriber, a blocking reader). */
  duplicate(name: string): RedisLike;
  /** Waits for queued replies, then closes. */
  quit(): Promise<void>;
  /** Closes at once. */
  disconnect(): void;
}

export function fromIoredis(client: Redis): RedisLike {
  return {
    kind: 'ioredis',
    client,
    get isReady() {
      return client.status === 'ready';
    },
    call: (command, ...args) => client.call(command, ...args),
    async transaction(commands) {
      const results =
        (await client.multi(commands.map(([name, ...args]) => ['call', name, ...args])).exec()) ?? [];
      const failed = results.find(([error]) => error);
      if (failed?.[0]) throw failed[0];
      return results.map(([, reply]) => reply);
    },
    on(event: 'ready' | 'down' | 'error', listener: (error: Error) => void) {
      client.on(event === 'down' ? 'close' : event, listener);
    },
    duplicate: (name) => fromIoredis(client.duplicate({ connectionName: name })),
    quit: () => client.quit().then(() => undefined),
    disconnect: () => client.disconnect(),
  };
}

/** Wraps a node-redis client, connecting it if nobody has (commands are queued until it is ready). */
export function fromNodeRedis(client: NodeRedisClient): RedisLike {
  if (!client.isOpen) {
    // Not awaited, like ioredis's connect: the client retries by its reconnect strategy and queues
    // commands meanwhile. A failure to connect is reported through the `error` event.
    client.connect().catch(() => undefined);
  }
  const wrapped: RedisLike = {
    kind: 'node-redis',
    client,
    get isReady() {
      return client.isReady;
    },
    call: (command, ...args) => client.sendCommand([command, ...args.map(asArgument)]),
    async transaction(commands) {
      const multi = client.multi();
      for (const [name, ...args] of commands) multi.addCommand([String(name), ...args.map(asArgument)]);
      try {
        return (await multi.exec()) as unknown[];
      } catch (error) {
        // MultiErrorReply: surface the first failed command's error, as ioredis does.
        const { replies, errorIndexes } = error as { replies?: unknown[]; errorIndexes?: number[] };
        const first = errorIndexes?.[0];
        throw first !== undefined && replies?.[first] instanceof Error ? replies[first] : error;
      }
    },
    on(event: 'ready' | 'down' | 'error', listener: (error: Error) => void) {
      if (event === 'down') {
        client.on('reconnecting', listener);
        client.on('end', listener);
      } else client.on(event, listener);
    },
    duplicate: (name) => fromNodeRedis(client.duplicate({ name })),
    async quit() {
      if (client.isOpen) await client.close();
    },
    disconnect() {
      if (client.isOpen) client.destroy();
    },
  };
  return wrapped;
}

const asArgument = (arg: RedisArg): string | Buffer => (typeof arg === 'number' ? String(arg) : arg);

const wrappers = new WeakMap<object, RedisLike>();

/** Either client (or one already wrapped), as a `RedisLike`; the same client always gets the same wrapper. */
export function asRedisLike(client: AnyRedis): RedisLike {
  if ('kind' in client && 'transaction' in client) return client;
  let wrapped = wrappers.get(client);
  if (!wrapped) {
    // ioredis also has a `sendCommand` (taking a Command object), so test for it first by `status`.
    wrapped =
      'status' in client && typeof client.call === 'function'
        ? fromIoredis(client as Redis)
        : fromNodeRedis(client as NodeRedisClient);
    wrappers.set(client, wrapped);
  }
  return wrapped;
}
