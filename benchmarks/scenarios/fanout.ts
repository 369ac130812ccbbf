/** The broadcast fan-out scenario (2): one publish to many connections of one user. */
import type { Contender, RunningContender } from '../contenders/contender.js';
import { spreadOf, type Spread } from '../histogram.js';
import { startFleet } from '../load/fleet.js';
import { benchNotification } from '../payload.js';
import { type ScenarioContext, waitUntil, fleetOptions } from './shared.js';

export interface FanoutResult {
  connections: number;
  connected: number;
  firstMs: Spread;
  lastMs: Spread;
  deliveredPerRun: number[];
}

export async function fanoutScenario(
  ctx: ScenarioContext,
  contender: Contender,
  running: RunningContender,
): Promise<FanoutResult> {
  const { profile } = ctx;
  {
    // A "room of N" in this contract is one user with N open tabs: the user's room / channel.
    const userIds = Array.from({ length: profile.fanoutConnections }, () => 'room-user');
    const fleet = await startFleet({
      ...fleetOptions(ctx, running, userIds),
      onProgress: (n) => ctx.progress(`${contender.id} fan-out ramp`, n, userIds.length),
    });
    try {
      const first: number[] = [];
      const last: number[] = [];
      const delivered: number[] = [];
      for (let run = -1; run < profile.runs; run++) {
        fleet.reset();
        const notification = benchNotification('room-user', 1_000_000 + run);
        const sentAtUs = notification.data?.sentAtUs as number;
        const id = (await running.publish(notification)) || notification.id;
        let receipt: { count: number; firstUs: number; lastUs: number } | undefined;
        await waitUntil(
          async () => {
            receipt = (await fleet.collect(true)).receipts.get(id);
            return (receipt?.count ?? 0) >= fleet.connected;
          },
          30_000,
          100,
        );
        if (run < 0) continue; // warm-up
        delivered.push(receipt?.count ?? 0);
        first.push(receipt ? (receipt.firstUs - sentAtUs) / 1000 : Number.NaN);
        last.push(receipt ? (receipt.lastUs - sentAtUs) / 1000 : Number.NaN);
      }
      return {
        connections: userIds.length,
        connected: fleet.connected,
        firstMs: spreadOf(first),
        lastMs: spreadOf(last),
        deliveredPerRun: delivered,
      };
    } finally {
      await fleet.closeAll().catch(() => undefined);
      await fleet.stop();
    }
  }
}
