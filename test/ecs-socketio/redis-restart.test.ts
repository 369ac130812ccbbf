import { afterAll, beforeAll, expect, it } from 'vitest';
import { uniqueUser } from '../support/unique-user.js';
import { type RecordingClient, recordingClient } from '../support/recorder.js';
import {
  createEcsHarness,
  type EcsHarness,
  TEST_REDIS_ADAPTER,
  TEST_REDIS_CLIENT,
} from './support/harness.js';

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

/** Each container subscriber's subscription counts (`sub=.. psub=.. ssub=..`), by connection name, from CLIENT LIST. */
async function subscriptions(): Promise<Record<string, string>> {
  const list = (await harness.redis.call('CLIENT', 'LIST')) as string;
  const counts: Record<string, string> = {};
  for (const line of list.split('\n')) {
    const name = /\bname=(\S*:sub)\b/.exec(line)?.[1];
    if (name)
      counts[name] = ['sub', 'psub', 'ssub'].map((f) => new RegExp(`\\b${f}=\\d+`).exec(line)?.[0]).join(' ');
  }
  return counts;
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
  const subscribedBefore = await subscriptions();
  expect(Object.keys(subscribedBefore)).toHaveLength(2);
  // The adapter under test: classic PSUBSCRIBEs its pattern; sharded SSUBSCRIBEs the namespace's
  // channel, its response channel and a channel per user room (3 with one user per container).
  for (const counts of Object.values(subscribedBefore))
    expect(counts).toMatch(TEST_REDIS_ADAPTER === 'sharded' ? /psub=0 ssub=3$/ : /psub=[1-9]\d* ssub=0$/);

  await harness.ownedRedisStop();
  // Published while Redis is down: both clients queue the commands and run them on reconnect. One
  // written before the client noticed the close is in flight: ioredis re-sends it after the
  // reconnect, node-redis fails it, and the publisher retries (the worker does, through its queue).
  const during = harness.publish(userB, { jobId: 'during' }).then(
    () => 'published',
    (error: unknown) => {
      if (TEST_REDIS_CLIENT === 'node-redis') return 'failed';
      throw error;
    },
  );
  await harness.ownedRedisStart();
  if ((await during) === 'failed') await harness.publish(userB, { jobId: 'during' });
  const deadline = Date.now() + 15_000;
  while (!(await allContainersReady())) {
    if (Date.now() > deadline) throw new Error('containers did not report ready after the Redis restart');
    await new Promise((r) => setTimeout(r, 100));
  }
  // The client's own re-subscription (ioredis autoResubscribe, node-redis 5's resubscribe) restored
  // every channel of the adapter on both containers.
  for (
    let restored = await subscriptions();
    JSON.stringify(restored) !== JSON.stringify(subscribedBefore);
  ) {
    if (Date.now() > deadline) expect(restored, 'subscriptions after the restart').toEqual(subscribedBefore);
    await new Promise((r) => setTimeout(r, 100));
    restored = await subscriptions();
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
