import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import type { JobQueue, TakenJob } from '../../../ecs-socketio/container/job-queue.js';
import type { QueuedJob } from '../../../ecs-socketio/container/jobs.js';
import { startWorker, type Worker } from '../../../ecs-socketio/container/worker.js';
import { fromIoredis, fromNodeRedis, type RedisLike } from '../../../ecs-socketio/src/redis-client.js';
import { createClient } from 'redis';
import { uniqueUser } from '../../support/unique-user.js';
import { createTestRedis, TEST_REDIS_CLIENT } from '../support/harness.js';

// The worker's timing (lease renewal, recovery passes) against a scripted queue and fake timers;
// the queue itself is tested against Redis in job-queue.test.ts. Publishing goes to a real Redis.
let redis: RedisLike;
beforeAll(async () => {
  redis = createTestRedis();
  await redis.call('PING');
});
afterEach(() => {
  vi.useRealTimers();
});
afterAll(() => redis.disconnect());

/** A queue that hands out `entries` once, then has nothing; every other call is recorded. */
function scriptedQueue(
  entries: TakenJob[],
  recovered: TakenJob[] = [],
): JobQueue & { calls: Record<string, unknown[][]> } {
  const calls: Record<string, unknown[][]> = { renew: [], complete: [], reclaim: [] };
  let handedOut = false;
  return {
    calls,
    enqueue: async () => 'unused',
    ensureGroup: async () => undefined,
    take: (_consumer, blockMs) => {
      if (!handedOut) {
        handedOut = true;
        return Promise.resolve(entries);
      }
      return new Promise((resolve) => setTimeout(() => resolve([]), blockMs));
    },
    reclaim: async (...args) => {
      calls.reclaim?.push(args);
      return (calls.reclaim?.length ?? 0) === 1 ? recovered : [];
    },
    renew: async (...args) => {
      calls.renew?.push(args);
      return [];
    },
    complete: async (...args) => {
      calls.complete?.push(args);
    },
    pendingCount: async () => 0,
    length: async () => 0,
    removeConsumer: async () => undefined,
  };
}

const aJob = (durationMs: number): QueuedJob => ({
  jobId: `job-${uniqueUser()}`,
  userId: uniqueUser('worker'),
  durationMs,
  outcome: 'complete',
  enqueuedAtMs: 0,
});

/** The worker's pending read and lease timer live on the fake clock: let it run out while stopping. */
async function stopUnderFakeTimers(worker: Worker): Promise<void> {
  const stopped = worker.stop();
  await vi.advanceTimersByTimeAsync(2000);
  await stopped;
}

function start(queue: JobQueue, fakeRedis?: RedisLike) {
  return startWorker({
    redis: fakeRedis ?? redis,
    queueRedis: fakeRedis ?? redis,
    logger: pino({ level: 'silent' }),
    workerId: 'worker-test',
    replayMaxLen: 10,
    replayTtlSeconds: 60,
    visibilityTimeoutMs: 3000,
    pollMs: 1000,
    queue,
  });
}

it('renews the lease of a running job every third of the visibility timeout, and acknowledges it after publishing', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  const queue = scriptedQueue([{ entryId: '1-0', job: aJob(60_000), recovered: false }]);
  const worker = start(queue);

  await vi.advanceTimersByTimeAsync(59_000);
  const renewedWhileRunning = queue.calls.renew?.filter(([, ids]) => (ids as string[]).includes('1-0'));
  expect(renewedWhileRunning).toHaveLength(59); // every 1 s: far more often than the 3 s it is given
  expect(queue.calls.complete).toEqual([]);

  await vi.advanceTimersByTimeAsync(1000);
  await vi.waitFor(() => expect(queue.calls.complete).toEqual([['1-0']]));
  await stopUnderFakeTimers(worker);
  expect(await worker.metrics.jobsCompleted.get()).toMatchObject({ values: [{ value: 1 }] });
});

it('leaves a job whose publish failed unacknowledged, so that it is recovered and retried', async () => {
  // Refuses every command at once: the publish fails as it would with Redis gone.
  const broken =
    TEST_REDIS_CLIENT === 'node-redis'
      ? fromNodeRedis(
          createClient({
            url: 'redis://127.0.0.1:1',
            disableOfflineQueue: true,
            socket: { reconnectStrategy: false },
          }),
        )
      : fromIoredis(
          new Redis('redis://127.0.0.1:1', {
            lazyConnect: true,
            maxRetriesPerRequest: 0,
            enableOfflineQueue: false,
            retryStrategy: () => null,
          }),
        );
  broken.on('error', () => undefined);
  const queue = scriptedQueue([{ entryId: '1-0', job: aJob(0), recovered: false }]);
  const worker = start(queue, broken);

  await vi.waitFor(async () =>
    expect((await worker.metrics.jobsFailed.get()).values).toEqual([
      expect.objectContaining({ labels: { reason: 'publish' }, value: 1 }),
    ]),
  );
  await worker.stop();
  expect(queue.calls.complete).toEqual([]);
  broken.disconnect();
});

it('acknowledges and drops an unreadable entry, counting it as failed', async () => {
  const queue = scriptedQueue([{ entryId: '1-0', job: undefined, recovered: false }]);
  const worker = start(queue);

  await vi.waitFor(() => expect(queue.calls.complete).toEqual([['1-0']]));
  await worker.stop();
  expect((await worker.metrics.jobsFailed.get()).values).toEqual([
    expect.objectContaining({ labels: { reason: 'malformed' }, value: 1 }),
  ]);
});

it('looks for jobs of dead workers every half visibility timeout, and counts what it recovers', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  const recovered: TakenJob = { entryId: '7-0', job: aJob(0), recovered: true };
  const queue = scriptedQueue([], [recovered]);
  const worker = start(queue);

  await vi.advanceTimersByTimeAsync(10_000);
  await vi.waitFor(() => expect(queue.calls.complete).toEqual([['7-0']]));
  await stopUnderFakeTimers(worker);

  // A pass at start, then one per loop once 1.5 s have gone by (each loop blocks up to 1 s).
  expect(queue.calls.reclaim?.length).toBeGreaterThanOrEqual(4);
  expect(queue.calls.reclaim?.[0]).toEqual([worker.consumer, 3000, 10]);
  expect((await worker.metrics.jobsRecovered.get()).values[0]?.value).toBe(1);
  expect((await worker.metrics.jobsTaken.get()).values).toEqual([
    expect.objectContaining({ labels: { delivery: 'recovered' }, value: 1 }),
  ]);
});
