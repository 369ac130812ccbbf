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
  /** The contender whose runs alternated with these (ABAB, `unicastInterleaved`). @default ran alone */
  interleavedWith?: string;
}

/** One connection level of the unicast scenario, open: its fleet connected and warmed up. */
export interface OpenUnicastLevel {
  /** One measured run (publish `perRun` at the profile's rate, collect, read the CPU). */
  measureRun(run: number): Promise<void>;
  /** The level's figures over the runs measured so far. */
  result(): UnicastLevel;
  close(): Promise<void>;
}

/**
 * Connects `connections` users to `running` and warms up; the caller measures runs and closes.
 * `tag` keeps two contenders' users apart when they run side by side (interleaved).
 */
export async function openUnicastLevel(
  ctx: ScenarioContext,
  contender: Contender,
  running: RunningContender,
  connections: number,
  sequence: { next: number },
  tag = `uni${connections}`,
): Promise<OpenUnicastLevel> {
  const { profile } = ctx;
  const userIds = Array.from({ length: connections }, (_, i) => userIdOf(i, tag));
  const fleet = await startFleet({
    ...fleetOptions(ctx, running, userIds),
    onProgress: (n) => ctx.progress(`${contender.id} unicast ramp`, n, connections),
  });
  const random = seededRandom(connections);
  const pick = () => userIdOf(Math.floor(random() * fleet.connected), tag);
  const perRun = Math.max(1, Math.round(profile.unicastRatePerSecond * profile.unicastSeconds));
  const runs: LatencySummary[] = [];
  const cpu: number[] = [];
  const all = createLatencyHistogram();
  let published = 0;
  let delivered = 0;
  try {
    // Warm-up: JIT, Redis connections, socket buffers. Not measured.
    await publishPaced(
      running,
      profile.warmupNotifications,
      profile.unicastRatePerSecond,
      pick,
      sequence.next,
    );
    sequence.next += profile.warmupNotifications;
    await sleep(profile.warmupSettleMs);
  } catch (error) {
    await fleet.closeAll().catch(() => undefined);
    await fleet.stop();
    all.destroy();
    throw error;
  }
  return {
    async measureRun(run) {
      ctx.progress(`${contender.id} unicast ${connections}`, run, profile.runs);
      fleet.reset();
      const cpuBefore = sumSamples(running.serverPids()).cpuSeconds;
      const collected = await publishAndCollect(
        running,
        fleet,
        perRun,
        profile.unicastRatePerSecond,
        pick,
        sequence.next,
      );
      sequence.next += perRun;
      published += perRun;
      const cpuAfter = sumSamples(running.serverPids()).cpuSeconds;
      delivered += collected.received;
      cpu.push(collected.received > 0 ? ((cpuAfter - cpuBefore) / collected.received) * 1000 : 0);
      runs.push(summarize(collected.histogram));
      all.add(collected.histogram);
      collected.histogram.destroy();
    },
    result() {
      const medianOf = (k: keyof LatencySummary) => spreadOf(runs.map((r) => r[k])).median;
      return {
        connections,
        connected: fleet.connected,
        ratePerSecond: profile.unicastRatePerSecond,
        published,
        delivered,
        runs: [...runs],
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
      };
    },
    async close() {
      all.destroy();
      await fleet.closeAll().catch(() => undefined);
      await fleet.stop();
    },
  };
}

export async function unicastScenario(
  ctx: ScenarioContext,
  contender: Contender,
  running: RunningContender,
): Promise<UnicastLevel[]> {
  const levels: UnicastLevel[] = [];
  const sequence = { next: 0 };
  for (const connections of ctx.profile.unicastConnections) {
    const level = await openUnicastLevel(ctx, contender, running, connections, sequence);
    try {
      for (let run = 0; run < ctx.profile.runs; run++) await level.measureRun(run);
      levels.push(level.result());
    } finally {
      await level.close();
    }
  }
  return levels;
}

/**
 * Issue 25, item 6: the unicast scenario for two contenders at once, run by run in turn (ABAB: A's
 * run 1, B's run 1, A's run 2, ...) with both stacks up and both fleets connected, so a drift of
 * this shared machine's load during the scenario lands on both alike instead of on whichever ran
 * later. Their ratio (the section-3 overhead goals) is what this is for; each keeps its own users.
 */
export async function unicastInterleaved(
  ctx: readonly [ScenarioContext, ScenarioContext],
  contenders: readonly [Contender, Contender],
  running: readonly [RunningContender, RunningContender],
): Promise<[UnicastLevel[], UnicastLevel[]]> {
  const levels: [UnicastLevel[], UnicastLevel[]] = [[], []];
  const sequences = [{ next: 0 }, { next: 0 }] as const;
  for (const connections of ctx[0].profile.unicastConnections) {
    const open: OpenUnicastLevel[] = [];
    try {
      for (const i of [0, 1] as const)
        open.push(
          await openUnicastLevel(
            ctx[i],
            contenders[i],
            running[i],
            connections,
            sequences[i],
            `uni${connections}-${contenders[i].id}`,
          ),
        );
      for (let run = 0; run < ctx[0].profile.runs; run++)
        for (const level of open) await level.measureRun(run);
      for (const i of [0, 1] as const)
        levels[i].push({
          ...(open[i] as OpenUnicastLevel).result(),
          interleavedWith: contenders[i === 0 ? 1 : 0].id,
        });
    } finally {
      for (const level of open) await level.close();
    }
  }
  return levels;
}
