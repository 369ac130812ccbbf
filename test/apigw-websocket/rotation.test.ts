import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apigwTransport } from '@syncbell/client/apigw';
import { CloseCode, type Notification } from '@syncbell/contract';
import { uniqueUser } from '../support/unique-user.js';
import type { RecordingClient } from '../support/recorder.js';
import { type ApigwHarness, createApigwHarness } from './support/harness.js';
import { connected } from './support/clients.js';

/**
 * API Gateway closes every connection after 2 hours (1001). Here the emulated cap is 3 s: the
 * SDK must reconnect at once and resume, so what was published across the gap still arrives,
 * once each, in order. The SDK's own planned rotation (before the cap) is checked the same way.
 */
const HARD_TIMEOUT_SECONDS = 3;

let harness: ApigwHarness;
const clients: RecordingClient[] = [];

beforeAll(async () => {
  harness = await createApigwHarness({ hardTimeoutSeconds: HARD_TIMEOUT_SECONDS });
});
afterAll(async () => {
  for (const recorder of clients) recorder.close();
  await harness?.stop();
});

const connect = (userId: string, transport = harness.transport()) =>
  connected(harness, clients, userId, { transport, minReconnectDelayMs: 300, maxReconnectDelayMs: 1000 });

/** Publishes one notification the moment the client starts reconnecting (inside the gap). */
function publishInTheGap(
  recorder: RecordingClient,
  userId: string,
): Promise<{ notification: Notification; reasonCode: string | number | undefined }> {
  return new Promise((resolve, reject) => {
    const off = recorder.client.on('state', (change) => {
      if (change.newState !== 'connecting' || change.oldState !== 'connected') return;
      off();
      harness
        .publish(userId, { jobId: 'in-the-gap' })
        .then((notification) => resolve({ notification, reasonCode: change.reason?.code }), reject);
    });
  });
}

describe('connection cap', () => {
  it('reconnects after the hard timeout (1001) and replays what was published across it', async () => {
    const userId = uniqueUser();
    const recorder = await connect(userId);
    const before = await harness.publish(userId, { jobId: 'before' });
    await recorder.waitForCount(1);
    const gap = await publishInTheGap(recorder, userId);
    expect(gap.reasonCode).toBe(CloseCode.GoingAway);
    await recorder.waitFor(
      () => recorder.states.filter((s) => s === 'connected').length >= 2,
      'the reconnect',
    );
    const after = await harness.publish(userId, { jobId: 'after' });
    await recorder.waitForCount(3);
    expect(recorder.received.map((r) => r.notification.id)).toEqual([
      before.id,
      gap.notification.id,
      after.id,
    ]);
    expect(recorder.errors).toEqual([]);
  });

  it('rotates on its own before the cap (planned reconnect) without losing anything', async () => {
    const userId = uniqueUser();
    // Rotate well before the emulated 3 s cap.
    const rotating = await connect(userId, apigwTransport({ maxConnectionAgeMs: 1000 }));
    const gap = await publishInTheGap(rotating, userId);
    expect(gap.reasonCode).toBe('planned_rotation');
    await rotating.waitFor(
      () => rotating.states.filter((s) => s === 'connected').length >= 2,
      'the rotation',
    );
    const after = await harness.publish(userId, { jobId: 'after-rotation' });
    await rotating.waitForCount(2);
    expect(rotating.received.map((r) => r.notification.id)).toEqual([gap.notification.id, after.id]);
  });
});
