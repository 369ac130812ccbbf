import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from '../../dev-tools/index.js';
import { apigwTransport } from '@syncbell/client/apigw';
import type { Notification } from '@syncbell/contract';
import { uniqueUser } from '../support/unique-user.js';
import { type RecordingClient, recordingClient } from '../support/recorder.js';
import { type ApigwHarness, createApigwHarness } from './support/harness.js';

/**
 * A silent drop: the client's network swallows every byte (no FIN, no RST) while notifications
 * are published. API Gateway sends no pings, so only the SDK's own ping and its pong deadline can
 * notice; it must leave `connected`, get back through once the network returns, and replay what
 * it missed, once each. Short timings here; the defaults are 5 min + 10 s.
 */
const KEEP_ALIVE_MS = 1500;
const PONG_TIMEOUT_MS = 1000;
const BLACKHOLE_MS = 4000;

let harness: ApigwHarness;
let network: FaultProxy;
const clients: RecordingClient[] = [];

beforeAll(async () => {
  harness = await createApigwHarness();
  network = await startFaultProxy({ target: harness.url });
});
afterAll(async () => {
  for (const recorder of clients) recorder.close();
  await network?.close();
  await harness?.stop();
});

describe('a blackholed network', () => {
  it('is noticed by the pong deadline, and the client reconnects and replays what was published meanwhile', async () => {
    const userId = uniqueUser();
    const recorder = recordingClient({
      transport: apigwTransport({ keepAliveIntervalMs: KEEP_ALIVE_MS, pongTimeoutMs: PONG_TIMEOUT_MS }),
      url: network.url,
      token: await harness.token(userId),
      // A reconnect swallowed by the dead network gives up quickly and tries again.
      connectTimeoutMs: 1500,
      minReconnectDelayMs: 200,
      maxReconnectDelayMs: 500,
    });
    clients.push(recorder);
    const reasons: (string | number)[] = [];
    recorder.client.on('state', ({ reason }) => {
      if (reason) reasons.push(reason.code);
    });
    const resumed = recorder.nextResume();
    recorder.client.connect();
    await resumed;
    const before = await harness.publish(userId, { jobId: 'before' });
    await recorder.waitForCount(1);

    const dark = network.blackhole(BLACKHOLE_MS, { swallowNew: true }).restored;
    const during: Notification[] = [];
    for (const jobId of ['during-1', 'during-2']) during.push(await harness.publish(userId, { jobId }));
    await recorder.waitForState('connecting', BLACKHOLE_MS);
    await dark;
    await recorder.waitFor(
      () => recorder.states.filter((s) => s === 'connected').length >= 2,
      'the reconnect after the blackhole',
      15_000,
    );
    const after = await harness.publish(userId, { jobId: 'after' });
    await recorder.waitForCount(4);

    expect(reasons[0]).toBe('pong_timeout');
    const ids = recorder.received.map((r) => r.notification.id);
    expect(ids).toEqual([before.id, ...during.map((n) => n.id), after.id]);
    expect(new Set(ids).size).toBe(ids.length);
    // Published into the dead connection, so they could only come back through the resume.
    expect(recorder.received.filter((r) => r.meta.replayed).map((r) => r.notification.id)).toEqual(
      during.map((n) => n.id),
    );
    expect(recorder.errors).toEqual([]);
  });
});
