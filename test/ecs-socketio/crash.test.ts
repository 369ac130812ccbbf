import { afterAll, beforeAll, expect, it } from 'vitest';
import { uniqueUser } from '../support/unique-user.js';
import { type RecordingClient, recordingClient } from '../support/recorder.js';
import { createEcsHarness, type EcsHarness } from './support/harness.js';

let harness: EcsHarness;
let recorder: RecordingClient | undefined;

beforeAll(async () => {
  harness = await createEcsHarness({ healthCheckIntervalMs: 200 });
});
afterAll(async () => {
  recorder?.close();
  await harness?.stop();
});

it('replays, marked as replayed, what was published while the client’s container was dead (SIGKILL)', async () => {
  const userId = uniqueUser('crash');
  recorder = recordingClient({
    transport: harness.transport(),
    url: harness.url,
    token: await harness.token(userId),
    // A fixed, visible reconnect delay (random pinned to its maximum) so the publish below
    // lands while the client is away, not after it is back.
    minReconnectDelayMs: 400,
    maxReconnectDelayMs: 400,
    random: () => 0.999,
  });
  const r = recorder;
  const first = r.nextResume();
  r.client.connect();
  await first;
  const victim = r.client.servedBy;
  await harness.publish(userId, { jobId: 'before-crash' });
  await r.waitForCount(1);

  const back = r.nextResume();
  await harness.stack.killContainer(victim ?? '', 'SIGKILL');
  await r.waitForState('connecting');
  const missed = await harness.publish(userId, { jobId: 'while-away' });
  const resumed = await back;

  expect(resumed.servedBy).not.toBe(victim);
  await r.waitForCount(2);
  expect(r.received[1]?.notification.id).toBe(missed.id);
  expect(r.received[1]?.meta.replayed).toBe(true);
  const live = await harness.publish(userId, { jobId: 'after' });
  await r.waitForCount(3);
  expect(r.received[2]).toMatchObject({ notification: { id: live.id }, meta: { replayed: false } });
});
