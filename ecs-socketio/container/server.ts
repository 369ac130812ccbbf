import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SocketEvent } from '@syncbell/contract';
import { hs256Verifier, notificationToPublish, publishApiKeys } from '@syncbell/server';
import type { Logger } from 'pino';
import { Server } from 'socket.io';
import { syncbellAdapter } from '../src/adapter.js';
import { attachSyncbell, type SyncbellAttachment } from '../src/attach/attach.js';
import type { EcsConfig } from '../src/config.js';
import { watchDeregistration } from './deregistration-watch.js';
import { drain, moveSocketsBeforeCut } from './drain.js';
import { healthRoutes } from './http/health-routes.js';
import { syncJobRoute } from './http/jobs-route.js';
import { publishRoute } from './http/publish-route.js';
import { createRouter, type Route } from './http/router.js';
import { createJobQueue } from './job-queue.js';
import { createJobRunner } from './job-runner.js';
import { createMetricsListener } from './metrics-listener.js';
import { createContainerRegistry, type EcsMetrics } from '../src/metrics.js';
import { createRedis } from './redis-connection.js';
import type { RedisLike } from '../src/redis-client.js';
import type { ReplayLog } from '../src/replay-log.js';
import { userRoom } from '../src/rooms.js';
import { publisherAdapter, type SocketIoPublisher } from '../src/socketio-publisher.js';

export interface EcsServerOptions {
  config: EcsConfig;
  logger: Logger;
  /** HS256 key from `resolveJwtSecret`. */
  jwtKey: Uint8Array;
}

export interface EcsServer {
  readonly io: Server;
  readonly http: HttpServer;
  readonly syncbell: SyncbellAttachment;
  readonly metrics: EcsMetrics;
  readonly replayLog: ReplayLog | undefined;
  /** The one publisher, on this container's Redis connection (undefined with REDIS_ADAPTER=memory). */
  readonly publisher: SocketIoPublisher | undefined;
  /** Resolves with the bound port. */
  listen(port?: number): Promise<number>;
  /**
   * Serves `GET /metrics` (Prometheus) on its own listener, never on the public port: the ALB
   * forwards every path of that one to anyone. Resolves with the bound port, or `undefined` when
   * `METRICS_PORT=off`. Closed by `close` (it stays up through a drain, so the drain is visible).
   */
  listenMetrics(port?: number): Promise<number | undefined>;
  /** Graceful stop: refuse new work, move clients elsewhere, finish in-flight jobs or hand them to the worker queue, close. */
  drain(): Promise<void>;
  /** Immediate stop (tests). */
  close(): Promise<void>;
}

/** Pending connections the kernel queues before the event loop accepts them (see `listen`). */
const LISTEN_BACKLOG = 4096;

/**
 * The ECS container: its own HTTP server, Redis connections and socket.io `Server`, with syncbell
 * attached (`attachSyncbell`) and the HTTP routes (health, readiness, the demo job, the publish
 * route) mounted. Only wiring: each concern lives in the module named after it.
 */
