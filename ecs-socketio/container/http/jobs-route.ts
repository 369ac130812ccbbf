import { ErrorCode } from '@syncbell/contract';
import { newSyncJobId } from '@syncbell/contract/jobs';
import { authenticate, bearerToken, type VerifyToken } from '@syncbell/server';
import type { EcsConfig } from '../../src/config.js';
import type { JobQueue } from '../job-queue.js';
import type { JobRunner } from '../job-runner.js';
import { type QueuedJob, syncJobRequestSchema } from '../jobs.js';
import { HttpRequestError, readJsonBody, sendError, sendJson } from './respond.js';
import type { Route } from './router.js';

/** Demo job requests are tiny (three optional fields). */
export const MAX_JOB_BODY_BYTES = 4096;

export interface SyncJobRouteOptions {
  config: Pick<EcsConfig, 'CONTAINER_ID' | 'MAX_JOB_DURATION_MS' | 'WORKER_PUBLISH' | 'DRAIN_TIMEOUT_MS'>;
  verify: VerifyToken;
  isDraining(): boolean;
  runner: JobRunner;
  jobQueue: Pick<JobQueue, 'enqueue'> | undefined;
}

const badRequest = (message: string) => new HttpRequestError(ErrorCode.BadRequest, message);

/** `POST /jobs/sync`: the playground's demo job, started by an end user with their own token. */
export function syncJobRoute({ config, verify, isDraining, runner, jobQueue }: SyncJobRouteOptions): Route {
  return {
    method: 'POST',
    path: '/jobs/sync',
    async handle(req, res) {
      if (isDraining())
        return sendError(res, { code: ErrorCode.ServerShuttingDown, message: 'this container is draining' });
      const auth = await authenticate(bearerToken(req.headersDistinct.authorization), verify);
      if (!auth.ok) return sendError(res, auth.error, auth.status);
      const parsed = syncJobRequestSchema.safeParse(await readJsonBody(req, MAX_JOB_BODY_BYTES));
      if (!parsed.success)
        throw badRequest(
          parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
        );
      const request = parsed.data;
      if (request.durationMs > config.MAX_JOB_DURATION_MS)
        throw badRequest(`durationMs may be at most ${config.MAX_JOB_DURATION_MS}`);
      if (request.publishVia === 'worker' && !config.WORKER_PUBLISH)
        throw badRequest(
          'publishVia "worker": this deployment runs no worker (WORKER_PUBLISH=false); use "container"',
        );
      // Without a queue a worker reads (no Redis, or no worker), nothing can take over an unfinished
      // job on drain: accept only what the drain window lets finish here, rather than a 202 for a
      // notification that may never come.
      if ((!jobQueue || !config.WORKER_PUBLISH) && request.durationMs > config.DRAIN_TIMEOUT_MS)
        throw badRequest(
          `with no worker to hand it to on drain (${jobQueue ? 'WORKER_PUBLISH=false' : 'REDIS_ADAPTER=memory'}) durationMs may be at most DRAIN_TIMEOUT_MS (${config.DRAIN_TIMEOUT_MS})`,
        );
      const job: QueuedJob = {
        jobId: newSyncJobId(),
        userId: auth.userId,
        durationMs: request.durationMs,
        outcome: request.outcome,
        enqueuedAtMs: Date.now(),
      };
      if (request.publishVia === 'worker') {
        if (!jobQueue)
          return sendError(res, { code: ErrorCode.Internal, message: 'the worker path needs Redis' }, 503);
        await jobQueue.enqueue(job);
      } else {
        runner.run(job);
      }
      sendJson(res, 202, {
        jobId: job.jobId,
        acceptedBy: config.CONTAINER_ID,
        publishVia: request.publishVia,
      });
    },
  };
}
