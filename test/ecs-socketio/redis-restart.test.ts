import { afterAll, beforeAll, expect, it } from 'vitest';
import { uniqueUser } from '../contract/suite.js';
import { type RecordingClient, recordingClient } from '../support/recorder.js';
import { createEcsHarness, type EcsHarness } from './harness.js';

let harness: EcsHarness;
const recorders: RecordingClient[] = [];

beforeAll(async () => {
  // Our own redis-server on a free port: this test stops it.
  harness = await createEcsHarness({ ownRedis: true });
});
afterAll(async () => {
  for (const recorder of recorders) recorder.close();
  await harness?.stop();
});

async function allContainersReady(): Promise<boolean> {
  const answers = await Promise.all(
    harness.stack.containers().map((c) =>
      fetch(`${c.url}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      ),
    ),
  );
  return answers.every(Boolean);
}

it('resubscribes after a Redis restart and delivers what was published during and after it', async () => {
  const userA = uniqueUser('restart');
  const userB = uniqueUser('restart');
  for (const userId of [userA, userB]) {
    const recorder = recordingClient({
      transport: harness.transport(),
      url: harness.url,
      token: await harness.token(userId),
    });
    recorders.push(recorder);
    const resumed = recorder.nextResume();
    recorder.client.connect();
    await resumed;
  }
  const [a, b] = recorders as [RecordingClient, RecordingClient];
  // One client on each container, so both adapters' subscriptions are exercised.
  expect(new Set([a.client.servedBy, b.client.servedBy]).size).toBe(2);
  await harness.publish(userA, { jobId: 'before' });
  await a.waitForCount(1);

  await harness.ownedRedisStop();
  // Published while Redis is down: ioredis queues the commands and runs them on reconnect.
  const during = harness.publish(userB, { jobId: 'during' });
  await harness.ownedRedisStart();
  await during;
  const deadline = Date.now() + 15_000;
  while (!(await allContainersReady())) {
    if (Date.now() > deadline) throw new Error('containers did not report ready after the Redis restart');
    await new Promise((r) => setTimeout(r, 100));
  }
  await b.waitFor(
    () => b.received.some((r) => r.notification.jobId === 'during'),
    'the notification published during the outage',
  );

  await harness.publish(userA, { jobId: 'after' });
  await harness.publish(userB, { jobId: 'after' });
  await a.waitFor(
    () => a.received.some((r) => r.notification.jobId === 'after'),
    'live delivery to A after the restart',
  );
  await b.waitFor(
    () => b.received.some((r) => r.notification.jobId === 'after'),
    'live delivery to B after the restart',
  );
  expect(a.client.state).toBe('connected');
  expect(b.client.state).toBe('connected');
});
