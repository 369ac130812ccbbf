import type { PublishInput } from '@syncbell/server';
import type { SyncbellLogger } from '../src/attach/attach.js';
import type { JobQueue } from './job-queue.js';
import { delay, publishCompletion, type QueuedJob } from './jobs.js';

/** A job running in this container (`publishVia: 'container'`). */
export interface InFlightJob {
  job: QueuedJob;
  dueAtMs: number;
  /** Aborted when the job is handed to the worker's queue (drain) or the server closes. */
  cancel: AbortController;
  run: Promise<void>;
}

export interface JobRunnerOptions {
  containerId: string;
  /** Publishes a finished job's completion (the one publisher, or the local emit without Redis). */
  publish(completion: PublishInput): Promise<unknown>;
  /** The worker's queue, which takes over unfinished jobs on drain; none without Redis. */
  jobQueue: Pick<JobQueue, 'enqueue'> | undefined;
  logger: SyncbellLogger;
  /** Told of every completion published here. */
  onPublished(): void;
  /** @default Date.now */
  nowMs?: () => number;
}

export interface JobRunner {
  /** Runs `job` here: waits its duration, then publishes its completion. */
  run(job: QueuedJob): void;
  /**
   * Hands the in-container jobs `which` selects to the worker's reliable queue, with the work they
   * have left and the same job id, and stops running them here. One handed over while it was
   * publishing here is completed twice, which the publisher's per-job claim turns into one notification.
   */
  handOff(which: (entry: InFlightJob) => boolean): Promise<void>;
  /** Resolves when every job running now has published (or been handed off or cancelled). */
  settled(): Promise<void>;
  /** An immediate stop is a crash for the jobs still running here: stops their timers. */
  cancelAll(): void;
  readonly size: number;
}

/** The demo jobs (`POST /jobs/sync`, `publishVia: 'container'`) this container runs itself. */
export function createJobRunner({
  containerId,
  publish,
  jobQueue,
  logger,
  onPublished,
  nowMs = Date.now,
}: JobRunnerOptions): JobRunner {
  /** In-container jobs not yet published, by job id. */
  const inFlight = new Map<string, InFlightJob>();
  return {
    run(job) {
      const cancel = new AbortController();
      const dueAtMs = nowMs() + job.durationMs;
      const run: Promise<void> = (async () => {
        await delay(job.durationMs, cancel.signal);
        if (cancel.signal.aborted) return; // handed to the worker's queue by the drain
        if (await publishCompletion(publish, job, containerId)) onPublished();
      })()
        .catch((error: unknown) =>
          logger.error({ err: (error as Error).message, jobId: job.jobId }, 'job publish failed'),
        )
        .finally(() => {
          if (inFlight.get(job.jobId)?.run === run) inFlight.delete(job.jobId);
        });
      inFlight.set(job.jobId, { job, dueAtMs, cancel, run });
    },
    async handOff(which) {
      if (!jobQueue) return; // without Redis, jobs were accepted only if the drain window covers them
      const chosen = [...inFlight.values()].filter(which);
      await Promise.all(
        chosen.map(async ({ job, dueAtMs, cancel }) => {
          cancel.abort();
          inFlight.delete(job.jobId);
          const remainingMs = Math.max(0, dueAtMs - nowMs());
          try {
            await jobQueue.enqueue({ ...job, remainingMs, handedOffBy: containerId });
            logger.info({ jobId: job.jobId, remainingMs }, 'draining: job handed to the worker queue');
          } catch (error) {
            logger.error(
              { err: (error as Error).message, jobId: job.jobId },
              'draining: could not hand a job over',
            );
          }
        }),
      );
    },
    async settled() {
      await Promise.allSettled([...inFlight.values()].map((entry) => entry.run));
    },
    cancelAll() {
      for (const { cancel } of inFlight.values()) cancel.abort();
    },
    get size() {
      return inFlight.size;
    },
  };
}