export async function createEcsServer({ config, logger, jwtKey }: EcsServerOptions): Promise<EcsServer> {
  const http = createHttpServer();
  const redis = config.REDIS_ADAPTER === 'memory' ? undefined : connectRedis(config, logger);
  // A node-redis cluster client refuses commands ("The client is offline") until it has read the
  // slot map, and the sharded adapter is handed the raw client: its first heartbeat, sent as soon
  // as the Server exists, was refused and logged as an unhandled rejection. The wrapper's `call`
  // waits for that first connect, so one PING each settles it (a failed connect is logged by the
  // clients' `error` listeners; the container starts either way, as on a single node).
  if (redis?.pub.cluster)
    await Promise.all([redis.pub, redis.sub].map((client) => client.call('PING').catch(() => undefined)));

  const io: Server = new Server(http, {
    transports: config.ALLOW_POLLING ? ['polling', 'websocket'] : ['websocket'],
    pingInterval: config.PING_INTERVAL_MS,
    pingTimeout: config.PING_TIMEOUT_MS,
    maxHttpBufferSize: config.MAX_FRAME_BYTES,
    serveClient: false,
    // Retry-After exposed: a browser over long polling reads the hint of a 503 over MAX_CONNECTS_PER_SECOND.
    cors:
      config.CORS_ORIGINS.length > 0
        ? { origin: config.CORS_ORIGINS, exposedHeaders: ['Retry-After'] }
        : undefined,
    ...(redis
      ? {
          adapter: syncbellAdapter({
            pub: redis.pub,
            sub: redis.sub,
            kind: publisherAdapter(config.REDIS_ADAPTER),
          }),
        }
      : {}),
  });
  if (config.ALLOW_POLLING)
    logger.warn(
      'long polling is enabled: with more than one container the load balancer needs sticky sessions',
    );

  const verify = hs256Verifier(jwtKey);
  const syncbell = attachSyncbell(io, {
    verify,
    ...(redis ? { redis: redis.pub, subscriber: redis.sub } : {}),
    adapter: publisherAdapter(config.REDIS_ADAPTER),
    registry: createContainerRegistry(config.CONTAINER_ID),
    logger,
    serverId: config.CONTAINER_ID,
    maxConnectionsPerAddress: config.MAX_CONNECTIONS_PER_ADDRESS,
    trustProxy: config.TRUST_PROXY,
    maxFramesPerSecond: config.MAX_FRAMES_PER_SECOND,
    // Server-paced reconnects (docs/ECS.md): the env knobs, 0 = off.
    ...(config.MAX_CONNECTS_PER_SECOND > 0 ? { maxConnectsPerSecond: config.MAX_CONNECTS_PER_SECOND } : {}),
    ...(config.MAX_HANDSHAKES_IN_FLIGHT > 0
      ? { maxHandshakesInFlight: config.MAX_HANDSHAKES_IN_FLIGHT }
      : {}),
    ...(config.MAX_EVENT_LOOP_LAG_MS > 0 ? { maxEventLoopLagMs: config.MAX_EVENT_LOOP_LAG_MS } : {}),
    replay: { maxLen: config.REPLAY_MAX_LEN, ttlSeconds: config.REPLAY_TTL_SECONDS },
    // A container holds thousands of sockets and reads nothing of the handshake after auth.
    releaseHandshake: true,
  });
  const { metrics, publisher } = syncbell;

  const jobQueue = redis ? createJobQueue({ redis: redis.pub }) : undefined;
  const runner = createJobRunner({
    containerId: config.CONTAINER_ID,
    jobQueue,
    logger,
    onPublished: () => metrics.notificationsSent.inc({ path: 'container' }),
    // The one publish path, as the worker's. Without Redis (REDIS_ADAPTER=memory, one container,
    // no log) the server emits it itself.
    publish: async (completion) => {
      if (publisher) return publisher.publish(completion);
      io.to(userRoom(completion.userId)).emit(
        SocketEvent.Notification,
        notificationToPublish(completion).notification,
      );
    },
  });

  let draining = false;
  const routes: Route[] = [
    ...healthRoutes({ containerId: config.CONTAINER_ID, isDraining: () => draining, redis }),
    syncJobRoute({ config, verify, isDraining: () => draining, runner, jobQueue }),
  ];
  // Off without a key: the route would otherwise be a 401 for everyone (config.ts refuses keys without Redis).
  if (publisher && publishApiKeys(config).length > 0)
    routes.push(
      publishRoute({
        apiKeys: publishApiKeys(config),
        publisher,
        maxPerSecond: config.PUBLISH_MAX_PER_SECOND,
        onPublished: () => metrics.notificationsSent.inc({ path: 'http' }),
      }),
    );
  const socketIoPath = io.path();
  http.on(
    'request',
    createRouter({ routes, logger, skip: (req) => req.url?.startsWith(socketIoPath) === true }),
  );

  const metricsHttp = createMetricsListener(metrics.registry, logger);

  // The drain at deregistration (see `watchDeregistration`): on AWS the SIGTERM drain comes after
  // the ALB has cut everyone, so the clients are moved while the target is `draining`.
  const deregistrationDelayMs = config.DEREGISTRATION_DELAY_MS ?? config.DRAIN_TIMEOUT_MS;
  const deregistrationWatch =
    config.TARGET_GROUP_ARN && config.ECS_CONTAINER_METADATA_URI_V4
      ? watchDeregistration({
          targetGroupArn: config.TARGET_GROUP_ARN,
          metadataUri: config.ECS_CONTAINER_METADATA_URI_V4,
          port: config.PORT,
          pollIntervalMs: config.DEREGISTRATION_POLL_MS,
          endpoint: config.ELBV2_ENDPOINT,
          logger,
          onDraining: () => {
            const sockets = syncbell.sockets();
            logger.info(
              { sockets: sockets.length, deregistrationDelayMs },
              'deregistered: moving clients before the load balancer cuts them',
            );
            void moveSocketsBeforeCut(sockets, deregistrationDelayMs, config.DEREGISTRATION_POLL_MS);
          },
        })
      : undefined;

  let closed = false;
  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    deregistrationWatch?.stop();
    runner.cancelAll();
    // The adapter's PUBLISH of a notification sent just before is auto-pipelined: ioredis writes it
    // on the next tick. QUIT issued in this same tick would overtake it and the PUBLISH would never
    // leave (found by the chaos SIGTERM scenario: the last job of a drain reached the log but no one
    // live). Let the pipeline flush first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    // Not awaited yet: a replay read it waits for may be queued on a Redis that is down, and is
    // released when the connections close below.
    const detached = syncbell.close();
    await new Promise<void>((resolve) => io.close(() => resolve()));
    // The adapter's close sends (P)UNSUBSCRIBE without waiting for, or catching, the answers: a QUIT
    // right behind them closed the connection first and each became an unhandled rejection
    // ("Connection is closed"), fatal in Node. Redis answers in order, so once a PING behind them is
    // answered, they are too.
    await redis?.sub.call('PING').catch(() => undefined);
    http.closeAllConnections?.();
    if (metricsHttp.listening) {
      const metricsClosed = new Promise<void>((resolve) => metricsHttp.close(() => resolve()));
      metricsHttp.closeAllConnections();
      await metricsClosed;
    }
    if (redis) {
      const { pub, sub } = redis;
      await Promise.all([pub.quit().catch(() => pub.disconnect()), sub.quit().catch(() => sub.disconnect())]);
    }
    await detached;
  }

  return {
    io,
    http,
    syncbell,
    metrics,
    replayLog: syncbell.replayLog,
    publisher,
    listen(port = config.PORT) {
      return new Promise((resolve, reject) => {
        http.once('error', reject);
        // Node's default accept backlog (511) overflowed during a 1,000/s connect ramp (kernel
        // ListenOverflows, clients reset with ECONNRESET); the kernel caps this at net.core.somaxconn.
        http.listen({ port, backlog: LISTEN_BACKLOG }, () => resolve((http.address() as AddressInfo).port));
      });
    },
    listenMetrics(port = config.METRICS_PORT) {
      if (port === undefined) return Promise.resolve(undefined);
      return new Promise((resolve, reject) => {
        metricsHttp.once('error', reject);
        metricsHttp.listen({ port }, () => resolve((metricsHttp.address() as AddressInfo).port));
      });
    },
    async drain() {
      if (draining) return;
      draining = true;
      logger.info(
        { sockets: syncbell.sockets().length, drainTimeoutMs: config.DRAIN_TIMEOUT_MS },
        'draining',
      );
      await drain({
        drainTimeoutMs: config.DRAIN_TIMEOUT_MS,
        stopAccepting: () => http.close(),
        sockets: () => syncbell.sockets(),
        handOff: (which) => runner.handOff(which),
        jobsSettled: () => runner.settled(),
        close,
      });
    },
    close,
  };
}

/** The container's two connections: commands (replay log, publisher, job queue) and the adapter's subscriber. */
function connectRedis(config: EcsConfig, logger: Logger): { pub: RedisLike; sub: RedisLike } {
  const pub = createRedis({
    url: config.REDIS_URL,
    authToken: config.REDIS_AUTH_TOKEN,
    client: config.REDIS_CLIENT,
    cluster: config.REDIS_CLUSTER,
    name: `syncbell:${config.CONTAINER_ID}:pub`,
  });
  const sub = pub.duplicate(`syncbell:${config.CONTAINER_ID}:sub`);
  for (const [role, client] of [
    ['pub', pub],
    ['sub', sub],
  ] as const) {
    client.on('error', (error) => logger.warn({ err: error.message, role }, 'redis connection error'));
    client.on('ready', () => logger.info({ role }, 'redis ready'));
  }
  return { pub, sub };
}
