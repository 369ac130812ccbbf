import { DOC_WORKLOADS } from '../cost/docs.js';
import { DEFAULT_ECS_SIZING } from '../cost/ecs.js';
import { resolveWorkload } from '../cost/workload.js';
import type { ClusterScalePoint } from './scale-cluster.js';

/**
 * Issue 25, item 5: how many Redis Cluster shards the socket.io variant needs at 100k and 1M
 * connections, PROJECTED from the scale-cluster scenario's measured Redis CPU per delivery. Nothing
 * here is measured: the inputs are (a) the measured figures of one run on this machine, (b) the
 * cost model's workloads (cost/docs.ts `DOC_WORKLOADS`: notifications per connection per day; the
 * busiest hour at `peakNotificationFactor` x the day's average; `connectionsPerUser` deliveries per
 * notification), (c) a per-shard CPU budget, and beside it (d) Centrifugo's published per-node rate.
 */

/**
 * The CPU one shard's engine thread may use: 90 % of one core. AWS's ElastiCache guidance sets the
 * CPU alarm at 90 % of the available CPU and, Valkey and Redis OSS being single-threaded, reads it
 * as a share of one core (EngineCPUUtilization on larger nodes); past it, a write-heavy cluster-mode
 * cluster should add shards ("Which Metrics Should I Monitor?",
 * https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.WhichShouldIMonitor.html).
 */
export const SHARD_CPU_BUDGET = 0.9;
export const SHARD_CPU_BUDGET_SOURCE =
  'https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.WhichShouldIMonitor.html';

/**
 * Centrifugo's measurement: one Redis node carried about 650,000 messages/s (256 B, PUBLISH) before
 * its latency climbed; sharded per node the same, linearly (centrifugal.dev blog, 2026-06-29).
 */
export const CENTRIFUGO_MESSAGES_PER_SECOND_PER_NODE = 650_000;
export const CENTRIFUGO_SOURCE = 'https://centrifugal.dev/blog (2026-06-29)';

/** The connection counts the issue asks about. */
export const PROJECTED_CONNECTIONS = [100_000, 1_000_000] as const;

/** What the projection takes from the measured cluster points. */
export interface MeasuredShardCost {
  /** Redis CPU seconds per 1,000 deliveries above the idle cost, over all shards (the largest of the counts measured). */
  cpuSecondsPer1000: number;
  /** One shard's CPU seconds per second with nothing published (the largest measured). */
  idleCpuSecondsPerSecondPerShard: number;
  /** Container counts the figures come from. */
  containers: number[];
  /** Whether the figures are the main threads' (else the processes'). */
  mainThread: boolean;
}

/**
 * The cluster points' Redis CPU per delivery with the idle share taken out (a run's CPU includes the
 * shards' idle cost for its length), the most expensive container count's: undefined without a
 * cluster point.
 */
export function measuredShardCost(points: readonly ClusterScalePoint[]): MeasuredShardCost | undefined {
  const cluster = points.filter((p) => p.redis === 'cluster' && p.delivered > 0);
  if (cluster.length === 0) return undefined;
  const marginal = cluster.map((p) => {
    const per1000 = (p.redisMainThreadCpuSecondsPer1000 ?? p.redisCpuSecondsPer1000).median;
    const idlePer1000 =
      p.deliveredPerSecond.median > 0
        ? ((p.redisIdleCpuSecondsPerSecondPerShard * p.shards) / p.deliveredPerSecond.median) * 1000
        : 0;
    return Math.max(0, per1000 - idlePer1000);
  });
  return {
    cpuSecondsPer1000: Math.max(...marginal),
    idleCpuSecondsPerSecondPerShard: Math.max(...cluster.map((p) => p.redisIdleCpuSecondsPerSecondPerShard)),
    containers: cluster.map((p) => p.containers),
    mainThread: cluster.every((p) => p.redisMainThreadCpuSecondsPer1000 !== null),
  };
}

export interface ShardProjectionRow {
  workload: keyof typeof DOC_WORKLOADS;
  notificationsPerConnectionPerDay: number;
  connections: number;
  /** Busiest-hour deliveries per second (notifications x connections per user). */
  peakDeliveriesPerSecond: number;
  /** Redis CPU cores the deliveries take, over all shards, idle cost not included. */
  redisCores: number;
  /** Shards so that each stays within the budget with its idle cost (at least 1). */
  shards: number;
  /** Shards at Centrifugo's per-node rate, the outside check (at least 1). */
  shardsAtCentrifugoRate: number;
}

/** The largest delivery rate one shard takes within the budget, at the measured cost. */
export function shardCeilingPerSecond(cost: MeasuredShardCost, budget = SHARD_CPU_BUDGET): number {
  if (!(cost.cpuSecondsPer1000 > 0)) return Number.POSITIVE_INFINITY;
  return (Math.max(0, budget - cost.idleCpuSecondsPerSecondPerShard) / cost.cpuSecondsPer1000) * 1000;
}

/** One row per cost-table workload and connection count. */
export function projectShards(cost: MeasuredShardCost, budget = SHARD_CPU_BUDGET): ShardProjectionRow[] {
  const ceiling = shardCeilingPerSecond(cost, budget);
  return (Object.keys(DOC_WORKLOADS) as (keyof typeof DOC_WORKLOADS)[]).flatMap((name) => {
    const shape = DOC_WORKLOADS[name];
    const perConnection = shape.notificationsPerDay / shape.avgConnections;
    return PROJECTED_CONNECTIONS.map((connections) => {
      const workload = resolveWorkload({
        avgConnections: connections,
        notificationsPerDay: connections * perConnection,
      });
      const peakDeliveriesPerSecond =
        ((workload.notificationsPerDay * workload.connectionsPerUser) / 86_400) *
        DEFAULT_ECS_SIZING.peakNotificationFactor;
      return {
        workload: name,
        notificationsPerConnectionPerDay: perConnection,
        connections,
        peakDeliveriesPerSecond,
        redisCores: (peakDeliveriesPerSecond * cost.cpuSecondsPer1000) / 1000,
        shards: Math.max(1, Math.ceil(peakDeliveriesPerSecond / ceiling)),
        shardsAtCentrifugoRate: Math.max(
          1,
          Math.ceil(peakDeliveriesPerSecond / CENTRIFUGO_MESSAGES_PER_SECOND_PER_NODE),
        ),
      };
    });
  });
}
