import { randomBytes } from 'node:crypto';
import { type OwnedRedis, startOwnedRedis } from '../../dev-tools/index.js';
import { type EcsLocalOptions, type EcsLocalStack, startEcsLocal } from '../../ecs-socketio/local/stack.js';
import { createJobQueue, type JobQueue } from '../../ecs-socketio/container/job-queue.js';
import { createRedis } from '../../ecs-socketio/container/redis-connection.js';
import { replayLogKey } from '../../ecs-socketio/src/replay-log.js';
import { createSocketIoPublisher, publisherAdapter } from '../../ecs-socketio/src/socketio-publisher.js';
import { signToken } from '../../shared/server/auth/index.js';
import {
  type SocketIoTransportOptions,
  socketIoTransport,
  type Transport,
} from '../../shared/client/socketio.js';
import { createNotification, type Notification } from '../../shared/contract/index.js';
import { rssBytes } from '../process-memory.js';

export interface ChaosEcsOptions extends EcsLocalOptions {
  /** Run on a private, durable redis-server the scenario may stop and start. @default false */
  durableRedis?: boolean;
}

export interface ChaosEcs {
  stack: EcsLocalStack;
  /** Only with `durableRedis: true`. */
  redis: OwnedRedis | undefined;
  jwtKey: Uint8Array;
  /** The secret `jwtKey` is made of (client processes sign their own tokens). */
  jwtSecret: string;
  /** The worker's queue, read from this process (what is waiting, what is taken and not acknowledged). */
  jobQueue: JobQueue;
  token(userId: string, expiresInSeconds?: number): Promise<string>;
  /** A socket.io transport whose connections carry `chaos=<label>` in the query (visible in LB tunnels). */
  transport(
    label: string,
    options?: Pick<SocketIoTransportOptions, 'keepAliveIntervalMs' | 'pongTimeoutMs'>,
  ): Transport;
  /** The worker's publish path from this process: the socket.io publisher (log, then the adapter's channel). */
  publish(userId: string, sequence: number): Promise<Notification>;
  /** Publishes this envelope through the same path, unvalidated: what a newer server version sends. */
  publishEnvelope(envelope: { id: string; userId: string } & Record<string, unknown>): Promise<void>;
  /** Writes `entry` straight into `userId`'s Redis Stream log: a string as raw bytes, else as JSON. */
  writeLogEntry(userId: string, entry: unknown): Promise<void>;
  /** Tells every connected client to resume again (as a server does after a Redis outage), on either adapter. */
  resyncAll(): Promise<void>;
  /** `POST {baseUrl}/jobs/sync`; resolves with the job id on 202, else undefined and the status. */
  startJob(
    baseUrl: string,
    userId: string,
    body: Record<string, unknown>,
  ): Promise<{ jobId?: string; status: number; acceptedBy?: string }>;
  /** RSS of each running container, by id. */
  containerRss(): Promise<Map<string, { pid: number; bytes: number }>>;
  stop(): Promise<void>;
}

/** The ECS local stack with a fresh JWT secret, plus the publishing and token helpers the scenarios share. */
export async function startChaosEcs(options: ChaosEcsOptions = {}): Promise<ChaosEcs> {
  const { durableRedis, ...stackOptions } = options;
  const ownRedis = durableRedis ? await startOwnedRedis({ durable: true }) : undefined;
  // A random secret per run: the stack is started like production (JWT_SECRET set), and no
  // token from another run or the dev secret is accepted.
  const secret = randomBytes(32).toString('base64url');
  const jwtKey = new TextEncoder().encode(secret);
  let stack: EcsLocalStack;
  try {
    stack = await startEcsLocal({
      containers: 2,
      worker: true,
      healthCheckIntervalMs: 250,
      ...stackOptions,
      ...(ownRedis ? { redisUrl: ownRedis.url } : {}),
      env: { JWT_SECRET: secret, LOG_LEVEL: 'error', ...stackOptions.env },
    });
  } catch (error) {
    await ownRedis?.destroy();
    throw error;
  }
  if (!stack.redisUrl) {
    await stack.stop();
    await ownRedis?.destroy();
    throw new Error('the chaos scenarios need Redis (redis-server on PATH or REDIS_URL)');
  }
  const cluster = stack.ownedRedisCluster !== undefined;
  const redis = createRedis({ url: stack.redisUrl, name: 'syncbell:chaos:publisher', cluster });
  redis.on('error', () => {
    // Expected while a scenario stops Redis; ioredis reconnects on its own.
  });
  // Notifications and the resync broadcast, through the one publisher, for the stack's adapter.
  const publisher = createSocketIoPublisher({
    redis,
    // A cluster runs the sharded adapter only (the local stack sets it).
    adapter: cluster ? 'sharded' : publisherAdapter(stackOptions.env?.REDIS_ADAPTER),
  });
  return {
    stack,
    redis: ownRedis,
    jwtKey,
    jwtSecret: secret,
    jobQueue: createJobQueue({ redis }),
    token: (userId, expiresInSeconds) =>
      signToken({ userId, key: jwtKey, ...(expiresInSeconds === undefined ? {} : { expiresInSeconds }) }),
    transport: (label, options) => socketIoTransport({ ...options, query: { chaos: label } }),
    async publish(userId, sequence) {
      const notification = createNotification({
        type: 'sync.progress',
        userId,
        jobId: `chaos-${sequence}`,
        data: { sequence },
      });
      await publisher.publishEnvelope(notification);
      return notification;
    },
    async publishEnvelope(envelope) {
      // A newer server runs this same publish path with a wider Notification type.
      await publisher.publishEnvelope(envelope as unknown as Notification);
    },
    async writeLogEntry(userId, entry) {
      await redis.call(
        'XADD',
        replayLogKey(userId),
        '*',
        'n',
        typeof entry === 'string' ? entry : JSON.stringify(entry),
      );
    },
    resyncAll: () => publisher.resyncAll(),
    async startJob(baseUrl, userId, body) {
      const response = await fetch(`${baseUrl}/jobs/sync`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await signToken({ userId, key: jwtKey })}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      }).catch(() => undefined);
      if (!response) return { status: 0 };
      const answer = (await response.json().catch(() => ({}))) as { jobId?: string; acceptedBy?: string };
      return response.status === 202
        ? {
            status: 202,
            ...(answer.jobId ? { jobId: answer.jobId } : {}),
            ...(answer.acceptedBy ? { acceptedBy: answer.acceptedBy } : {}),
          }
        : { status: response.status };
    },
    async containerRss() {
      const readings = new Map<string, { pid: number; bytes: number }>();
      for (const container of stack.containers()) {
        if (!container.running || container.pid === undefined) continue;
        const bytes = await rssBytes(container.pid);
        if (bytes !== undefined) readings.set(container.id, { pid: container.pid, bytes });
      }
      return readings;
    },
    async stop() {
      redis.disconnect();
      await stack.stop();
      await ownRedis?.destroy();
    },
  };
}
