import type { BenchResults, ContenderResult } from '../results-schema.js';
import {
  CENTRIFUGO_MESSAGES_PER_SECOND_PER_NODE,
  CENTRIFUGO_SOURCE,
  measuredShardCost,
  projectShards,
  SHARD_CPU_BUDGET,
  SHARD_CPU_BUDGET_SOURCE,
  shardCeilingPerSecond,
} from '../shard-projection.js';
import { err, fmt, name } from './format.js';

type ClusterPoints = Extract<NonNullable<ContenderResult['scaleCluster']>, { ok: true }>['value'];
type ClusterPoint = ClusterPoints[number];

const count = (value: number) => Math.round(value).toLocaleString('en-US');
const topology = (p: ClusterPoint) =>
  p.redis === 'cluster' ? `Redis Cluster, ${p.shards} primaries` : 'one Redis node';
/** Main threads where INFO cpu has them: the figure the projection uses. */
const redisPer1000 = (p: ClusterPoint) => p.redisMainThreadCpuSecondsPer1000 ?? p.redisCpuSecondsPer1000;

/** At each container count measured on both, the cluster's figures over the single node's (same run). */
export function clusterRatios(points: ClusterPoints): {
  containers: number;
  redisCpuRatio: number;
  p50Node: number;
  p50Cluster: number;
}[] {
  return [...new Set(points.map((p) => p.containers))].flatMap((containers) => {
    const node = points.find((p) => p.redis === 'node' && p.containers === containers);
    const cluster = points.find((p) => p.redis === 'cluster' && p.containers === containers);
    if (!node || !cluster || !(redisPer1000(node).median > 0)) return [];
    return [
      {
        containers,
        redisCpuRatio: redisPer1000(cluster).median / redisPer1000(node).median,
        p50Node: node.p50Ms,
        p50Cluster: cluster.p50Ms,
      },
    ];
  });
}

/** The projection's lines, labelled as such, from one contender's measured cluster points. */
export function projectionLines(points: ClusterPoints): string[] {
  const cost = measuredShardCost(points);
  if (!cost) return [];
  const ceiling = shardCeilingPerSecond(cost);
  const which = cost.mainThread ? 'main threads' : 'processes (INFO cpu had no main-thread figures)';
  const shards = (n: number) => (Number.isFinite(n) ? String(n) : 'n/a (idle above the budget)');
  return [
    '',
    '### Projection, not a measurement: shards for 100k and 1M connections',
    '',
    `**Measured here** (above): Redis ${which} CPU **${fmt(cost.cpuSecondsPer1000, 4)} s per 1,000 deliveries** over all shards with the idle cost taken out (the largest of the ${cost.containers.join(' / ')}-container points), and **${fmt(cost.idleCpuSecondsPerSecondPerShard, 4)} CPU s/s** per shard idle. **Projected** from those: one shard delivers at most **${count(ceiling)}/s** within a budget of ${Math.round(SHARD_CPU_BUDGET * 100)} % of one core (AWS's ElastiCache guidance: alarm at 90 % of the available CPU, read as a share of one core because the engine is single-threaded, and add shards to a write-heavy cluster-mode cluster past it; ${SHARD_CPU_BUDGET_SOURCE}). Centrifugo measured about **${count(CENTRIFUGO_MESSAGES_PER_SECOND_PER_NODE)} messages/s** through one Redis node (256 B PUBLISH; ${CENTRIFUGO_SOURCE}): **${fmt(CENTRIFUGO_MESSAGES_PER_SECOND_PER_NODE / ceiling, 1)}x** our projected ceiling. Why the gap: each syncbell notification is one EVAL (replay-log XADD with MAXLEN, EXPIRE, SPUBLISH; with an idempotency key also a claim GET/SET) where theirs is a bare PUBLISH, and this machine's two cores also run the containers and the load generator.`,
    '',
    "Rates from the cost model's workloads (`cost/docs.ts` DOC_WORKLOADS: notifications per connection per day), at the busiest hour (3x the day's average, `peakNotificationFactor`) and 1.2 connections per user (each delivery priced as one measured delivery: an overestimate where a user's connections share a container). Only Redis CPU is projected: the memory of 1M sharded subscriptions and replay logs, the network, and an ElastiCache node's own core speed are not, and only AWS can show them.",
    '',
    "| Workload (cost table) | Notifications per connection per day | Connections | Busiest-hour deliveries/s (projected) | Redis cores (projected) | Shards within the budget (projected) | Shards at Centrifugo's per-node rate (outside check) |",
    '|---|---|---|---|---|---|---|',
    ...projectShards(cost).map(
      (row) =>
        `| ${row.workload} | ${fmt(row.notificationsPerConnectionPerDay, 0)} | ${count(row.connections)} | ${count(row.peakDeliveriesPerSecond)} | ${fmt(row.redisCores, 3)} | ${shards(row.shards)} | ${row.shardsAtCentrifugoRate} |`,
    ),
  ];
}

