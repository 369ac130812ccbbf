import { hostname } from 'node:os';
import { ErrorCode, type ErrorFrameBody, SocketEvent } from '@syncbell/contract';
import {
  authenticate,
  ConfigError,
  defaultLogger,
  hs256Verifier,
  type JwtKey,
  jwtKeyBytes,
  jwtKeyFromEnv,
  type SyncbellLogger,
  type VerifyToken,
} from '@syncbell/server';
import { Registry } from 'prom-client';
import type { Namespace, Server, Socket } from 'socket.io';
import { CLASSIC_ON_CLUSTER } from '../adapter.js';
import { handshakeError } from '../auth.js';
import { SOCKETIO_DEFAULTS } from '../defaults.js';
import { type EcsMetrics, registerEcsMetrics } from '../metrics.js';
import { type AnyRedis, asRedisLike } from '../redis-client.js';
import {
  clusterSubscriberProblem,
  NODE_REDIS_WRITE_BUFFER_BYTES,
  nodeRedisRestoresShardedChannels,
} from '../redis.js';
import { createReplayLog, type ReplayLog } from '../replay-log.js';
import { userRoom } from '../rooms.js';
import {
  createSocketIoPublisher,
  type SocketIoAdapterKind,
  type SocketIoPublisher,
} from '../socketio-publisher.js';
import { clientAddress, createAddressLimiter } from './address-limiter.js';
import { type PacingOptions, resolvePacing, startPacing } from './pacing.js';
import { inboundGate } from './frame-budget.js';
import { keepAliveHandler } from './keep-alive.js';
import { watchSubscriber } from './outage-recovery.js';
import { resumeHandler } from './resume.js';

// What syncbell logs with: defined once in @syncbell/server for every package (a pino logger fits).
export type { SyncbellLogger } from '@syncbell/server';

export interface AttachSyncbellOptions extends PacingOptions {
  /**
   * The HS256 secret end users' tokens are signed with (`signToken` from @syncbell/server), at
   * least 32 bytes. Give this or `verify`, not both.
   * @default JWT_SECRET from the environment; unset, refused when NODE_ENV=production, else the
   * development secret with one warning (`jwtKeyFromEnv`, the rule of every syncbell server)
   */
  jwtKey?: JwtKey | undefined;
  /** Your own token check, instead of syncbell's HS256 JWT. Give this or `jwtKey`. @default none */
  verify?: VerifyToken | undefined;
  /**
   * A command connection (ioredis or node-redis `redis` v5; yours, never closed by syncbell): the
   * replay log is read on it and `publisher` publishes on it. Without it (one process, no adapter)
   * a resume gets nothing back and there is no `publisher`.
   * @default none
   */
  redis?: AnyRedis;
  /**
   * The subscriber connection you gave the Redis adapter. syncbell watches it: when it comes back
   * after an outage, local clients are told to resume and what was logged meanwhile is delivered
   * again (nothing published during the outage reached them). Without it there is no such recovery.
   * @default none
   */
  subscriber?: AnyRedis;
  /** The adapter your `Server` runs (see `syncbellAdapter`); `publisher` writes its format. @default 'classic' */
  adapter?: SocketIoAdapterKind;
  /**
   * Where the `syncbell_*` metrics go. Your registry (one attached syncbell per registry), or a
   * new one of syncbell's own: never prom-client's global `register` unless you pass it.
   * @default a new Registry (read it from the returned `metrics.registry`)
   */
  registry?: Registry;
  /**
   * Your logger (pino fits; see `SyncbellLogger`): syncbell creates none.
   * @default silent unless NODE_DEBUG=syncbell (`defaultLogger` of @syncbell/server)
   */
  logger?: SyncbellLogger;
  /** Sent to clients as `servedBy` in resume answers. @default the hostname */
  serverId?: string;
  /** Open connections one client address may hold here; more are refused with `rate_limited`. @default 200 */
  maxConnectionsPerAddress?: number;
  /**
   * Read the client address from the rightmost X-Forwarded-For entry (the one your load balancer
   * appended). Only behind a proxy that sets it: otherwise clients could pick their own address.
   * @default false
   */
  trustProxy?: boolean;
  /** Frames per second one socket may send (yours included) before it gets `rate_limited`. @default 20 */
  maxFramesPerSecond?: number;
  /** As the publisher's: the log is trimmed and expires the same way. */
  replay?: {
    /** @default 1000 */
    maxLen?: number;
    /** @default 86400 */
    ttlSeconds?: number;
    /** Where each user's log is: the same as your publishers' `replay.keyPrefix`. @default 'syncbell:log:' */
    keyPrefix?: string;
  };
  /**
   * After a socket is verified, drop its handshake request, headers and token (about 5 KB of heap
   * per connection). Leave it off if your own handlers read `socket.request` or
   * `socket.handshake.headers`; with it on, attach after the `Server` has its HTTP server.
   * @default false
   */
  releaseHandshake?: boolean;
}

