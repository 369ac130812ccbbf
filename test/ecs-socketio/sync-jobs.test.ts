import pWaitFor from 'p-wait-for';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../dev-tools/index.js';
import { loadEcsConfig } from '../../ecs-socketio/src/config.js';
import { createJobQueue, type JobQueue } from '../../ecs-socketio/container/job-queue.js';
import { createLogger } from '../../ecs-socketio/container/logger.js';
import { createEcsServer } from '../../ecs-socketio/container/server.js';
import { uniqueUser } from '../support/unique-user.js';
import { connectRecorder, type RecordingClient } from '../support/recorder.js';
import { createEcsHarness, type EcsHarness, TEST_JWT_KEY } from './support/harness.js';

// Accepted jobs (202) must notify exactly once whatever happens to the process running them:
// a container drained before its job ends, a worker killed mid-job.
let harness: EcsHarness;
let queue: JobQueue;
let workerMetricsPort: number;
const recorders: RecordingClient[] = [];

beforeAll(async () => {
  workerMetricsPort = await freePort();
  harness = await createEcsHarness({
    // A private Redis: no other test's worker may take these jobs from the shared queue.
    ownRedis: true,
    worker: true,
    healthCheckIntervalMs: 200,
    env: {
      DRAIN_TIMEOUT_MS: '1000',
      JOB_VISIBILITY_TIMEOUT_MS: '1500',
      WORKER_METRICS_PORT: String(workerMetricsPort),
    },
  });
  queue = createJobQueue({ redis: harness.redis });
});
afterAll(async () => {
  for (const recorder of recorders) recorder.close();
  await harness?.stop();
});

const connect = (userId: string): Promise<RecordingClient> =>
  connectRecorder(harness, recorders, userId, { maxReconnectDelayMs: 500 });

async function startJob(baseUrl: string, userId: string, body: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${baseUrl}/jobs/sync`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await harness.token(userId)}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { jobId: string }).jobId;
}

/** The replay log's entries for `jobId`. */
async function loggedFor(userId: string, jobId: string): Promise<unknown[]> {
  const entries = await harness.redis.xrange(`syncbell:log:{${userId}}`, '-', '+');
  return entries
    .map(([, fields]) => JSON.parse(fields[1] ?? '{}') as { jobId?: string })
    .filter((n) => n.jobId === jobId);
}

const until = (predicate: () => Promise<boolean>, what: string): Promise<void> =>
  pWaitFor(predicate, {
    interval: 25,
    timeout: { milliseconds: 15_000, message: `timed out waiting for ${what}` },
  });

it('hands an in-container job longer than the drain window to the worker, which notifies exactly once', async () => {
  const userId = uniqueUser('handoff');
  const recorder = await connect(userId);
  const draining = harness.stack.containers().find((c) => c.id === 'ecs-1');
  const jobId = await startJob(draining?.url ?? '', userId, { durationMs: 2500 });

  await harness.stack.killContainer('ecs-1', 'SIGTERM'); // drains for 1 s, then exits
  await recorder.waitFor(
    () => recorder.received.some((r) => r.notification.jobId === jobId),
    'the handed-off job',
  );

  const got = recorder.received.filter((r) => r.notification.jobId === jobId);
  expect(got).toHaveLength(1);
  expect(got[0]?.notification.data).toMatchObject({ ranOn: 'worker-local', durationMs: 2500 });
  expect(await loggedFor(userId, jobId)).toHaveLength(1);
});

it('recovers a job from a worker SIGKILLed mid-job: the next worker notifies exactly once', async () => {
  const userId = uniqueUser('worker-kill');
  const recorder = await connect(userId);
  await until(async () => (await queue.pendingCount()) === 0, 'earlier jobs to be acknowledged');
  const jobId = await startJob(harness.url, userId, { durationMs: 1000, publishVia: 'worker' });
  await until(async () => (await queue.pendingCount()) === 1, 'the worker to take the job');

  await harness.stack.killWorker('SIGKILL');
  await harness.stack.startWorker();
  await recorder.waitFor(
    () => recorder.received.some((r) => r.notification.jobId === jobId),
    'the recovered job',
  );

  expect(recorder.received.filter((r) => r.notification.jobId === jobId)).toHaveLength(1);
  expect(await loggedFor(userId, jobId)).toHaveLength(1);
  await until(async () => (await queue.pendingCount()) === 0, 'the acknowledgement');
  const metrics = await (await fetch(`http://127.0.0.1:${workerMetricsPort}/metrics`)).text();
  expect(metrics).toMatch(/^syncbell_worker_jobs_recovered_total\{worker="worker-local"\} 1$/m);
  expect(metrics).toMatch(
    /^syncbell_notifications_published_total\{path="worker",worker="worker-local"\} 1$/m,
  );
});

describe('without Redis (memory adapter)', () => {
  it.each([
    ['memory', { REDIS_ADAPTER: 'memory' }, /REDIS_ADAPTER=memory/],
    ['WORKER_PUBLISH=false', { WORKER_PUBLISH: 'false' }, /WORKER_PUBLISH=false/],
  ])(
    'refuses a job the drain window cannot cover when nothing could take it over (%s)',
    async (name, env, why) => {
      const config = loadEcsConfig({
        ...env,
        REDIS_URL: process.env.REDIS_URL,
        DRAIN_TIMEOUT_MS: '1000',
        PORT: '0',
        METRICS_PORT: 'off',
      });
      const server = await createEcsServer({
        config,
        logger: createLogger('test', 'silent', name),
        jwtKey: TEST_JWT_KEY,
      });
      const port = await server.listen(0);
      try {
        // Ready (Redis connected and subscribed) before the first request, as behind a load balancer.
        await until(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, 'ready');
        const post = async (durationMs: number) =>
          fetch(`http://127.0.0.1:${port}/jobs/sync`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${await harness.token(uniqueUser('no-handoff'))}`,
              'content-type': 'application/json',
            },
            body: JSON.stringify({ durationMs }),
          });
        const refused = await post(1001);
        expect(refused.status).toBe(400);
        const { message } = (await refused.json()) as { message: string };
        expect(message).toMatch(/DRAIN_TIMEOUT_MS/);
        expect(message).toMatch(why);
        expect((await post(1000)).status).toBe(202);
      } finally {
        await server.close();
      }
    },
  );
});