/** Issue 25, item 5: the sharded adapter on a Redis Cluster beside one node, and the projection. */
export function clusterScaleSection(r: BenchResults): string[] {
  const measured = r.contenders.filter((c) => c.scaleCluster !== undefined);
  if (measured.length === 0) return [];
  const lines = [
    '',
    '## 9. Redis Cluster: the same load on 3 shards (measured), then projected',
    '',
    "The scale scenario's connections and rate over each container count, per-user channels (the sharded adapter), on a local Redis Cluster (3 primaries with a replica each, `startOwnedRedisCluster`; the containers on node-redis `createCluster`) beside one Redis node (the containers on node-redis too), side by side in this run. Redis CPU is INFO cpu's user + system on every primary before and after each measured run (replicas not counted: on ElastiCache they are nodes of their own), per 1,000 delivered notifications; the main-thread figure is the thread that runs commands (what EngineCPUUtilization measures), and per shard divides it by the primaries. All shards run on this one machine, so the cluster's latency includes no network hop between nodes and its CPU competes with everything else here: compare the rows as ratios within this run.",
    '',
    '| Contender | Redis | Containers | Connections | Delivered/s | p50 ms | p99 ms | Redis CPU s per 1,000 (all primaries) | main threads | per shard (main thread) | idle CPU s/s per shard | containers CPU s per 1,000 | delivered/published |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const projections: string[] = [];
  for (const c of measured) {
    const outcome = c.scaleCluster;
    if (!outcome?.ok) {
      lines.push(`| ${name(c)} | ${outcome ? err(outcome) : 'n/a'} | | | | | | | | | | | |`);
      continue;
    }
    for (const p of outcome.value) {
      const cpu = p.redisCpuSecondsPer1000;
      const main = p.redisMainThreadCpuSecondsPer1000;
      lines.push(
        `| ${name(c)} | ${topology(p)} | ${p.containers} | ${p.connected}/${p.connections} | ${fmt(p.deliveredPerSecond.median, 0)} | ${fmt(p.p50Ms, 3)} | ${fmt(p.p99Ms, 3)} | ${fmt(cpu.median, 4)} (${fmt(cpu.min, 4)}-${fmt(cpu.max, 4)}) | ${main ? `${fmt(main.median, 4)} (${fmt(main.min, 4)}-${fmt(main.max, 4)})` : 'n/a'} | ${fmt(p.redisCpuSecondsPer1000PerShard, 4)} | ${fmt(p.redisIdleCpuSecondsPerSecondPerShard, 4)} | ${fmt(p.containerCpuSecondsPer1000, 4)} | ${p.delivered}/${p.published} |`,
      );
    }
    const ratios = clusterRatios(outcome.value);
    if (ratios.length > 0) lines.push('');
    for (const ratio of ratios)
      lines.push(
        `- ${name(c)}, ${ratio.containers} containers: Redis CPU per 1,000 over all primaries on the cluster is **${fmt(ratio.redisCpuRatio, 2)}x** the single node's; p50 ${fmt(ratio.p50Cluster, 3)} ms against ${fmt(ratio.p50Node, 3)} ms.`,
      );
    if (projections.length === 0) projections.push(...projectionLines(outcome.value));
  }
  return [...lines, ...projections];
}

/** A few lines for the figures block of docs/BENCHMARKS.md: the ratios and the projection's headline. */
export function clusterScaleSummary(r: BenchResults): string[] {
  const c = r.contenders.find((x) => x.scaleCluster?.ok);
  if (!c?.scaleCluster?.ok) return [];
  const points = c.scaleCluster.value;
  const cost = measuredShardCost(points);
  const ratios = clusterRatios(points);
  const largest = cost ? projectShards(cost).at(-1) : undefined;
  return [
    `Redis Cluster (report section 9; ${name(c)}, sharded adapter, 3 primaries against one node, same run): Redis CPU per 1,000 over all primaries at ${ratios.map((x) => `${x.containers} containers ${fmt(x.redisCpuRatio, 2)}x`).join(', ')} the single node's.${
      cost && largest
        ? ` **Projected, not measured**: one shard takes ${count(shardCeilingPerSecond(cost))} deliveries/s within ${Math.round(SHARD_CPU_BUDGET * 100)} % of a core (Centrifugo: ${count(CENTRIFUGO_MESSAGES_PER_SECOND_PER_NODE)} messages/s per node); ${count(largest.connections)} connections of the ${largest.workload} workload need ${largest.shards} shard${largest.shards === 1 ? '' : 's'} for Redis CPU.`
        : ''
    }`,
    '',
  ];
}
