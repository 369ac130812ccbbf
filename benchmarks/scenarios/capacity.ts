/** The capacity scenario (3): how many of a target number of connections an instance holds, and its memory per connection. */
import type { Contender, RunningContender } from '../contenders/contender.js';
import { startFleet } from '../load/fleet.js';
import { sumSamples } from '../load/process-stats.js';
import { userIdOf } from '../payload.js';
import { type ScenarioContext, sleep, fleetOptions } from './shared.js';

export interface CapacityResult {
  target: number;
  connectionsHeld: number;
  failed: number;
  failureSamples: string[];
  rssBytesPerConnection: number;
  heapBytesPerConnection: number | null;
  idleRssBytes: number;
  loadedRssBytes: number;
}

export async function capacityScenario(
  ctx: ScenarioContext,
  contender: Contender,
  running: RunningContender,
): Promise<CapacityResult> {
  const { profile } = ctx;
  {
    const pid = running.serverPids()[0] as number;
    const measured = contender.emulated ? running.serverPids() : [pid];
    const heapOf = async () => (contender.emulated ? undefined : await ctx.probe.heap(pid));
    // Let start-up garbage settle before the idle sample.
    await sleep(Math.min(300, profile.capacitySettleMs));
    const idleHeap = await heapOf();
    const idleRss = sumSamples(measured).rssBytes;
    const userIds = Array.from({ length: profile.capacityConnections }, (_, i) => userIdOf(i, 'cap'));
    // One server process, reached directly: its own limit, not the proxy's.
    const fleet = await startFleet({
      ...fleetOptions(ctx, { ...running, urls: [running.directUrl] }, userIds),
      onProgress: (n) => ctx.progress(`${contender.id} capacity`, n, userIds.length),
    });
    try {
      await sleep(profile.capacitySettleMs);
      const loadedHeap = await heapOf();
      const loadedRss = sumSamples(measured).rssBytes;
      const held = fleet.connected;
      return {
        target: userIds.length,
        connectionsHeld: held,
        failed: fleet.failed,
        failureSamples: fleet.failureSamples,
        rssBytesPerConnection: held > 0 ? Math.max(0, Math.round((loadedRss - idleRss) / held)) : 0,
        heapBytesPerConnection:
          idleHeap && loadedHeap && held > 0
            ? Math.max(0, Math.round((loadedHeap.heapUsedBytes - idleHeap.heapUsedBytes) / held))
            : null,
        idleRssBytes: idleRss,
        loadedRssBytes: loadedRss,
      };
    } finally {
      await fleet.closeAll().catch(() => undefined);
      await fleet.stop();
    }
  }
}
