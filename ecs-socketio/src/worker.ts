import { Emitter } from '@socket.io/redis-emitter';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { completionFor, delay, JOB_QUEUE_KEY, queuedJobSchema } from './jobs.js';
import { publishNotification } from './publisher.js';
import { createReplayLog } from './replay-log.js';

export interface WorkerOptions {
  /** Commands (replay log, PUBLISH through the emitter). */
  redis: Redis;
  /** A dedicated connection: BLPOP blocks it. */
  queueRedis: Redis;
  logger: Logger;
  workerId: string;
  replayMaxLen: number;
  replayTtlSeconds: number;
  /** How long one BLPOP waits before looping (and noticing a stop). @default 1 */
  pollSeconds?: number;
}

export interface Worker {
  /** Stops taking jobs, waits for the running ones. */
  stop(): Promise<void>;
  readonly done: Promise<void>;
}

/**
 * The background worker: takes demo sync jobs from a Redis list and, when one finishes,
 * publishes its notification with @socket.io/redis-emitter. The emitter is not a socket.io
 * server: it PUBLISHes straight to the adapter's channel, so it only reaches servers using the
 * classic (non-sharded) Redis adapter.
 */
export function startWorker({
  redis,
  queueRedis,
  logger,
  workerId,
  replayMaxLen,
  replayTtlSeconds,
  pollSeconds = 1,
}: WorkerOptions): Worker {
  const emitter = new Emitter(redis, { key: 'syncbell' });
  const log = createReplayLog({ redis, maxLen: replayMaxLen, ttlSeconds: replayTtlSeconds });
  const running = new Set<Promise<void>>();
  let stopping = false;

  const run = async (raw: string) => {
    const parsed = queuedJobSchema.safeParse(JSON.parse(raw));
    if (!parsed.success) {
      logger.warn('dropping a malformed job from the queue');
      return;
    }
    const job = parsed.data;
    await delay(job.durationMs);
    await publishNotification(log, emitter, completionFor(job, workerId));
    logger.info({ jobId: job.jobId }, 'published');
  };

  const done = (async () => {
    while (!stopping) {
      let popped: [string, string] | null = null;
      try {
        popped = await queueRedis.blpop(JOB_QUEUE_KEY, pollSeconds);
      } catch (error) {
        if (stopping) break;
        logger.warn({ err: (error as Error).message }, 'queue read failed; retrying');
        await delay(500);
        continue;
      }
      if (!popped) continue;
      const task = run(popped[1]).catch((error: unknown) =>
        logger.error({ err: (error as Error).message }, 'job failed'),
      );
      running.add(task);
      void task.finally(() => running.delete(task));
    }
    await Promise.allSettled([...running]);
    // The emitter's last PUBLISH is auto-pipelined (written on the next tick); the caller quits
    // Redis right after `done`, and QUIT must not overtake it.
    await new Promise<void>((resolve) => setImmediate(resolve));
  })();

  return {
    done,
    async stop() {
      stopping = true;
      await done;
    },
  };
}
