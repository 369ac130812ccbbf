import { z } from 'zod';
import { IdempotencyConflictError, type PublishInput } from '@syncbell/server';
import {
  syncJobNotificationType,
  syncJobRequestSchema as sharedSyncJobRequestSchema,
} from '@syncbell/contract/jobs';

/** `POST /jobs/sync` body: the contract's job request (same limits on both variants), plus where to run it. */
export const syncJobRequestSchema = sharedSyncJobRequestSchema
  .extend({
    /**
     * `container`: the job runs in this container and publishes with `io.to(room).emit`.
     * `worker`: the job is queued for the worker process. Both publish with the socket.io publisher.
     * @default 'container'
     */
    publishVia: z.enum(['container', 'worker']).default('container'),
  })
  .strict();
export type SyncJobRequest = z.infer<typeof syncJobRequestSchema>;

/** What goes on the Redis job queue for the worker. */
export const queuedJobSchema = z.object({
  /** `job_` + ULID (`newSyncJobId`); any string is read, so entries a previous version queued still run. */
  jobId: z.string(),
  userId: z.string(),
  durationMs: z.number().int().min(0),
  outcome: z.enum(['complete', 'failed']),
  enqueuedAtMs: z.number(),
  /**
   * Work left when a draining container handed the job over (its own run was cut short);
   * absent for a job queued from the start, which runs `durationMs`.
   */
  remainingMs: z.number().int().min(0).optional(),
  /** The container that handed the job over on drain. */
  handedOffBy: z.string().optional(),
});
export type QueuedJob = z.infer<typeof queuedJobSchema>;

/** The worker's reliable queue: a Redis Stream read through a consumer group (see job-queue.ts). */
export const JOB_STREAM_KEY = 'syncbell:job-stream';
/** The consumer group every worker joins: each entry goes to one worker until it is acknowledged. */
export const JOB_GROUP = 'syncbell-workers';

/** What a finished demo sync publishes (once per job: the publisher deduplicates by `jobId`). */
export function completionFor(
  job: Pick<QueuedJob, 'jobId' | 'userId' | 'outcome' | 'durationMs'>,
  ranOn: string,
): PublishInput {
  return {
    type: syncJobNotificationType(job.outcome),
    userId: job.userId,
    jobId: job.jobId,
    data: { ranOn, durationMs: job.durationMs, calendar: 'primary' },
  };
}

/**
 * Publishes a finished demo job's completion, true when this call published it. A job handed
 * over on drain, or recovered from a worker that died after its publish, completes twice, on two
 * processes: the completions differ in `ranOn`, so the second is an idempotency conflict, which
 * here means "already published" (the job's one notification is out), not a failure to retry.
 */
export async function publishCompletion(
  publish: (completion: PublishInput) => Promise<unknown>,
  job: Pick<QueuedJob, 'jobId' | 'userId' | 'outcome' | 'durationMs'>,
  ranOn: string,
): Promise<boolean> {
  try {
    await publish(completionFor(job, ranOn));
    return true;
  } catch (error) {
    if (error instanceof IdempotencyConflictError) return false;
    throw error;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (a drain does not wait for the demo delay twice). */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
