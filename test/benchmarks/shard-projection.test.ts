import { describe, expect, it } from 'vitest';
import {
  CENTRIFUGO_MESSAGES_PER_SECOND_PER_NODE,
  measuredShardCost,
  projectShards,
  SHARD_CPU_BUDGET,
  shardCeilingPerSecond,
} from '../../benchmarks/shard-projection.js';
import { clusterPoint, flat } from './support/cluster-points.js';

describe('the shard projection from measured Redis CPU per delivery', () => {
  it('takes the idle cost of a run out of its CPU per delivery, and keeps the most expensive container count', () => {
    const cost = measuredShardCost([
      // 3 shards x 0.01 CPU s/s idle at 500 deliveries/s is 0.06 s per 1,000 of the 0.16 measured.
      clusterPoint({
        containers: 2,
        redisMainThreadCpuSecondsPer1000: flat(0.16),
        redisIdleCpuSecondsPerSecondPerShard: 0.01,
      }),
      clusterPoint({ containers: 4, redisMainThreadCpuSecondsPer1000: flat(0.08) }),
      clusterPoint({ redis: 'node', shards: 1, redisMainThreadCpuSecondsPer1000: flat(9) }),
    ]);
    expect(cost?.cpuSecondsPer1000).toBeCloseTo(0.1, 9);
    expect(cost?.idleCpuSecondsPerSecondPerShard).toBe(0.01);
    expect(cost?.containers).toEqual([2, 4]);
    expect(cost?.mainThread).toBe(true);
  });

  it('falls back on the process CPU where INFO cpu had no main-thread figures, and says so', () => {
    const cost = measuredShardCost([clusterPoint({ redisMainThreadCpuSecondsPer1000: null })]);
    expect(cost?.cpuSecondsPer1000).toBe(0.06);
    expect(cost?.mainThread).toBe(false);
  });

  it('projects nothing without a cluster point', () => {
    expect(measuredShardCost([clusterPoint({ redis: 'node', shards: 1 })])).toBeUndefined();
  });

  it("needs a second shard once the busiest hour's deliveries pass one shard's budget", () => {
    // 0.9 CPU s per 1,000 deliveries: one shard takes 1,000/s within 90 % of a core.
    const cost = {
      cpuSecondsPer1000: 0.9,
      idleCpuSecondsPerSecondPerShard: 0,
      containers: [2],
      mainThread: true,
    };
    expect(SHARD_CPU_BUDGET).toBe(0.9);
    expect(shardCeilingPerSecond(cost)).toBeCloseTo(1000, 9);
    const rows = projectShards(cost);
    // The cost table's large workload: 25 notifications per connection per day, 3x at the busiest
    // hour, 1.2 connections per user: 1M connections make 1,041.7 deliveries/s.
    const large = rows.find((r) => r.workload === 'large' && r.connections === 1_000_000);
    expect(large?.peakDeliveriesPerSecond).toBeCloseTo((1_000_000 * 25 * 1.2 * 3) / 86_400, 6);
    expect(large?.shards).toBe(2);
    expect(large?.redisCores).toBeCloseTo(0.9375, 4);
    expect(rows.find((r) => r.workload === 'small' && r.connections === 100_000)?.shards).toBe(1);
    expect(large?.shardsAtCentrifugoRate).toBe(1);
    expect(CENTRIFUGO_MESSAGES_PER_SECOND_PER_NODE).toBe(650_000);
  });

  it("leaves a shard's idle cost out of what it can deliver", () => {
    const cost = {
      cpuSecondsPer1000: 0.9,
      idleCpuSecondsPerSecondPerShard: 0.45,
      containers: [2],
      mainThread: true,
    };
    expect(shardCeilingPerSecond(cost)).toBeCloseTo(500, 9);
  });
});
