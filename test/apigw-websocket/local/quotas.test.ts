import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AWS_QUOTAS, quotasForFleet, TokenBucket } from '../../../apigw-websocket/local/quotas.js';
import { THROTTLED_UPGRADE_RETRY_MS } from '../../../shared/client/transports/apigw-helpers.js';
import { ErrorCode } from '../../../shared/contract/index.js';
import { ServerErrorCode } from '../../../shared/server/index.js';
import { withCode } from '../../support/errors.js';
import { type RecordingClient, recordingClient } from '../../support/recorder.js';
import { type ApigwHarness, createApigwHarness } from '../support/harness.js';
import { connected } from '../support/clients.js';
import { openRawSocket, type RawSocket } from '../support/raw-socket.js';

describe('API Gateway quotas, scaled', () => {
  it("scales AWS's figures to the local fleet: 5,000 clients get half of 10,000's quotas", () => {
    expect(quotasForFleet(10_000)).toEqual(AWS_QUOTAS);
    expect(quotasForFleet(5_000)).toEqual({
      newConnectionsPerSecond: 250,
      accountRequestsPerSecond: 5_000,
      accountBurst: 2_500,
    });
    expect(quotasForFleet(1)).toEqual({
      newConnectionsPerSecond: 1,
      accountRequestsPerSecond: 1,
      accountBurst: 1,
    });
    expect(() => quotasForFleet(0)).toThrow(withCode(ServerErrorCode.InvalidConfig));
  });

  it('takes tokens up to the burst, then refills at the rate (the token bucket AWS documents)', () => {
    let nowMs = 0;
    const bucket = new TokenBucket(10, 3, () => nowMs);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    nowMs += 100; // one token at 10/s
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    nowMs += 10_000; // never more than the burst
    expect(Array.from({ length: 4 }, () => bucket.take())).toEqual([true, true, true, false]);
  });
});

describe('the local API Gateway enforces its quotas', () => {
  let harness: ApigwHarness;
  const clients: RecordingClient[] = [];
  const sockets: RawSocket[] = [];
  beforeAll(async () => {
    // Small numbers: 2 new connections per second, a generous account throttle for now.
    harness = await createApigwHarness({
      quotas: { newConnectionsPerSecond: 2, accountRequestsPerSecond: 1000, accountBurst: 1000 },
      transport: { keepAliveIntervalMs: 3000, pongTimeoutMs: 2000 },
    });
  }, 180_000);
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
    for (const socket of sockets.splice(0)) socket.close();
  });
  afterAll(() => harness?.stop());

  it('refuses a connect over the new-connection rate with 429, and the SDK waits at least its floor', async () => {
    const gate = harness.stack.gate;
    const url = harness.rawSocketUrl(await harness.token('quota-connect'));
    gate.setQuotas({ newConnectionsPerSecond: 2, accountRequestsPerSecond: 1000, accountBurst: 1000 });
    // Three upgrades at once against a bucket of two: the third is refused as AWS does, 429.
    const attempts = await Promise.allSettled([openRawSocket(url), openRawSocket(url), openRawSocket(url)]);
    for (const attempt of attempts) if (attempt.status === 'fulfilled') sockets.push(attempt.value);
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(2);
    const refused = attempts.find((a) => a.status === 'rejected');
    expect((refused?.reason as { status?: number } | undefined)?.status).toBe(429);
    // One new connection per 5 s, its one token taken now: the SDK's first attempt is refused
    // with 429, reported as rate_limited with its 1 s floor as the hint (AWS sends no
    // Retry-After), and it connects once the bucket has refilled.
    gate.setQuotas({ newConnectionsPerSecond: 0.2, accountRequestsPerSecond: 1000, accountBurst: 1000 });
    sockets.push(await openRawSocket(url));
    const throttledBefore = gate.stats.connectsThrottled;
    const recorder = recordingClient({
      transport: harness.transport(),
      url: harness.url,
      token: await harness.token('quota-sdk'),
      minReconnectDelayMs: 10,
      maxReconnectDelayMs: 20,
    });
    clients.push(recorder);
    const reasons: { code: unknown; retryAfterMs?: number | undefined }[] = [];
    recorder.client.on('state', ({ reason }) => {
      if (reason) reasons.push({ code: reason.code, retryAfterMs: reason.retryAfterMs });
    });
    recorder.client.connect();
    await recorder.waitForState('connected', 20_000);
    expect(gate.stats.connectsThrottled).toBeGreaterThan(throttledBefore);
    expect(reasons[0]).toEqual({ code: ErrorCode.RateLimited, retryAfterMs: THROTTLED_UPGRADE_RETRY_MS });
    expect(recorder.errors.map((e) => e.code)).toContain(ErrorCode.RateLimited);
  }, 30_000);

  it('answers @connections over the account throttle with 429, and every notification still arrives once', async () => {
    const gate = harness.stack.gate;
    const recorder = await connected(harness, clients, 'quota-posts');
    const generous = { newConnectionsPerSecond: 2, accountRequestsPerSecond: 1000, accountBurst: 1000 };
    // One request per 2 s, a bucket of one: five posts at once cannot all pass.
    gate.setQuotas({ newConnectionsPerSecond: 2, accountRequestsPerSecond: 0.5, accountBurst: 1 });
    const before = gate.stats.callbacksThrottled;
    try {
      const published = Promise.all(
        Array.from({ length: 5 }, (_, i) => harness.publish('quota-posts', { jobId: `quota-${i}` })),
      );
      await vi.waitFor(() => expect(gate.stats.callbacksThrottled).toBeGreaterThan(before), {
        timeout: 20_000,
        interval: 20,
      });
      // The throttle lifts: what the poster's retries did not deliver is caught up from the log
      // (at the next pong, or the resume after a reconnect). Nothing is lost, nothing doubled.
      gate.setQuotas(generous);
      const ids = (await published).map((n) => n.id).sort();
      await recorder.waitForCount(5, 30_000);
      expect(recorder.received.map((r) => r.notification.id).sort()).toEqual(ids);
    } finally {
      gate.setQuotas(generous);
    }
  }, 60_000);
});
