import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { createJobQueue, type JobQueue, type TakenJob } from './job-queue.js';
import { delay, publishCompletion } from './jobs.js';
import type { AnyRedis } from '../src/redis-client.js';
import { createSocketIoPublisher, type SocketIoAdapterKind } from '../src/socketio-publisher.js';
import { createWorkerMetrics, type WorkerMetrics } from './worker-metrics.js';

export interface WorkerOptions {
  /** Commands (the publisher's script, the queue's acknowledgements and leases); ioredis or node-redis. */
  redis: AnyRedis;
  /** The servers' adapter, which the publisher writes for. @default 'classic' */
  adapter?: SocketIoAdapterKind;
  /** A dedicated connection: XREADGROUP BLOCK holds it. */
  queueRedis: AnyRedis;
  logger: Logger;
  /** Shown in notifications as `ranOn`. */
  workerId: string;
  replayMaxLen: number;
  replayTtlSeconds: number;
  /** A taken job not renewed for this long is taken over by another worker. @default 15000 */
  visibilityTimeoutMs?: number;
  /** How long one XREADGROUP waits before looping (and noticing a stop). @default 1000 */
  pollMs?: number;
  /** @default createWorkerMetrics(workerId) */
  metrics?: WorkerMetrics;
  /** The queue (tests point it at their own stream). @default createJobQueue({ redis, blockingRedis: queueRedis }) */
  queue?: JobQueue;
}

export interface Worker {
  readonly metrics: WorkerMetrics;
  /** The consumer name in the group: `workerId` plus a per-process suffix. */
  readonly consumer: string;
  /** Stops taking jobs, waits for the running ones. */
  stop(): Promise<void>;
  readonly done: Promise<void>;
}

/** Entries taken per read or recovery pass. */
const BATCH = 10;

/**
 * The background worker: takes demo sync jobs from the reliable queue (job-queue.ts) and, when
 * one finishes, publishes its notification with the socket.io publisher (socketio-publisher.ts:
 * log and publish in one script, to the classic or the sharded adapter), then acknowledges it.
 *
 * A job is acknowledged only after its publish, so a worker that dies mid-job leaves it pending
 * and another worker recovers it once its lease runs out; the completion is idempotent by job id
 * (the publisher claims it), so a job recovered after it published is neither logged nor sent
 * again.
 */
export function startWorker({
  redis,
  adapter = 'classic',
  queueRedis,
  logger,
  workerId,
  replayMaxLen,
  replayTtlSeconds,
  visibilityTimeoutMs = 15_000,
  pollMs = 1000,
  metrics = createWorkerMetrics(workerId),
  queue = createJobQueue({ redis, blockingRedis: queueRedis }),
}: WorkerOptions): Worker {
  const publisher = createSocketIoPublisher({
    redis,
    adapter,
    replay: { maxLen: replayMaxLen, ttlSeconds: replayTtlSeconds },
  });
  // Unique per process: a restarted worker must not inherit (and silently re-own) a dead one's leases.
  const consumer = `${workerId}:${randomUUID().slice(0, 8)}`;
  const running = new Map<string, Promise<void>>();
  let stopping = false;

  const run = async ({ entryId, job }: TakenJob & { job: NonNullable<TakenJob['job']> }) => {
    await delay(job.remainingMs ?? job.durationMs);
    const startedAt = performance.now();
    if (await publishCompletion((completion) => publisher.publish(completion), job, workerId)) {
      metrics.publishLatency.observe((performance.now() - startedAt) / 1000);
      metrics.notificationsSent.inc({ path: 'worker' });
    }
    await queue.complete(entryId);
    metrics.jobsCompleted.inc();
    logger.info({ jobId: job.jobId, handedOffBy: job.handedOffBy }, 'published');
  };

  const begin = (taken: TakenJob) => {
    if (running.has(taken.entryId)) return; // recovered our own entry while it still runs
    metrics.jobsTaken.inc({ delivery: taken.recovered ? 'recovered' : 'new' });
    if (taken.recovered) metrics.jobsRecovered.inc();
    const { job } = taken;
    const task = job
      ? run({ ...taken, job }).catch((error: unknown) => {
          // Left pending: its lease is no longer renewed, so it is recovered and retried.
          metrics.jobsFailed.inc({ reason: 'publish' });
          logger.error({ err: (error as Error).message, jobId: job.jobId }, 'job failed; it will be retried');
        })
      : queue.complete(taken.entryId).then(
          () => {
            metrics.jobsFailed.inc({ reason: 'malformed' });
            logger.warn({ entryId: taken.entryId }, 'dropped a malformed job from the queue');
          },
          () => undefined,
        );
    running.set(taken.entryId, task);
    void task.finally(() => running.delete(taken.entryId));
  };

  const renewLeases = () => {
    queue.renew(consumer, [...running.keys()]).then(
      (lost) => {
        if (lost.length > 0) logger.warn({ lost }, 'another worker took over jobs this one still runs');
      },
      (error: unknown) => logger.warn({ err: (error as Error).message }, 'lease renewal failed'),
    );
  };
  const leaseTimer = setInterval(renewLeases, Math.max(100, Math.floor(visibilityTimeoutMs / 3)));

  const done = (async () => {
    let groupReady = false;
    let nextRecoveryAtMs = 0;
    while (!stopping) {
      try {
        if (!groupReady) {
          await queue.ensureGroup();
          groupReady = true;
        }
        if (Date.now() >= nextRecoveryAtMs) {
          nextRecoveryAtMs = Date.now() + Math.max(100, Math.floor(visibilityTimeoutMs / 2));
          for (const taken of await queue.reclaim(consumer, visibilityTimeoutMs, BATCH)) {
            logger.warn(
              { entryId: taken.entryId, jobId: taken.job?.jobId },
              'recovered a job from a dead worker',
            );
            begin(taken);
          }
        }
        for (const taken of await queue.take(consumer, pollMs, BATCH)) begin(taken);
      } catch (error) {
        if (stopping) break;
        // NOGROUP: the stream was deleted (FLUSHALL, a new Redis); make the group again.
        if (String((error as Error).message).includes('NOGROUP')) groupReady = false;
        logger.warn({ err: (error as Error).message }, 'queue read failed; retrying');
        await delay(500);
      }
    }
    await Promise.allSettled([...running.values()]);
    clearInterval(leaseTimer);
    await queue.removeConsumer(consumer).catch(() => undefined);
    // The last publish may be auto-pipelined (ioredis writes it on the next tick); the caller quits
    // Redis right after `done`, and QUIT must not overtake it.
    await new Promise<void>((resolve) => setImmediate(resolve));
  })();

  return {
    metrics,
    consumer,
    done,
    async stop() {
      stopping = true;
      await done;
    },
  };
}
