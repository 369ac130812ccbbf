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
 * once each, in order. The SDK's own move before the cap (make before break) must lose nothing
 * and never leave `connected`.
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

  it('moves to a new connection on its own before the cap (make before break): never leaves connected, loses nothing', async () => {
    const userId = uniqueUser();
    // Move well before the emulated 3 s cap: at 1 s, then 1 s after each move.
    const rotating = await connect(userId, apigwTransport({ maxConnectionAgeMs: 1000 }));
    const moves: number[] = [];
    rotating.client.on('moved', () => moves.push(Date.now()));
    // Published all along, across the moves.
    const sent: Notification[] = [];
    for (let i = 0; i < 10; i++) {
      sent.push(await harness.publish(userId, { jobId: `across-${i}` }));
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await rotating.waitFor(() => moves.length >= 1, 'a move before the cap');
    const after = await harness.publish(userId, { jobId: 'after-rotation' });
    await rotating.waitForCount(sent.length + 1);
    expect(rotating.received.map((r) => r.notification.id)).toEqual([...sent, after].map((n) => n.id));
    // The first connect only: every move resumed the new connection before closing the old one.
    expect(rotating.states.filter((s) => s === 'connecting')).toHaveLength(1);
    expect(rotating.client.state).toBe('connected');
  });
});
