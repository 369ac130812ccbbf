import { getKeyIndexes } from '@ioredis/commands';

/** The two Redis clients the ECS variant runs on; both go through the whole ECS test suite. */
export const REDIS_CLIENT_KINDS = ['ioredis', 'node-redis'] as const;
export type RedisClientKind = (typeof REDIS_CLIENT_KINDS)[number];

/**
 * What syncbell uses of a node-redis client (`createClient()` from `redis` 6). Structural, so a
 * client with any modules, scripts or RESP version fits (the one raw reply whose shape differs
 * between RESP2 and RESP3, XREADGROUP's, is read in both shapes).
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

/**
 * What syncbell uses of a node-redis cluster client (`createCluster()` from `redis`): commands
 * name the key they route by (`sendCommand(firstKey, isReadonly, args)`).
 */
export interface NodeRedisClusterClient {
  readonly isOpen: boolean;
  /** The primaries, each with its sharded pub/sub connection once one of its slots has a channel. */
  readonly masters: readonly { pubSub?: { client: { isReady: boolean } } | undefined }[];
  /** What it was created with (node-redis declares it public); `defaults` apply to every node's connection. */
  readonly _options: { defaults?: { socket?: object } & Record<string, unknown> };
  connect(): Promise<unknown>;
  sendCommand(
    firstKey: string | Buffer | undefined,
    isReadonly: boolean | undefined,
    args: (string | Buffer)[],
  ): Promise<unknown>;
  multi(): {
    addCommand(
      firstKey: string | Buffer | undefined,
      isReadonly: boolean | undefined,
      args: (string | Buffer)[],
    ): unknown;
    exec(): Promise<unknown>;
  };
  duplicate(overrides?: object): NodeRedisClusterClient;
  // biome-ignore lint/suspicious/noExplicitAny: EventEmitter's own listener type
  on(event: string, listener: (...args: any[]) => void): unknown;
  close(): Promise<void>;
  destroy(): void;
}

export type RedisArg = string | number | Buffer;

/**
 * What syncbell uses of an ioredis client, `new Redis()` or `new Cluster()` (ioredis sets
 * `isCluster` on both). Structural, as `NodeRedisClient` is: ioredis is an optional peer, so
 * @syncbell/socketio's types must not import it (an app with only `redis` installed type-checks
 * them with `skipLibCheck: false`). The container's `createRedis` passes real ioredis clients to
 * `fromIoredis`, so tsc checks that both fit.
 */
