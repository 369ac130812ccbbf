import type { ClusterScalePoint } from '../../../benchmarks/scale-cluster.js';

/** A spread of one value over three runs (a fixture: chosen numbers, not measured ones). */
export const flat = (value: number) => ({
  median: value,
  min: value,
  max: value,
  runs: [value, value, value],
});

/** A scale-cluster point for report and projection tests; `over` replaces any field. */
export function clusterPoint(over: Partial<ClusterScalePoint> = {}): ClusterScalePoint {
  return {
    redis: 'cluster',
    shards: 3,
    containers: 2,
    connections: 10_000,
    connected: 10_000,
    ratePerSecond: 500,
    published: 15_000,
    delivered: 15_000,
    deliveredPerSecond: flat(500),
    p50Ms: 1.2,
    p99Ms: 4.5,
    redisCpuSecondsPer1000: flat(0.06),
    redisMainThreadCpuSecondsPer1000: flat(0.05),
    redisCpuSecondsPer1000PerShard: 0.05 / 3,
    redisIdleCpuSecondsPerSecondPerShard: 0,
    containerCpuSecondsPer1000: 0.4,
    ...over,
  };
}