export interface SyncbellAttachment {
  /** The namespace syncbell serves (the `Server`'s `/` when given a `Server`). */
  readonly namespace: Namespace;
  readonly metrics: EcsMetrics;
  readonly replayLog: ReplayLog | undefined;
  /** Publishes through `redis` to every server on the adapter (undefined without `redis`). */
  readonly publisher: SocketIoPublisher | undefined;
  /** The sockets syncbell accepted and that are still open. */
  sockets(): Socket[];
  /**
   * Detaches syncbell: refuses new connections (for good: socket.io middlewares cannot be removed,
   * so the namespace cannot be attached again), disconnects the sockets it accepted and waits for
   * its pending replay-log reads. Leaves your `Server`, HTTP server and Redis clients open.
   */
  close(): Promise<void>;
}

/** The user id syncbell sets on `socket.data` once the token is verified. */
export interface SyncbellSocketData {
  userId: string;
}

const attachedNamespaces = new WeakSet<object>();

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new ConfigError(`attachSyncbell: ${name} must be a positive integer, got ${value}`);
  return value;
}

function namespaceOf(io: Server | Namespace): Namespace {
  // Duck-typed, not `instanceof`: the app's socket.io may be another copy than syncbell's.
  const candidate = io as unknown as Partial<Server> & Partial<Namespace>;
  if (typeof candidate.of === 'function' && candidate.engine !== undefined) return (io as Server).of('/');
  if (typeof candidate.use === 'function' && typeof candidate.name === 'string' && candidate.server)
    return io as unknown as Namespace;
  if (typeof candidate.of === 'function')
    throw new ConfigError(
      'attachSyncbell: the socket.io Server has no HTTP server yet; create it with one (new Server(httpServer)) or call io.attach(httpServer) first',
    );
  throw new ConfigError('attachSyncbell: expected a socket.io Server or Namespace');
}

function verifierFrom({ jwtKey, verify }: AttachSyncbellOptions, logger: SyncbellLogger): VerifyToken {
  if (verify && jwtKey !== undefined)
    throw new ConfigError('attachSyncbell: give jwtKey or verify, not both');
  if (verify) return verify;
  if (jwtKey === undefined) return hs256Verifier(jwtKeyFromEnv((message) => logger.warn({}, message)).key);
  return hs256Verifier(jwtKeyBytes(jwtKey, 'attachSyncbell: jwtKey'));
}

/**
 * Adds syncbell to a socket.io `Server` (or one of its namespaces) you already have: handshake
 * auth, one server-side room per user, the `resume` handler over the Redis replay log, a
 * per-socket frame budget, a per-address connection limit, recovery after a Redis outage and
 * metrics. Redis clients are yours: syncbell never creates, connects or closes them. Impossible
 * options throw `ConfigError` here.
 *
 * ```ts
 * const io = new Server(httpServer, { adapter: syncbellAdapter({ pub, sub }) });
 * const syncbell = attachSyncbell(io, { jwtKey: process.env.JWT_SECRET, redis: pub, subscriber: sub });
 * ```
 */
