import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Notification } from '@syncbell/contract';
import { uniqueUser } from '../support/unique-user.js';
import { connectRecorder, type RecordingClient } from '../support/recorder.js';
import { createEcsHarness, type EcsHarness } from './support/harness.js';

let harness: EcsHarness;
const recorders: RecordingClient[] = [];

beforeAll(async () => {
  harness = await createEcsHarness({ env: { DRAIN_TIMEOUT_MS: '2000' }, healthCheckIntervalMs: 200 });
});
afterAll(async () => {
  for (const recorder of recorders) recorder.close();
  await harness?.stop();
});

it('moves every client of a SIGTERMed container to the other one, losing nothing and surfacing no duplicate', async () => {
  const users = Array.from({ length: 6 }, () => uniqueUser('drain'));
  for (const userId of users) await connectRecorder(harness, recorders, userId, { maxReconnectDelayMs: 500 });
  const onDrained = recorders.filter((r) => r.client.servedBy === 'ecs-1');
  expect(onDrained.length).toBeGreaterThan(0); // round robin put some clients on the container we stop

  // Publish continuously while ecs-1 drains: before, during and after the move.
  const sent = new Map<string, Notification[]>(users.map((u) => [u, []]));
  let publishing = true;
  const publisher = (async () => {
    let round = 0;
    while (publishing || round < 5) {
      for (const userId of users)
        sent.get(userId)?.push(await harness.publish(userId, { jobId: `round-${round}` }));
      round++;
      await new Promise((r) => setImmediate(r));
    }
  })();
  const stopped = harness.stack.killContainer('ecs-1', 'SIGTERM');
  await Promise.all(
    onDrained.map((r) =>
      r.waitFor(() => r.client.servedBy === 'ecs-2' && r.client.state === 'connected', 'the move to ecs-2'),
    ),
  );
  await stopped;
  publishing = false;
  await publisher;

  for (const [index, userId] of users.entries()) {
    const recorder = recorders[index] as RecordingClient;
    const expected = sent.get(userId)?.map((n) => n.id) ?? [];
    await recorder.waitFor(
      () => recorder.received.length >= expected.length,
      `all ${expected.length} notifications for ${userId}`,
    );
    const got = recorder.received.map((r) => r.notification.id);
    expect(new Set(got).size).toBe(got.length); // the SDK surfaced no duplicate
    expect([...got].sort()).toEqual([...expected].sort()); // nothing lost, nothing foreign
  }
  expect(harness.stack.containers().find((c) => c.id === 'ecs-1')?.running).toBe(false);
});
