import pWaitFor from 'p-wait-for';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, expect, it } from 'vitest';
import { createJobQueue, type JobQueue } from '../../../ecs-socketio/container/job-queue.js';
import { JOB_GROUP, type QueuedJob } from '../../../ecs-socketio/container/jobs.js';
import { createTestRedis } from '../support/harness.js';

// `redis` reads what the queue wrote; the queue runs on the suite's client (TEST_REDIS_CLIENT).
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const client = createTestRedis();
const streams: string[] = [];
afterEach(async () => {
  if (streams.length > 0) await redis.del(...streams.splice(0));
});
afterAll(() => {
  redis.disconnect();
  client.disconnect();
});

/** A queue on its own stream, so tests share nothing. */
async function freshQueue(): Promise<JobQueue> {
  const streamKey = `test:job-stream:${randomUUID()}`;
  streams.push(streamKey);
  const queue = createJobQueue({ redis: client, streamKey });
  await queue.ensureGroup();
  return queue;
}

const job = (jobId = randomUUID()): QueuedJob => ({
  jobId,
  userId: 'u1',
  durationMs: 100,
  outcome: 'complete',
  enqueuedAtMs: Date.now(),
});

/** Waits until Redis counts the entry idle (lease not renewed) for at least `ms`. */
async function idleAtLeast(entryId: string, ms: number): Promise<void> {
  const key = streams.at(-1) as string;
  await pWaitFor(
    async () =>
      ((await redis.xpending(key, JOB_GROUP, 'IDLE', ms, entryId, entryId, 1)) as unknown[]).length > 0,
    { interval: 20 },
  );
}

it('delivers a job queued before the consumer group existed', async () => {
  const streamKey = `test:job-stream:${randomUUID()}`;
  streams.push(streamKey);
  const queue = createJobQueue({ redis: client, streamKey });
  const queued = job();
  await queue.enqueue(queued);
  await queue.ensureGroup();
  await queue.ensureGroup(); // idempotent

  const [taken] = await queue.take('w1', 100, 10);
  expect(taken).toMatchObject({ job: queued, recovered: false });
});

it('keeps a taken job pending until it is completed, then forgets it', async () => {
  const queue = await freshQueue();
  await queue.enqueue(job());
  const [taken] = await queue.take('w1', 100, 10);
  expect(await queue.pendingCount()).toBe(1);
  expect(await queue.take('w2', 10, 10)).toEqual([]); // one worker per entry

  await queue.complete(taken?.entryId ?? '');

  expect(await queue.pendingCount()).toBe(0);
  expect(await queue.length()).toBe(0);
});

it('lets another worker recover a job whose lease ran out, marked recovered', async () => {
  const queue = await freshQueue();
  const queued = job();
  await queue.enqueue(queued);
  const [taken] = await queue.take('dead-worker', 100, 10);
  await idleAtLeast(taken?.entryId ?? '', 200);

  const recovered = await queue.reclaim('w2', 200, 10);

  expect(recovered).toEqual([{ entryId: taken?.entryId, job: queued, recovered: true }]);
  expect(await queue.reclaim('w3', 200, 10)).toEqual([]); // w2 holds a fresh lease now
});

it('does not recover a job whose lease was renewed', async () => {
  const queue = await freshQueue();
  await queue.enqueue(job());
  const [taken] = await queue.take('w1', 100, 10);
  await idleAtLeast(taken?.entryId ?? '', 200);

  expect(await queue.renew('w1', [taken?.entryId ?? ''])).toEqual([]);

  expect(await queue.reclaim('w2', 200, 10)).toEqual([]);
});

it('never takes a recovered job back on renewal: the stalled owner learns it lost it', async () => {
  const queue = await freshQueue();
  await queue.enqueue(job());
  const [taken] = await queue.take('stalled', 100, 10);
  const entryId = taken?.entryId ?? '';
  await idleAtLeast(entryId, 200);
  await queue.reclaim('rescuer', 200, 10);

  expect(await queue.renew('stalled', [entryId])).toEqual([entryId]);

  const [pending] = (await redis.xpending(streams.at(-1) as string, JOB_GROUP, '-', '+', 1)) as [
    string,
    string,
  ][];
  expect(pending?.[1]).toBe('rescuer');
});

it('hands over an unreadable entry as one without a job, so it can be dropped', async () => {
  const queue = await freshQueue();
  await redis.xadd(streams.at(-1) as string, '*', 'job', '{not json');
  const [taken] = await queue.take('w1', 100, 10);
  expect(taken).toMatchObject({ job: undefined, recovered: false });
});

it('keeps a stopping consumer that still owns a job in the group, so the job can be recovered', async () => {
  const queue = await freshQueue();
  await queue.enqueue(job());
  await queue.take('w1', 100, 10);

  await queue.removeConsumer('w1');
  await queue.removeConsumer('idle-worker'); // owns nothing: removed (no error when absent)

  expect(await queue.pendingCount()).toBe(1);
});
