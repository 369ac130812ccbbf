import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type OwnedRedis, startOwnedRedis } from '../../dev-tools/index.js';
import { createJobQueue } from '../../ecs-socketio/container/job-queue.js';
import { createSocketIoPublisher } from '@syncbell/socketio/publisher';
import { uniqueUser } from '../support/unique-user.js';
import { type RecordingClient, recordingClient } from '../support/recorder.js';
import { createEcsHarness, createTestRedis, type EcsHarness, TEST_REDIS_CLIENT } from './support/harness.js';

// A publish that fails because Redis went away must reach the publisher as an error, on either
// client, and never as an unhandled rejection: @socket.io/redis-emitter (which syncbell used for
// broadcasts) dropped PUBLISH's promise, and node-redis rejects the commands in flight when the
// connection drops (ioredis re-sends them).
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  expect(unhandled).toEqual([]);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

it(`hands a PUBLISH lost with the connection back to the publisher, never as an unhandled rejection (${TEST_REDIS_CLIENT})`, async () => {
  const owned = await startOwnedRedis();
  const client = createTestRedis(owned.url);
  const admin = new Redis(owned.url);
  admin.on('error', () => undefined);
  try {
    // The resync broadcast: a bare PUBLISH (on the classic adapter), as the emitter sent.
    const publisher = createSocketIoPublisher({ redis: client });
    await publisher.resyncAll();
    // Redis stops answering (CLIENT PAUSE), so these PUBLISHes are in flight when it dies.
    await admin.call('CLIENT', 'PAUSE', '10000', 'ALL');
    const inFlight = Array.from({ length: 20 }, () =>
      publisher.resyncAll().then(
        () => 'published',
        () => 'failed',
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    await owned.stop();
    await owned.start();
    const outcomes = new Set(await Promise.all(inFlight));
    // node-redis fails them (the publisher learns it); ioredis re-sends them after reconnecting.
    expect([...outcomes]).toEqual([TEST_REDIS_CLIENT === 'node-redis' ? 'failed' : 'published']);
    await new Promise((resolve) => setTimeout(resolve, 50)); // let any stray rejection surface
  } finally {
    client.disconnect();
    admin.disconnect();
    await owned.stop();
  }
});

describe('a worker on a Redis that goes down mid-job', () => {
  let durable: OwnedRedis;
  let harness: EcsHarness;
  let recorder: RecordingClient | undefined;
  let metricsPort: number;

  beforeAll(async () => {
    metricsPort = await freePort();
    // Durable (AOF): the queue and the job's lease survive the restart, as on ElastiCache Multi-AZ.
    durable = await startOwnedRedis({ durable: true });
    harness = await createEcsHarness({
      redisUrl: durable.url,
      worker: true,
      healthCheckIntervalMs: 200,
      env: { JOB_VISIBILITY_TIMEOUT_MS: '1500', WORKER_METRICS_PORT: String(metricsPort) },
    });
  });
  afterAll(async () => {
    recorder?.close();
    await harness?.stop();
    await durable?.destroy();
  });

  /** The worker's counter `name` (summed over its labels). */
  async function workerCounter(name: string): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const lines = text.split('\n').filter((line) => line.startsWith(`syncbell_worker_${name}`));
    return lines.reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
  }

  async function connectAndStartJob(userId: string): Promise<{ r: RecordingClient; jobId: string }> {
    recorder?.close();
    recorder = recordingClient({
      transport: harness.transport(),
      url: harness.url,
      token: await harness.token(userId),
      minReconnectDelayMs: 50,
      maxReconnectDelayMs: 500,
    });
    const r = recorder;
    const resumed = r.nextResume();
    r.client.connect();
    await resumed;
    const queue = createJobQueue({ redis: harness.redis });
    const response = await fetch(`${harness.url}/jobs/sync`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await harness.token(userId)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ durationMs: 1000, publishVia: 'worker' }),
    });
    const { jobId } = (await response.json()) as { jobId: string };
    for (let deadline = Date.now() + 10_000; (await queue.pendingCount()) !== 1; ) {
      if (Date.now() > deadline) throw new Error('the worker did not take the job');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return { r, jobId };
  }

  it('keeps running and still notifies once when Redis comes back', async () => {
    const { r, jobId } = await connectAndStartJob(uniqueUser('outage'));

    // The job finishes while Redis is down: its publish cannot go through.
    await durable.stop('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(harness.stack.worker()?.running).toBe(true);
    await durable.start();

    await r.waitFor(() => r.received.some((x) => x.notification.jobId === jobId), 'the job after the outage');
    expect(harness.stack.worker()?.running).toBe(true);
    expect(r.received.filter((x) => x.notification.jobId === jobId)).toHaveLength(1);
  });

  it('retries through the queue a job whose publish was in flight when Redis died', async () => {
    const failedBefore = await workerCounter('jobs_failed_total');
    const recoveredBefore = await workerCounter('jobs_recovered_total');
    const { r, jobId } = await connectAndStartJob(uniqueUser('in-flight'));
    // Redis stops answering while the job finishes, so its commands are in flight when it dies.
    const admin = new Redis(durable.url);
    admin.on('error', () => undefined);
    await admin.call('CLIENT', 'PAUSE', '10000', 'ALL');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await durable.stop('SIGKILL');
    admin.disconnect();
    await durable.start();

    await r.waitFor(() => r.received.some((x) => x.notification.jobId === jobId), 'the job after the outage');
    expect(harness.stack.worker()?.running).toBe(true);
    expect(r.received.filter((x) => x.notification.jobId === jobId)).toHaveLength(1);
    // node-redis failed the in-flight command: the job was left pending and recovered from the
    // queue. ioredis re-sent it after reconnecting: the first attempt completed.
    const retried = TEST_REDIS_CLIENT === 'node-redis' ? 1 : 0;
    expect((await workerCounter('jobs_failed_total')) - failedBefore).toBe(retried);
    expect((await workerCounter('jobs_recovered_total')) - recoveredBefore).toBe(retried);
  });
});
