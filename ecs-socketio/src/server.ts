import { randomUUID } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import type { Logger } from 'pino';
import { Server, type Socket } from 'socket.io';
import { verifyToken } from '@syncbell/server';
import { notificationToPublish } from '@syncbell/server';
import {
  AuthError,
  CURSOR_SKEW_MARGIN_MS,
  ErrorCode,
  type ErrorFrameBody,
  resumeRequestSchema,
  SocketEvent,
  ulidFloor,
} from '@syncbell/contract';
import type { EcsConfig } from './config.js';
import { createJobQueue } from './job-queue.js';
import { completionFor, delay, type QueuedJob, syncJobRequestSchema } from './jobs.js';
import { createEcsMetrics, type EcsMetrics } from './metrics.js';
import { ADAPTER_KEY } from './publisher.js';
import { createRedis } from './redis.js';
import type { RedisLike } from './redis-client.js';
import { createReplayLog, type ReplayLog } from './replay-log.js';
import { userRoom } from './rooms.js';
import { createSocketIoPublisher, publisherAdapter } from './socketio-publisher.js';

export interface EcsServerOptions {
  config: EcsConfig;
  logger: Logger;
  /** HS256 key from `resolveJwtSecret`. */
  jwtKey: Uint8Array;
}

export interface EcsServer {
  readonly io: Server;
  readonly http: HttpServer;
  readonly metrics: EcsMetrics;
  readonly replayLog: ReplayLog | undefined;
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

interface SocketData {
  userId: string;
}

/** A job running in this container (`publishVia: 'container'`). */
interface InFlightJob {
  job: QueuedJob;
  dueAtMs: number;
  /** Aborted when the job is handed to the worker's queue (drain) or the server closes. */
  cancel: AbortController;
  run: Promise<void>;
}

const MAX_JSON_BODY_BYTES = 4096;
/** Pending connections the kernel queues before the event loop accepts them (see `listen`). */
const LISTEN_BACKLOG = 4096;

export async function createEcsServer({ config, logger, jwtKey }: EcsServerOptions): Promise<EcsServer> {
  const metrics = createEcsMetrics(config.CONTAINER_ID);
  const http = createHttpServer();
  const redisOptions = {
    url: config.REDIS_URL,
    authToken: config.REDIS_AUTH_TOKEN,
    client: config.REDIS_CLIENT,
  };
  const useRedis = config.REDIS_ADAPTER !== 'memory';
  const pub: RedisLike | undefined = useRedis
    ? createRedis({ ...redisOptions, name: `syncbell:${config.CONTAINER_ID}:pub` })
    : undefined;
  const sub: RedisLike | undefined = pub?.duplicate(`syncbell:${config.CONTAINER_ID}:sub`);
  for (const [role, client] of [
    ['pub', pub],
    ['sub', sub],
  ] as const) {
    client?.on('error', (error) => logger.warn({ err: error.message, role }, 'redis connection error'));
    client?.on('ready', () => logger.info({ role }, 'redis ready'));
  }
  // While the subscriber was down, publishes from other containers went nowhere for our clients,
  // but their sockets stayed open, so nothing makes them resume. When the subscription is back,
  // tell local clients to resume. The PING is queued behind the client's own re-SUBSCRIBE (ioredis
  // sends it on `ready`; node-redis 5 before it reports `ready`), so when it answers the
  // subscription is in place and any later publish arrives live.
  //
  // A resume "after the last id seen" is not enough on its own: once the subscription is back, a
  // notification published after the gap can arrive live before the client resumes, moving its
  // last-seen id past the ones lost in the gap (found by the chaos Redis-outage scenario). So the
  // container also pushes, to its own sockets, every logged notification since the subscriber went
  // down (minus the clock-skew margin); the SDK drops the ones it already has.
  let subscriberDownSinceMs: number | undefined;
  sub?.on('down', () => {
    subscriberDownSinceMs ??= Date.now();
  });
  sub?.on('ready', () => {
    if (subscriberDownSinceMs === undefined) return;
    const downSinceMs = subscriberDownSinceMs;
    subscriberDownSinceMs = undefined;
    void sub
      .call('PING')
      .catch(() => undefined)
      .then(async () => {
        logger.info(
          { sockets: io.of('/').sockets.size },
          'redis subscription restored: asking clients to resume',
        );
        io.local.emit(SocketEvent.Resync);
        await redeliverSince(downSinceMs);
      })
      .catch((error: unknown) =>
        logger.warn({ err: (error as Error).message }, 'could not re-deliver after the Redis outage'),
      );
  });

  /** Pushes what the log holds since `sinceMs` to this container's sockets, one user at a time. */
  async function redeliverSince(sinceMs: number): Promise<void> {
    if (!replayLog) return;
    const cursor = ulidFloor(sinceMs - CURSOR_SKEW_MARGIN_MS);
    const users = new Set<string>();
    for (const socket of io.of('/').sockets.values()) users.add((socket.data as SocketData).userId);
    let pushed = 0;
    for (const userId of users) {
      const { notifications } = await replayLog.read(userId, cursor);
      for (const notification of notifications)
        io.local.to(userRoom(userId)).emit(SocketEvent.Notification, notification);
      pushed += notifications.length;
    }
    logger.info({ users: users.size, pushed }, 're-delivered what was logged during the Redis outage');
  }
  const replayLog = pub
    ? createReplayLog({
        redis: pub,
        maxLen: config.REPLAY_MAX_LEN,
        ttlSeconds: config.REPLAY_TTL_SECONDS,
        onSkipped: (entry) => {
          metrics.replaySkipped.inc({ reason: entry.reason });
          logger.warn(entry, 'replay log entry skipped');
        },
      })
    : undefined;
  // The one publish path, as the worker's: the demo jobs run here publish through Redis too.
  const publisher = pub
    ? createSocketIoPublisher({
        redis: pub,
        adapter: publisherAdapter(config.REDIS_ADAPTER),
        replay: { maxLen: config.REPLAY_MAX_LEN, ttlSeconds: config.REPLAY_TTL_SECONDS },
      })
    : undefined;

  const io: Server = new Server(http, {
    transports: config.ALLOW_POLLING ? ['polling', 'websocket'] : ['websocket'],
    pingInterval: config.PING_INTERVAL_MS,
    pingTimeout: config.PING_TIMEOUT_MS,
    maxHttpBufferSize: config.MAX_FRAME_BYTES,
    serveClient: false,
    cors: config.CORS_ORIGINS.length > 0 ? { origin: config.CORS_ORIGINS } : undefined,
    ...(pub && sub
      ? {
          adapter:
            config.REDIS_ADAPTER === 'sharded'
              ? // 'dynamic' (the adapter's default, stated because per-user channels depend on it):
                // each user room gets its own SSUBSCRIBE channel, so a notification reaches only
                // the containers that hold the user; socket-id rooms stay on the shared channel.
                createShardedAdapter(pub.client, sub.client, {
                  channelPrefix: ADAPTER_KEY,
                  subscriptionMode: 'dynamic',
                })
              : createAdapter(pub.client, sub.client, { key: ADAPTER_KEY }),
        }
      : {}),
  });
  if (config.ALLOW_POLLING) {
    logger.warn(
      'long polling is enabled: with more than one container the load balancer needs sticky sessions',
    );
  }

  // Per-address connection limit: a flood from one address is refused before it costs a token check.
  // The address is read here, from the upgrade request, because the request is dropped just below:
  // read later (from `socket.handshake`) the X-Forwarded-For header is gone and every client behind
  // the load balancer shares the balancer's address and one budget (found by the chaos flood
  // scenario: a flood from one address locked out everyone else).
  const clientAddress = new WeakMap<object, string>();
  const addressFromRequest = (request: IncomingMessage | null, peer: string): string => {
    const forwarded = request?.headers['x-forwarded-for'];
    const hops = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? ''))
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    // The rightmost hop is the one our load balancer appended; anything left of it the client wrote.
    return (config.TRUST_PROXY ? hops.at(-1) : undefined) ?? peer;
  };

  // The handshake request (headers, URL, socket) is retained per connection; the socket.io
  // memory-usage docs measure ~6.8 KB -> 2.5 KB per Engine.IO socket by dropping it.
  io.engine.on('connection', (rawSocket: { request: IncomingMessage | null; remoteAddress: string }) => {
    clientAddress.set(rawSocket, addressFromRequest(rawSocket.request, rawSocket.remoteAddress));
    rawSocket.request = null;
  });

  const connectionsByAddress = new Map<string, number>();
  const addressOf = (socket: Socket): string => clientAddress.get(socket.conn) ?? socket.handshake.address;
  io.use((socket, next) => {
    const address = addressOf(socket);
    const open = connectionsByAddress.get(address) ?? 0;
    if (open >= config.MAX_CONNECTIONS_PER_ADDRESS) {
      const body: ErrorFrameBody = {
        code: ErrorCode.RateLimited,
        message: `too many connections from one address (limit ${config.MAX_CONNECTIONS_PER_ADDRESS})`,
      };
      metrics.connectsTotal.inc({ outcome: body.code });
      return next(Object.assign(new Error(body.message), { data: body }));
    }
    connectionsByAddress.set(address, open + 1);
    // Counted from here, released when the socket goes, whether or not auth succeeds.
    socket.conn.once('close', () => {
      const left = (connectionsByAddress.get(address) ?? 1) - 1;
      if (left <= 0) connectionsByAddress.delete(address);
      else connectionsByAddress.set(address, left);
    });
    next();
  });

  io.use((socket, next) => {
    verifyToken(socket.handshake.auth?.token, jwtKey).then(
      ({ userId }) => {
        (socket.data as SocketData).userId = userId;
        // Verified: the handshake's header copy and bearer token are never read again, and kept
        // they cost every open connection ~1 KB of heap (heap snapshot, 5,000 connections).
        socket.handshake.headers = {};
        socket.handshake.auth = {};
        metrics.connectsTotal.inc({ outcome: 'accepted' });
        next();
      },
      (error: unknown) => {
        const body: ErrorFrameBody =
          error instanceof AuthError
            ? error.toFrame()
            : { code: ErrorCode.Internal, message: 'authentication failed' };
        metrics.connectsTotal.inc({ outcome: body.code });
        next(Object.assign(new Error(body.message), { data: body }));
      },
    );
  });

  io.on('connection', (socket) => onConnection(socket));

  function refuse(socket: Socket, code: ErrorCode, message: string): void {
    metrics.clientErrors.inc({ code });
    socket.emit(SocketEvent.Error, { code, message } satisfies ErrorFrameBody);
  }

  // One listener shared by every socket: a closure per socket cost heap on every open connection
  // and it needs nothing from the socket. Observed once per notification per container, not once
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

  function onConnection(socket: Socket): void {
    const { userId } = socket.data as SocketData;
    // Joined here, from the verified token, before the client can ask to resume: see publisher.ts.
    socket.join(userRoom(userId));
    metrics.connections.inc();
    socket.onAnyOutgoing(recordDeliveryLatency);

    // Per-socket frame budget: a fixed one-second window is enough to stop a flood cheaply. The
    // counters live in the middleware's own scope (no separate helper closure per socket).
    let windowStartMs = Date.now();
    let framesInWindow = 0;

    // Every inbound event is looked at here; only `resume` is answered with data.
    socket.use(([event, ...args], next) => {
      const ack =
        typeof args[args.length - 1] === 'function'
          ? (args[args.length - 1] as (body: unknown) => void)
          : undefined;
      const now = Date.now();
      if (now - windowStartMs >= 1000) {
        windowStartMs = now;
        framesInWindow = 0;
      }
      if (++framesInWindow > config.MAX_FRAMES_PER_SECOND) {
        const body = {
          code: ErrorCode.RateLimited,
          message: `more than ${config.MAX_FRAMES_PER_SECOND} frames per second`,
        };
        metrics.clientErrors.inc({ code: body.code });
        if (ack) ack(body);
        else if (framesInWindow === config.MAX_FRAMES_PER_SECOND + 1) socket.emit(SocketEvent.Error, body);
        return;
      }
      if (event === SocketEvent.Resume) return next();
      const isRoomAttempt = /join|leave|room|subscribe/i.test(String(event));
      const code = isRoomAttempt ? ErrorCode.Forbidden : ErrorCode.UnknownAction;
      const message = isRoomAttempt
        ? 'rooms are assigned by the server from your token; clients cannot join or leave them'
        : `unknown event "${String(event).slice(0, 64)}"`;
      metrics.clientErrors.inc({ code });
      if (ack) ack({ code, message });
      else socket.emit(SocketEvent.Error, { code, message });
    });

    socket.on(SocketEvent.Resume, async (...args: unknown[]) => {
      const ack = args.at(-1);
      if (typeof ack !== 'function') {
        refuse(socket, ErrorCode.BadRequest, 'resume needs an acknowledgement callback');
        return;
      }
      // Exactly one request object: extra arguments used to shift the ack out of place and leave
      // the client waiting for an answer that never came (found by the chaos frame generator).
      if (args.length !== 2) {
        metrics.clientErrors.inc({ code: ErrorCode.BadRequest });
        ack({ code: ErrorCode.BadRequest, message: 'resume takes exactly one request object' });
        return;
      }
      const request = args[0];
      const parsed = resumeRequestSchema.safeParse(request);
      if (!parsed.success) {
        metrics.clientErrors.inc({ code: ErrorCode.BadRequest });
        ack({
          code: ErrorCode.BadRequest,
          message: `bad resume request: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
        });
        return;
      }
      try {
        const result = replayLog
          ? await replayLog.read(userId, parsed.data.after)
          : { notifications: [], truncated: parsed.data.after !== undefined };
        metrics.replayed.inc(result.notifications.length);
        ack({ ...result, servedBy: config.CONTAINER_ID });
      } catch (error) {
        logger.error({ err: (error as Error).message }, 'resume failed');
        ack({ code: ErrorCode.Internal, message: 'could not read the replay log; retry' });
      }
    });

    socket.on('disconnect', () => metrics.connections.dec());
  }

  // ---- HTTP: health, readiness, jobs (metrics have their own listener, below) ----
  let draining = false;
  /** In-container jobs not yet published, by job id. */
  const inFlightJobs = new Map<string, InFlightJob>();
  const jobQueue = pub ? createJobQueue({ redis: pub }) : undefined;

  const sendJson = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };

  async function readJson(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_JSON_BODY_BYTES) throw Object.assign(new Error('body too large'), { status: 413 });
      chunks.push(chunk as Buffer);
    }
    if (size === 0) return {};
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      throw Object.assign(new Error('body is not valid JSON'), { status: 400 });
    }
  }

  async function startJob(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (draining)
      return sendJson(res, 503, {
        code: ErrorCode.ServerShuttingDown,
        message: 'this container is draining',
      });
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
    let userId: string;
    try {
      ({ userId } = await verifyToken(token, jwtKey));
    } catch (error) {
      const body =
        error instanceof AuthError
          ? error.toFrame()
          : { code: ErrorCode.InvalidToken, message: 'invalid token' };
      return sendJson(res, 401, body);
    }
    let body: unknown;
    try {
      body = await readJson(req);
    } catch (error) {
      const status = (error as { status?: number }).status ?? 400;
      return sendJson(res, status, {
        code: status === 413 ? ErrorCode.PayloadTooLarge : ErrorCode.BadRequest,
        message: (error as Error).message,
      });
    }
    const parsed = syncJobRequestSchema.safeParse(body);
    if (!parsed.success) {
      return sendJson(res, 400, {
        code: ErrorCode.BadRequest,
        message: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
      });
    }
    if (parsed.data.durationMs > config.MAX_JOB_DURATION_MS) {
      return sendJson(res, 400, {
        code: ErrorCode.BadRequest,
        message: `durationMs may be at most ${config.MAX_JOB_DURATION_MS}`,
      });
    }
    if (parsed.data.publishVia === 'worker' && !config.WORKER_PUBLISH) {
      return sendJson(res, 400, {
        code: ErrorCode.BadRequest,
        message:
          'publishVia "worker": this deployment runs no worker (WORKER_PUBLISH=false); use "container"',
      });
    }
    // Without a queue a worker reads (no Redis, or no worker), nothing can take over an unfinished
    // job on drain: accept only what the drain window lets finish here, rather than a 202 for a
    // notification that may never come.
    if ((!jobQueue || !config.WORKER_PUBLISH) && parsed.data.durationMs > config.DRAIN_TIMEOUT_MS) {
      return sendJson(res, 400, {
        code: ErrorCode.BadRequest,
        message: `with no worker to hand it to on drain (${jobQueue ? 'WORKER_PUBLISH=false' : 'REDIS_ADAPTER=memory'}) durationMs may be at most DRAIN_TIMEOUT_MS (${config.DRAIN_TIMEOUT_MS})`,
      });
    }
    const job: QueuedJob = {
      jobId: randomUUID(),
      userId,
      durationMs: parsed.data.durationMs,
      outcome: parsed.data.outcome,
      enqueuedAtMs: Date.now(),
    };
    if (parsed.data.publishVia === 'worker') {
      if (!jobQueue)
        return sendJson(res, 503, { code: ErrorCode.Internal, message: 'the worker path needs Redis' });
      await jobQueue.enqueue(job);
    } else {
      runInContainer(job);
    }
    sendJson(res, 202, {
      jobId: job.jobId,
      acceptedBy: config.CONTAINER_ID,
      publishVia: parsed.data.publishVia,
    });
  }

  function runInContainer(job: QueuedJob): void {
    const cancel = new AbortController();
    const dueAtMs = Date.now() + job.durationMs;
    const run = (async () => {
      await delay(job.durationMs, cancel.signal);
      if (cancel.signal.aborted) return; // handed to the worker's queue by the drain
      const completion = completionFor(job, config.CONTAINER_ID);
      // Without Redis (REDIS_ADAPTER=memory, one container, no log) the server emits it itself.
      if (publisher) await publisher.publish(completion);
      else
        io.to(userRoom(job.userId)).emit(
          SocketEvent.Notification,
          notificationToPublish(completion).notification,
        );
      metrics.notificationsSent.inc({ path: 'container' });
    })()
      .catch((error: unknown) =>
        logger.error({ err: (error as Error).message, jobId: job.jobId }, 'job publish failed'),
      )
      .finally(() => {
        if (inFlightJobs.get(job.jobId)?.run === run) inFlightJobs.delete(job.jobId);
      });
    inFlightJobs.set(job.jobId, { job, dueAtMs, cancel, run });
  }

  /**
   * Hands the in-container jobs `which` selects to the worker's reliable queue, with the work they
   * have left and the same job id, and stops running them here. One handed over while it was
   * publishing here is completed twice, which the publisher's per-job claim turns into one notification.
   */
  async function handOffJobs(which: (entry: InFlightJob) => boolean): Promise<void> {
    if (!jobQueue) return; // without Redis, jobs were accepted only if the drain window covers them
    const chosen = [...inFlightJobs.values()].filter(which);
    await Promise.all(
      chosen.map(async ({ job, dueAtMs, cancel }) => {
        cancel.abort();
        inFlightJobs.delete(job.jobId);
        const remainingMs = Math.max(0, dueAtMs - Date.now());
        try {
          await jobQueue.enqueue({ ...job, remainingMs, handedOffBy: config.CONTAINER_ID });
          logger.info({ jobId: job.jobId, remainingMs }, 'draining: job handed to the worker queue');
        } catch (error) {
          logger.error(
            { err: (error as Error).message, jobId: job.jobId },
            'draining: could not hand a job over',
          );
        }
      }),
    );
  }

  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/socket.io')) return; // socket.io answers these
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz')
      return sendJson(res, 200, { status: 'ok', containerId: config.CONTAINER_ID });
    if (req.method === 'GET' && path === '/readyz') {
      const redisReady = !pub || (pub.isReady && sub?.isReady === true);
      const ready = !draining && redisReady;
      return sendJson(res, ready ? 200 : 503, {
        ready,
        draining,
        redis: pub ? (redisReady ? 'ready' : 'down') : 'none',
        redisClient: pub?.kind ?? 'none',
        containerId: config.CONTAINER_ID,
      });
    }
    if (path === '/jobs/sync') {
      if (req.method !== 'POST')
        return sendJson(res, 405, { code: ErrorCode.BadRequest, message: 'use POST' });
      startJob(req, res).catch((error: unknown) => {
        logger.error({ err: (error as Error).message }, 'job request failed');
        if (!res.headersSent)
          sendJson(res, 500, { code: ErrorCode.Internal, message: 'could not start the job' });
      });
      return;
    }
    sendJson(res, 404, { code: ErrorCode.BadRequest, message: 'not found' });
  });

  // ---- metrics: a listener of its own, off the public port ----
  const metricsHttp = createHttpServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics')
      return sendJson(res, 404, { code: ErrorCode.BadRequest, message: 'not found (GET /metrics)' });
    metrics.registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
      },
      (error: unknown) => {
        logger.warn({ err: (error as Error).message }, 'could not collect metrics');
        sendJson(res, 500, { code: ErrorCode.Internal, message: 'could not collect metrics' });
      },
    );
  });

  let closed = false;
  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    // An immediate stop (tests) is a crash for the jobs still running here: stop their timers.
    for (const { cancel } of inFlightJobs.values()) cancel.abort();
    // The adapter's PUBLISH of a notification sent just before is auto-pipelined: ioredis writes it
    // on the next tick. QUIT issued in this same tick would overtake it and the PUBLISH would never
    // leave (found by the chaos SIGTERM scenario: the last job of a drain reached the log but no one
    // live). Let the pipeline flush first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => io.close(() => resolve()));
    // The adapter's close sends (P)UNSUBSCRIBE without waiting for, or catching, the answers: a QUIT
    // right behind them closed the connection first and each became an unhandled rejection
    // ("Connection is closed"), fatal in Node. Redis answers in order, so once a PING behind them is
    // answered, they are too.
    await sub?.call('PING').catch(() => undefined);
    http.closeAllConnections?.();
    if (metricsHttp.listening) {
      const metricsClosed = new Promise<void>((resolve) => metricsHttp.close(() => resolve()));
      metricsHttp.closeAllConnections();
      await metricsClosed;
    }
    await Promise.all([pub?.quit().catch(() => pub.disconnect()), sub?.quit().catch(() => sub.disconnect())]);
  }

  return {
    io,
    http,
    metrics,
    replayLog,
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
      const deadline = Date.now() + config.DRAIN_TIMEOUT_MS;
      // Stop accepting: the load balancer's next connection attempt fails over to another container.
      http.close();
      // A job the drain window cannot cover goes to the worker's queue now (it was told 202; at
      // the deadline Redis closes and a job still running here would never publish).
      await handOffJobs(({ dueAtMs }) => dueAtMs >= deadline);
      // Ask clients to move, in waves across half the window so they do not all land at once.
      const sockets = [...io.of('/').sockets.values()];
      const waves = 10;
      const perWave = Math.max(1, Math.ceil(sockets.length / waves));
      const waveGapMs = Math.min(250, config.DRAIN_TIMEOUT_MS / 2 / waves);
      logger.info({ sockets: sockets.length, drainTimeoutMs: config.DRAIN_TIMEOUT_MS }, 'draining');
      for (let i = 0; i < sockets.length; i += perWave) {
        for (const socket of sockets.slice(i, i + perWave)) {
          socket.emit(SocketEvent.Draining, {
            code: ErrorCode.ServerShuttingDown,
            message: 'container is draining; reconnect',
          });
          socket.disconnect(true);
        }
        if (i + perWave < sockets.length) await delay(waveGapMs);
      }
      // In-flight jobs publish through Redis, so their clients get them on the container they moved to.
      const remainingMs = Math.max(0, deadline - Date.now());
      await Promise.race([
        Promise.allSettled([...inFlightJobs.values()].map((j) => j.run)),
        delay(remainingMs),
      ]);
      // Whatever is still here at the deadline (a slow publish, a loaded machine) goes too, before Redis closes.
      await handOffJobs(() => true);
      await close();
    },
    close,
  };
}
