import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningContender } from '../../benchmarks/contenders/contender.js';
import { socketIoMemory } from '../../benchmarks/contenders/socketio-memory.js';
import { type Fleet, shutdownClientPool, startFleet } from '../../benchmarks/load/fleet.js';
import { createNotification } from '../../shared/contract/index.js';

/**
 * Issue 12: the drop and lifecycle figures must describe the SDK users get, not the load
 * generator's own client. A fleet with `sdk: true` runs `createClient` with the real transport;
 * told apart here by what only the SDK does: it hands a re-delivered id to the app once (the raw
 * client counts the repeat as a duplicate), and passes a notification type it does not know to
 * the generic handler.
 */
describe('load generator driven by the SDK', () => {
  let running: RunningContender;
  beforeAll(async () => {
    running = await socketIoMemory.start({
      redisUrl: '', // the in-memory contender has no Redis
      heartbeat: { intervalMs: 25_000, timeoutMs: 20_000 },
    });
  }, 180_000);
  afterAll(async () => {
    await running?.stop();
    await shutdownClientPool();
  });

  const fleetFor = (sdk: boolean, userId: string) =>
    startFleet({
      kind: 'socketio',
      urls: running.urls,
      userIds: [userId],
      localAddresses: ['127.0.0.1'],
      rampPerSecond: 100,
      resume: true,
      heartbeatIntervalMs: 25_000,
      heartbeatTimeoutMs: 20_000,
      reconnect: true,
      reconnectMinMs: 100,
      reconnectMaxMs: 1000,
      keepAlive: true,
      sdk,
    });

  async function deliveredTwice(fleet: Fleet, userId: string) {
    const notification = createNotification({ type: 'sync.complete', userId, jobId: 'twice' });
    fleet.reset(); // client processes are pooled: counters start from this fleet
    await running.publish(notification);
    await running.publish(notification);
    const deadline = Date.now() + 10_000;
    let collected = await fleet.collect(true);
    while (Date.now() < deadline && !collected.receipts.has(notification.id)) {
      collected.histogram.destroy();
      await new Promise((resolve) => setTimeout(resolve, 50));
      collected = await fleet.collect(true);
    }
    // The repeat travels the same socket right behind the first: give it a moment to land.
    await new Promise((resolve) => setTimeout(resolve, 300));
    collected.histogram.destroy();
    collected = await fleet.collect(true);
    collected.histogram.destroy();
    return collected;
  }

  it('with sdk: true the SDK hands a re-delivered id to the app once', async () => {
    const fleet = await fleetFor(true, 'sdk-user');
    try {
      expect(fleet.connected).toBe(1);
      const collected = await deliveredTwice(fleet, 'sdk-user');
      expect(collected.received).toBe(1);
      expect(collected.duplicates).toBe(0);
    } finally {
      await fleet.stop();
    }
  });

  it('the raw client (the baselines) sees the repeat: it has no dedupe', async () => {
    const fleet = await fleetFor(false, 'raw-user');
    try {
      const collected = await deliveredTwice(fleet, 'raw-user');
      expect(collected.received).toBe(1);
      expect(collected.duplicates).toBe(1);
    } finally {
      await fleet.stop();
    }
  });
});