export function attachSyncbell(io: Server | Namespace, options: AttachSyncbellOptions): SyncbellAttachment {
  const nsp = namespaceOf(io);
  const logger = options.logger ?? defaultLogger();
  const verify = verifierFrom(options, logger);
  const maxConnectionsPerAddress = positiveInt(
    'maxConnectionsPerAddress',
    options.maxConnectionsPerAddress ?? 200,
  );
  const maxFramesPerSecond = positiveInt('maxFramesPerSecond', options.maxFramesPerSecond ?? 20);
  const maxLen = positiveInt('replay.maxLen', options.replay?.maxLen ?? SOCKETIO_DEFAULTS.replayMaxLen);
  const ttlSeconds = positiveInt(
    'replay.ttlSeconds',
    options.replay?.ttlSeconds ?? SOCKETIO_DEFAULTS.replayTtlSeconds,
  );
  const keyPrefix = options.replay?.keyPrefix;
  const adapter = options.adapter ?? 'classic';
  if (adapter !== 'classic' && adapter !== 'sharded')
    throw new ConfigError(`attachSyncbell: adapter must be 'classic' or 'sharded', got ${String(adapter)}`);
  const trustProxy = options.trustProxy ?? false;
  const releaseHandshake = options.releaseHandshake ?? false;
  const serverId = options.serverId ?? hostname();
  if (attachedNamespaces.has(nsp))
    throw new ConfigError(`attachSyncbell: syncbell is already attached to namespace ${nsp.name}`);
  const engine = nsp.server.engine;
  if (releaseHandshake && !engine)
    throw new ConfigError(
      'attachSyncbell: releaseHandshake needs the Server attached to its HTTP server first',
    );
  const pacing = resolvePacing(options, engine !== undefined, positiveInt);
  const redis = options.redis === undefined ? undefined : asRedisLike(options.redis);
  const subscriber = options.subscriber === undefined ? undefined : asRedisLike(options.subscriber);
  // Measured (test/ecs-socketio/sharded-resubscribe.test.ts): with Node's default write threshold a
  // node-redis 5.12 (and 6.4) subscriber hangs after a reconnect with part of its per-user channels, and
  // those users stop getting notifications live. The threshold is the client's own option.
  if (
    adapter === 'sharded' &&
    subscriber?.kind === 'node-redis' &&
    !nodeRedisRestoresShardedChannels(subscriber.client)
  )
    throw new ConfigError(
      `attachSyncbell: with the sharded adapter a node-redis subscriber needs socket: { writableHighWaterMark: ${NODE_REDIS_WRITE_BUFFER_BYTES} } (NODE_REDIS_WRITE_BUFFER_BYTES): with Node's default, node-redis (5.12.1 and 6.4.0 measured) stops re-subscribing partway through its per-user channels when Redis comes back. Create the client with it (createRedis({ client: 'node-redis' }) of @syncbell/socketio/container does), use ioredis, or adapter: 'classic'`,
    );
  if (adapter === 'classic' && (redis?.cluster || subscriber?.cluster))
    throw new ConfigError(`attachSyncbell: ${CLASSIC_ON_CLUSTER}`);
  // Measured (test/ecs-socketio/cluster.test.ts): a cluster subscriber that does not re-subscribe
  // after a failover leaves the users of that shard without live notifications.
  const clusterProblem = subscriber ? clusterSubscriberProblem(subscriber) : undefined;
  if (clusterProblem) throw new ConfigError(`attachSyncbell: ${clusterProblem}`);
  // Last, as it cannot be undone: every check above has passed.
  let metrics: EcsMetrics;
  try {
    metrics = registerEcsMetrics(options.registry ?? new Registry());
  } catch (error) {
    throw new ConfigError(
      `attachSyncbell: the registry already holds syncbell's metrics (one attached syncbell per registry): ${(error as Error).message}`,
      { cause: error },
    );
  }
  attachedNamespaces.add(nsp);

  const replayLog = redis
    ? createReplayLog({
        redis,
        maxLen,
        ...(keyPrefix === undefined ? {} : { keyPrefix }),
        onSkipped: (entry) => {
          metrics.replaySkipped.inc({ reason: entry.reason });
          logger.warn(entry, 'replay log entry skipped');
        },
      })
    : undefined;
  const publisher = redis
    ? createSocketIoPublisher({
        redis,
        adapter,
        replay: { maxLen, ttlSeconds, ...(keyPrefix === undefined ? {} : { keyPrefix }) },
        namespace: nsp.name,
      })
    : undefined;

  let closed = false;
  const accepted = new Set<Socket>();
  const pending = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    pending.add(work);
    void work.finally(() => pending.delete(work)).catch(() => undefined);
    return work;
  };

  // The address is read when Engine.IO accepts the connection, from the upgrade request: with
  // `releaseHandshake` the request is dropped just below, and read later the X-Forwarded-For header
  // is gone and every client behind the load balancer shares one budget (found by the chaos flood
  // scenario: a flood from one address locked out everyone else).
  const addressOfConnection = new WeakMap<object, string>();
  const onEngineConnection = (raw: {
    request: { headers: Record<string, string | string[] | undefined> } | null;
    remoteAddress: string;
  }) => {
    addressOfConnection.set(raw, clientAddress(raw.request?.headers, raw.remoteAddress, trustProxy));
    // The socket.io memory-usage docs measure ~6.8 KB -> 2.5 KB per Engine.IO socket by dropping it.
    if (releaseHandshake) raw.request = null;
  };
  engine?.on('connection', onEngineConnection);
  const addressOf = (socket: Socket): string =>
    addressOfConnection.get(socket.conn) ??
    clientAddress(socket.handshake.headers, socket.handshake.address, trustProxy);

  const limiter = createAddressLimiter(maxConnectionsPerAddress);
  // Server-paced reconnects (pacing.ts); the ceiling's 503s count as rate_limited.
  const handshakes = startPacing(
    engine,
    pacing,
    () => metrics.connectsTotal.inc({ outcome: ErrorCode.RateLimited }),
    (count) => metrics.handshakesInFlight.set(count),
  );
  const refuseHandshake = (next: (error?: Error) => void, body: ErrorFrameBody, socket?: Socket) => {
    if (socket) handshakes?.finish(socket);
    metrics.connectsTotal.inc({ outcome: body.code });
    next(handshakeError(body));
  };
  nsp.use((socket, next) => {
    if (closed)
      return refuseHandshake(next, {
        code: ErrorCode.ServerShuttingDown,
        message: 'syncbell is closed here; reconnect',
      });
    const retryAfterMs = handshakes?.admit(socket);
    if (retryAfterMs !== undefined)
      return refuseHandshake(next, {
        code: ErrorCode.RateLimited,
        message: 'this server is behind on handshakes; retry later',
        retryAfterMs,
      });
    const address = addressOf(socket);
    if (!limiter.acquire(address))
      return refuseHandshake(
        next,
        {
          code: ErrorCode.RateLimited,
          message: `too many connections from one address (limit ${maxConnectionsPerAddress})`,
        },
        socket,
      );
    // Counted from here, released when the socket goes, whether or not auth succeeds.
    socket.conn.once('close', () => {
      limiter.release(address);
      handshakes?.finish(socket);
    });
    next();
  });
  nsp.use((socket, next) => {
    void authenticate(socket.handshake.auth?.token, verify).then((outcome) => {
      if (!outcome.ok) return refuseHandshake(next, outcome.error, socket);
      (socket.data as SyncbellSocketData).userId = outcome.userId;
      if (releaseHandshake) {
        // Verified: the header copy and bearer token are never read again, and kept they cost
        // every open connection ~1 KB of heap (heap snapshot, 5,000 connections).
        socket.handshake.headers = {};
        socket.handshake.auth = {};
      }
      metrics.connectsTotal.inc({ outcome: 'accepted' });
      next();
    });
  });

  // One listener shared by every socket: a closure per socket cost heap on every open connection
  // and it needs nothing from the socket. Observed once per notification per server, not once
  // per socket: a broadcast hands the same decoded payload to each local socket of the user in one
  // synchronous loop, so a payload seen just before is skipped with one comparison. A histogram
  // observation per socket made a broadcast to 2,000 local sockets 1.4-1.9x slower (see
  // benchmarks/broadcast-cost.ts); the help text of the metric says what one observation is.
  let lastObservedPayload: unknown;
  const recordDeliveryLatency = (event: string, payload: { createdAtMs?: number }): void => {
    if (payload === lastObservedPayload) return;
    if (event === SocketEvent.Notification && typeof payload?.createdAtMs === 'number') {
      lastObservedPayload = payload;
      metrics.deliveryLatency.observe(Math.max(0, Date.now() - payload.createdAtMs) / 1000);
    }
  };
  const countRefused = (code: ErrorCode) => metrics.clientErrors.inc({ code });
  // The sharded adapter SSUBSCRIBEs the user's room channel when the socket joins it, without
  // waiting for the answer: a notification published before Redis has run that SSUBSCRIBE reaches
  // no one here, live. A PING on the same connection is answered after it, so once it is, anything
  // published later arrives live and anything earlier is in the log the resume reads next (found
  // by test/ecs-socketio/src/attach/attach.test.ts, which lost one every few runs without it). The
  // classic adapter subscribes once, at start.
  const awaitRoomSubscription =
    adapter === 'sharded' && subscriber ? () => subscriber.call('PING').catch(() => undefined) : undefined;

  // Made once and shared by every socket (`this` is the socket): a closure per socket costs heap
  // on every open connection. The gate's middleware is the one closure each socket gets.
  const gate = inboundGate({ maxFramesPerSecond, onRefused: countRefused });
  const resume = resumeHandler({
    replayLog,
    serverId,
    ...(awaitRoomSubscription ? { beforeRead: awaitRoomSubscription } : {}),
    onReplayed: (count) => metrics.replayed.inc(count),
    onRefused: countRefused,
    onFailed: (error) => logger.error({ err: error.message }, 'resume failed'),
  });
  function onResume(this: Socket, ...args: unknown[]): void {
    const work = track(
      resume((this.data as SyncbellSocketData).userId, args, (body) => this.emit(SocketEvent.Error, body)),
    );
    // The first resume answered ends the handshake the pacer counts (later ones are ignored).
    if (handshakes) void work.finally(() => handshakes.finish(this)).catch(() => undefined);
  }
  const keepAlive = keepAliveHandler({
    replayLog,
    onRefused: countRefused,
    onFailed: (error) => logger.error({ err: error.message }, 'keep-alive could not read the log position'),
  });
  function onKeepAlive(this: Socket, ...args: unknown[]): void {
    void track(
      keepAlive((this.data as SyncbellSocketData).userId, args, (body) => this.emit(SocketEvent.Error, body)),
    );
  }
  function onDisconnect(this: Socket): void {
    accepted.delete(this);
    metrics.connections.dec();
  }
  const onConnection = (socket: Socket): void => {
    // Joined here, from the verified token, before the client can ask to resume: see publisher.ts.
    socket.join(userRoom((socket.data as SyncbellSocketData).userId));
    accepted.add(socket);
    metrics.connections.inc();
    socket.onAnyOutgoing(recordDeliveryLatency);
    socket.use(gate(socket));
    socket.on(SocketEvent.Resume, onResume);
    socket.on(SocketEvent.KeepAlive, onKeepAlive);
    socket.on('disconnect', onDisconnect);
  };
  nsp.on('connection', onConnection);

  const recovery = subscriber
    ? watchSubscriber({
        subscriber,
        replayLog,
        localUsers: () => [...accepted].map((socket) => (socket.data as SyncbellSocketData).userId),
        resyncLocal: () => {
          logger.info({ sockets: accepted.size }, 'redis subscription restored: asking clients to resume');
          nsp.local.emit(SocketEvent.Resync);
        },
        deliverLocal: (userId, notification) =>
          nsp.local.to(userRoom(userId)).emit(SocketEvent.Notification, notification),
        onRestored: (outcome) => logger.info(outcome, 're-delivered what was logged during the Redis outage'),
        onFailed: (error) =>
          logger.warn({ err: error.message }, 'could not re-deliver after the Redis outage'),
      })
    : undefined;

  return {
    namespace: nsp,
    metrics,
    replayLog,
    publisher,
    sockets: () => [...accepted],
    async close() {
      if (closed) return;
      closed = true;
      recovery?.stop();
      handshakes?.close();
      nsp.off('connection', onConnection);
      engine?.off('connection', onEngineConnection);
      for (const socket of [...accepted]) socket.disconnect(true);
      // The namespace stays marked: its middlewares cannot be removed and keep refusing.
      await Promise.allSettled([...pending, recovery?.settled()]);
    },
  };
}