export interface IoredisClient {
  readonly status: string;
  readonly isCluster?: boolean;
  /** `RedisOptions` on a single node, `ClusterOptions` (with `redisOptions`) on a cluster. */
  readonly options: object;
  call(command: string, ...args: RedisArg[]): Promise<unknown>;
  multi(commands: unknown[][]): { exec(): Promise<[Error | null, unknown][] | null> };
  // biome-ignore lint/suspicious/noExplicitAny: ioredis's two clients take different options
  duplicate(...args: any[]): IoredisClient;
  // biome-ignore lint/suspicious/noExplicitAny: EventEmitter's own listener type
  on(event: string, listener: (...args: any[]) => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
}

/** What the replay log, the job queue and the worker accept: either client (single node or cluster), or one already wrapped. */
export type AnyRedis = IoredisClient | NodeRedisClient | NodeRedisClusterClient | RedisLike;

/**
 * What syncbell needs from a Redis connection, written once for ioredis and node-redis.
 *
 * Hand-written because no library abstracts both clients' raw commands: ioredis has
 * `call(name, ...args)`, node-redis `sendCommand([name, ...args])`; they differ in how they report
 * a failed MULTI, how they name the connection and their events (ioredis `close`, node-redis
 * `reconnecting`/`end`), and node-redis must be `connect()`ed (and each duplicate too). Both return
 * the same replies for the raw commands syncbell sends (strings, numbers, nested arrays; ioredis 6
 * maps RESP3 replies back to RESP2 shapes, node-redis 6 answers XREADGROUP with a map on RESP3),
 * so the replay log, the job queue and their scripts are written once on raw commands (XADD,
 * XRANGE, EVAL, XREADGROUP...).
 */
export interface RedisLike {
  readonly kind: RedisClientKind;
  /** A Redis Cluster client (ioredis `Cluster`, node-redis `createCluster`): commands route by key slot. */
  readonly cluster: boolean;
  /** The client itself, for the libraries that take it directly (the socket.io adapter). */
  readonly client: IoredisClient | NodeRedisClient | NodeRedisClusterClient;
  /** Connected, and (for a subscriber) its subscriptions restored. */
  readonly isReady: boolean;
  /** Runs one command. While disconnected, both clients queue it until they are back. */
  call(command: string, ...args: RedisArg[]): Promise<unknown>;
  /** MULTI ... EXEC; rejects with the first command's error if any command failed. */
  transaction(commands: RedisArg[][]): Promise<unknown[]>;
  /** Connected and ready (again). node-redis re-subscribes before it says so; ioredis after. */
  on(event: 'ready', listener: () => void): void;
  /**
   * The connection was lost (both then reconnect on their own). On a cluster client: a node's
   * connection was lost (a failover, a node restart), and `ready` follows once its sharded
   * subscriptions are back on the slots' current primaries.
   */
  on(event: 'down', listener: () => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  /** A new connection to the same Redis, connecting, with its own name (a subscriber, a blocking reader). */
  duplicate(name: string): RedisLike;
  /** Waits for queued replies, then closes. */
  quit(): Promise<void>;
  /** Closes at once. */
  disconnect(): void;
}

/** True for an ioredis `Cluster` (ioredis sets `isCluster` on both its clients). */
const isIoredisCluster = (client: IoredisClient): boolean => client.isCluster === true;

export function fromIoredis(client: IoredisClient): RedisLike {
  const cluster = isIoredisCluster(client);
  return {
    kind: 'ioredis',
    cluster,
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
      if (!cluster) return;
      // With `shardedSubscribers`, ioredis keeps one subscriber per primary: it reports one lost as
      // `-node`, then refreshes the slots and re-sends the SSUBSCRIBEs before `subscribersReady`.
      // It also re-sends them when a slot refresh finds slots moved (a resharding, a failover whose
      // old primary stayed up): Redis had dropped those channels' subscribers without closing the
      // connection, so nothing said `down`. `subscribersReady` then counts as down-and-back (this
      // listener runs before the `ready` ones registered after it): the outage recovery redelivers
      // from CURSOR_SKEW_MARGIN_MS before now, which covers the slot refresh interval.
      // The Errors below are never thrown: they are the argument of a `down`/`ready` signal (the
      // listener's type, as ioredis's own events), read for their message in a log line; no code.
      if (event === 'down') {
        client.on('-node', () => listener(new Error('a cluster node was lost')));
        client.on('subscribersReady', () => listener(new Error('the cluster topology changed')));
      }
      if (event === 'ready') client.on('subscribersReady', listener);
    },
    duplicate: (name) =>
      fromIoredis(
        isIoredisCluster(client)
          ? client.duplicate([], {
              redisOptions: {
                ...(client.options as { redisOptions?: object }).redisOptions,
                connectionName: name,
              },
            })
          : client.duplicate({ connectionName: name }),
      ),
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
    cluster: false,
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

const STREAM_CONTAINER_COMMANDS = new Set(['XGROUP', 'XINFO']);

/**
 * The key a node-redis cluster client routes `command` by (its `sendCommand` takes it apart from
 * the arguments). Which argument is a key is command-specific (EVAL's come after the key count,
 * XREADGROUP's after STREAMS): @ioredis/commands knows it for every command, from Redis's own
 * command table. Undefined for a command with no key (PING goes to any node).
 */
export function routingKey(command: string, args: readonly RedisArg[]): RedisArg | undefined {
  const [index] = getKeyIndexes(command.toLowerCase(), args as RedisArg[]);
  if (index !== undefined) return args[index];
  // Container commands list their keys per subcommand, which the table leaves out: XGROUP CREATE
  // <key>, XINFO STREAM <key>. (A wrong guess costs a redirection: both clients follow MOVED.)
  return STREAM_CONTAINER_COMMANDS.has(command.toUpperCase()) ? args[1] : undefined;
}

/** How often a node-redis cluster subscriber is checked after a node was lost (it has no event for "back"). */
const NODE_REDIS_CLUSTER_READY_POLL_MS = 100;

/**
 * Wraps a node-redis cluster client, connecting it if nobody has. Each command is routed by its
 * first key (`routingKey`); a transaction's commands must share a slot (syncbell's do: every key
 * of a user carries the `{userId}` hash tag).
 */
export function fromNodeRedisCluster(client: NodeRedisClusterClient): RedisLike {
  // Unlike a single-node client, a node-redis cluster client refuses commands ("The client is
  // offline") until it has connected and read the slot map, so commands wait for that first.
  const connected = client.isOpen
    ? Promise.resolve()
    : client.connect().then(
        () => undefined,
        () => undefined,
      );
  const key = (command: string, args: RedisArg[]) => {
    const routing = routingKey(command, args);
    return routing === undefined ? undefined : asArgument(routing);
  };
  const subscribed = () =>
    client.masters.every((master) => master.pubSub === undefined || master.pubSub.client.isReady);
  return {
    kind: 'node-redis',
    cluster: true,
    client,
    get isReady() {
      return client.isOpen && subscribed();
    },
    call: async (command, ...args) => {
      await connected;
      return client.sendCommand(key(command, args), false, [command, ...args.map(asArgument)]);
    },
    async transaction(commands) {
      await connected;
      const multi = client.multi();
      for (const [name, ...args] of commands)
        multi.addCommand(key(String(name), args), false, [String(name), ...args.map(asArgument)]);
      return (await multi.exec()) as unknown[];
    },
    on(event: 'ready' | 'down' | 'error', listener: (error: Error) => void) {
      if (event === 'error') {
        client.on('error', listener);
        client.on('node-error', listener);
        return;
      }
      if (event === 'down') {
        client.on('node-reconnecting', listener);
        client.on('node-disconnect', listener);
        return;
      }
      // node-redis reports a node's client ready only once (`node-ready`), not after it reconnects,
      // so "back" is polled: every primary's sharded pub/sub connection is ready again (node-redis
      // re-subscribes a reconnected connection before it reports ready).
      let polling: NodeJS.Timeout | undefined;
      const poll = () => {
        polling ??= setInterval(() => {
          if (!subscribed()) return;
          clearInterval(polling);
          polling = undefined;
          // A signal's argument, not a thrown error (see `on` above): no code.
          listener(new Error('ready'));
        }, NODE_REDIS_CLUSTER_READY_POLL_MS);
        polling.unref();
      };
      client.on('node-reconnecting', poll);
      client.on('node-disconnect', poll);
    },
    // node-redis's duplicate spreads the overrides over the options: keep the other defaults.
    duplicate: (name) =>
      fromNodeRedisCluster(client.duplicate({ defaults: { ...client._options.defaults, name } })),
    async quit() {
      if (client.isOpen) await client.close();
    },
    disconnect() {
      if (client.isOpen) client.destroy();
    },
  };
}

const wrappers = new WeakMap<object, RedisLike>();

/** Either client (or one already wrapped), as a `RedisLike`; the same client always gets the same wrapper. */
export function asRedisLike(client: AnyRedis): RedisLike {
  if ('kind' in client && 'transaction' in client) return client;
  let wrapped = wrappers.get(client);
  if (!wrapped) {
    // ioredis also has a `sendCommand` (taking a Command object), so test for it first by `status`.
    wrapped =
      'status' in client && typeof client.call === 'function'
        ? fromIoredis(client as IoredisClient)
        : 'masters' in client
          ? fromNodeRedisCluster(client as NodeRedisClusterClient)
          : fromNodeRedis(client as NodeRedisClient);
    wrappers.set(client, wrapped);
  }
  return wrapped;
}
