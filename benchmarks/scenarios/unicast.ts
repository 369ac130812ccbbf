/** The unicast latency scenario (1, and 3 for CPU): latency and CPU at rising connection counts and rates. */
import type { Contender, RunningContender } from '../contenders/contender.js';
import {
  cdfPoints,
  createLatencyHistogram,
  type LatencySummary,
  spreadOf,
  type Spread,
  summarize,
} from '../histogram.js';
import { startFleet } from '../load/fleet.js';
import { sumSamples } from '../load/process-stats.js';
import { seededRandom, userIdOf } from '../payload.js';
import { type ScenarioContext, sleep, fleetOptions, publishPaced, publishAndCollect } from './shared.js';

export interface UnicastLevel {
  connections: number;
  connected: number;
  ratePerSecond: number;
  published: number;
  delivered: number;
  /** Per-run summaries; `median` carries the median of each percentile over the runs. */
  runs: LatencySummary[];
  median: LatencySummary;
  p50Spread: Spread;
  p99Spread: Spread;
  cdf: { latencyMs: number; fraction: number }[];
  cpuSecondsPer1000Notifications: Spread;
}

export async function unicastScenario(
  ctx: ScenarioContext,
  contender: Contender,
  running: RunningContender,
): Promise<UnicastLevel[]> {
  const { profile } = ctx;
  const levels: UnicastLevel[] = [];
  {
    let sequence = 0;
    for (const connections of profile.unicastConnections) {
      const userIds = Array.from({ length: connections }, (_, i) => userIdOf(i, `uni${connections}`));
      const fleet = await startFleet({
        ...fleetOptions(ctx, running, userIds),
        onProgress: (n) => ctx.progress(`${contender.id} unicast ramp`, n, connections),
      });
      try {
        const random = seededRandom(connections);
        const pick = () => userIdOf(Math.floor(random() * fleet.connected), `uni${connections}`);
        const perRun = Math.max(1, Math.round(profile.unicastRatePerSecond * profile.unicastSeconds));
        // Warm-up: JIT, Redis connections, socket buffers. Not measured.
        await publishPaced(
          running,
          profile.warmupNotifications,
          profile.unicastRatePerSecond,
          pick,
          sequence,
        );
        sequence += profile.warmupNotifications;
        await sleep(profile.warmupSettleMs);
        const runs: LatencySummary[] = [];
        const cpu: number[] = [];
        const all = createLatencyHistogram();
        let published = 0;
        let delivered = 0;
        for (let run = 0; run < profile.runs; run++) {
          ctx.progress(`${contender.id} unicast ${connections}`, run, profile.runs);
          fleet.reset();
          const cpuBefore = sumSamples(running.serverPids()).cpuSeconds;
          const collected = await publishAndCollect(
            running,
            fleet,
            perRun,
            profile.unicastRatePerSecond,
            pick,
            sequence,
          );
          sequence += perRun;
          published += perRun;
          const cpuAfter = sumSamples(running.serverPids()).cpuSeconds;
          delivered += collected.received;
          cpu.push(collected.received > 0 ? ((cpuAfter - cpuBefore) / collected.received) * 1000 : 0);
          runs.push(summarize(collected.histogram));
          all.add(collected.histogram);
          collected.histogram.destroy();
        }
        const medianOf = (k: keyof LatencySummary) => spreadOf(runs.map((r) => r[k])).median;
        levels.push({
          connections,
          connected: fleet.connected,
          ratePerSecond: profile.unicastRatePerSecond,
          published,
          delivered,
          runs,
          median: {
            count: runs.reduce((a, r) => a + r.count, 0),
            p50Ms: medianOf('p50Ms'),
            p90Ms: medianOf('p90Ms'),
            p99Ms: medianOf('p99Ms'),
            p999Ms: medianOf('p999Ms'),
            maxMs: medianOf('maxMs'),
            meanMs: medianOf('meanMs'),
          },
          p50Spread: spreadOf(runs.map((r) => r.p50Ms)),
          p99Spread: spreadOf(runs.map((r) => r.p99Ms)),
          cdf: cdfPoints(all),
          cpuSecondsPer1000Notifications: spreadOf(cpu.map((v) => Math.round(v * 1e6) / 1e6)),
        });
        all.destroy();
      } finally {
        await fleet.closeAll().catch(() => undefined);
        await fleet.stop();
      }
    }
  }
  return levels;
}
