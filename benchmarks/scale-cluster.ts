import { Redis } from 'ioredis';
import { startOwnedRedisCluster } from '../dev-tools/index.js';
import type { Contender } from './contenders/contender.js';
import { type Spread, spreadOf } from './histogram.js';
import {
  measureScalePoint,
  medianOf,
  roundMicro,
  type ScalePointCounts,
  type ScaleRun,
  scalePointCounts,
} from './scale.js';
import type { ScenarioContext } from './scenarios.js';

/**
 * Issue 25, item 5: the scale scenario's load (the same connections and rate over 2, 4 and 8
 * containers) on the sharded adapter, on a local Redis Cluster (3 primaries, 3 replicas, from the
 * dev-tools launcher; the containers on node-redis `createCluster`) beside one Redis node, side by
 * side at each container count in one run. The containers run node-redis on both, so the topology
 * is the one difference. Redis's CPU is read from INFO cpu on every primary (replicas are not
 * counted: on ElastiCache they are nodes of their own) and divided by deliveries and by shards.
 */
export type RedisTopology = 'node' | 'cluster';

export interface ClusterScalePoint extends ScalePointCounts {
  redis: RedisTopology;
  /** Primaries (shards) the channels and logs spread over: 1 for the single node. */
  shards: number;
  /** Delivered notifications per second of each run (publishing and collecting). */
  deliveredPerSecond: Spread;
  /** Median over the measured runs of each run's percentile. */
  p50Ms: number;
  p99Ms: number;
  /** Every primary's process CPU (user + system) seconds per 1,000 deliveries, one value per run. */
  redisCpuSecondsPer1000: Spread;
  /** The same, main threads only (the thread EngineCPUUtilization measures); null without them in INFO. */
  redisMainThreadCpuSecondsPer1000: Spread | null;
  /** `redisMainThreadCpuSecondsPer1000` (else the process figure) median over shards: one shard's share. */
  redisCpuSecondsPer1000PerShard: number;
  /**
   * One shard's main-thread (else process) CPU seconds per second with the connections open and
   * nothing published (its cron, the cluster bus, the subscribers' pings), in a window before the runs.
   */
  redisIdleCpuSecondsPerSecondPerShard: number;
  /** The containers' CPU seconds per 1,000 deliveries (median over runs). */
  containerCpuSecondsPer1000: number;
}

/** Node and cluster at each of the profile's `scaleClusterContainers`, for a contender with `scaleCluster`. */
export async function scaleClusterScenario(
  ctx: ScenarioContext,
  contender: Contender,
): Promise<ClusterScalePoint[]> {
  if (!contender.scaleCluster) throw new Error(`${contender.id} does not run on a Redis Cluster`);
  const { profile } = ctx;
  // Redis's own node timeout (15 s, not the launcher's 2 s for failover tests): on a loaded
  // machine a slow gossip reply must not fail a primary over in the middle of a measurement.
  const cluster = await startOwnedRedisCluster({ nodeTimeoutMs: 15_000 });
  const single = new Redis(ctx.redisUrl, { maxRetriesPerRequest: null });
  // No failover happens during the run: the primaries at start are the primaries throughout.
  const primaries = (await cluster.topology())
    .filter((node) => node.role === 'primary')
    .map((node) => new Redis(node.port, '127.0.0.1', { maxRetriesPerRequest: null }));
  for (const client of [single, ...primaries]) client.on('error', () => undefined);
  const points: ClusterScalePoint[] = [];
  const sequence = { next: 0 };
  try {
    for (const containers of profile.scaleClusterContainers) {
      for (const redis of ['node', 'cluster'] as const) {
        const nodes = redis === 'cluster' ? primaries : [single];
        const measured = await measureScalePoint(ctx, contender, {
          label: `${contender.id} scale-cluster ${redis} x${containers}`,
          tag: `scale-cluster-${redis}-${containers}`,
          containers,
          start: {
            ...(redis === 'cluster' ? { redisUrl: cluster.url, redisCluster: true } : {}),
            env: { ...ctx.probe.env, REDIS_ADAPTER: 'sharded', REDIS_CLIENT: 'node-redis' },
          },
          redisNodes: nodes,
          sequence,
        });
        const { runs } = measured;
        const main = mainThreadSpread(runs);
        points.push({
          redis,
          shards: nodes.length,
          ...scalePointCounts(containers, profile, measured),
          deliveredPerSecond: roundSpread(spreadOf(runs.map((r) => r.deliveredPerSecond))),
          p50Ms: spreadOf(runs.map((r) => r.p50Ms)).median,
          p99Ms: spreadOf(runs.map((r) => r.p99Ms)).median,
          redisCpuSecondsPer1000: roundSpread(spreadOf(runs.map((r) => r.redis))),
          redisMainThreadCpuSecondsPer1000: main,
          redisCpuSecondsPer1000PerShard: roundMicro(
            (main?.median ?? medianOf(runs, (r) => r.redis)) / nodes.length,
          ),
          redisIdleCpuSecondsPerSecondPerShard: roundMicro(
            (main
              ? (measured.redisIdlePerSecond.mainThreadSeconds ?? 0)
              : measured.redisIdlePerSecond.seconds) / nodes.length,
          ),
          containerCpuSecondsPer1000: medianOf(runs, (r) => r.containers),
        });
      }
    }
  } finally {
    for (const client of [single, ...primaries]) client.disconnect();
    await cluster.destroy();
  }
  return points;
}

function mainThreadSpread(runs: readonly ScaleRun[]): Spread | null {
  const values = runs.map((r) => r.redisMainThread);
  if (values.some((v) => v === undefined)) return null;
  return roundSpread(spreadOf(values as number[]));
}

const roundSpread = (s: Spread): Spread => ({
  median: roundMicro(s.median),
  min: roundMicro(s.min),
  max: roundMicro(s.max),
  runs: s.runs.map(roundMicro),
});
