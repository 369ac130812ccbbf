/** The wire bytes scenario (4): bytes on the wire per notification, heartbeats off. */
import type { RunningContender } from '../contenders/contender.js';
import { startFleet } from '../load/fleet.js';
import { startFaultProxy } from '../../dev-tools/index.js';
import { benchNotification } from '../payload.js';
import { type ScenarioContext, sleep, waitUntil, fleetOptions, publishPaced } from './shared.js';

export interface WireBytesResult {
  notifications: number;
  /** Server-to-client bytes per notification (TCP payload, framing included). */
  downBytesPerNotification: number;
  /** Client-to-server bytes per notification (long polling's next request, acks). */
  upBytesPerNotification: number;
  /** The envelope's own JSON size, for the overhead figure. */
  payloadBytes: number;
}

/** Runs on an instance started with heartbeats off (`quietOptions`): only notification bytes cross. */
export async function wireBytesScenario(
  ctx: ScenarioContext,
  running: RunningContender,
): Promise<WireBytesResult> {
  const { profile } = ctx;
  const proxy = await startFaultProxy({
    target: { host: '127.0.0.1', port: Number(new URL(running.directUrl).port) },
  });
  try {
    const fleet = await startFleet({
      ...fleetOptions(ctx, { ...running, urls: [proxy.url] }, ['wire-user'], {
        heartbeatIntervalMs: 600_000,
        heartbeatTimeoutMs: 600_000,
      }),
    });
    try {
      await publishPaced(running, 3, 50, () => 'wire-user', 2_000_000); // warm-up
      await waitUntil(async () => (await fleet.collect()).received >= 3, 5000);
      await sleep(100);
      fleet.reset();
      const before = proxy.bytes();
      await publishPaced(running, profile.wireNotifications, 50, () => 'wire-user', 2_000_100);
      const delivered = await waitUntil(
        async () => (await fleet.collect()).received >= profile.wireNotifications,
        10_000,
      );
      if (!delivered) {
        const c = await fleet.collect();
        throw new Error(
          `wire bytes: ${c.received} of ${profile.wireNotifications} notifications arrived (${c.duplicates} duplicates, connected ${c.connected}, proxy pairs ${proxy.open()}, bytes ${JSON.stringify(proxy.bytes())})`,
        );
      }
      await sleep(100);
      const after = proxy.bytes();
      const payloadBytes = Buffer.byteLength(JSON.stringify(benchNotification('wire-user', 2_000_100)));
      return {
        notifications: profile.wireNotifications,
        downBytesPerNotification: Math.round((after.down - before.down) / profile.wireNotifications),
        upBytesPerNotification: Math.round((after.up - before.up) / profile.wireNotifications),
        payloadBytes,
      };
    } finally {
      await fleet.closeAll().catch(() => undefined);
      await fleet.stop();
    }
  } finally {
    await proxy.close();
  }
}
