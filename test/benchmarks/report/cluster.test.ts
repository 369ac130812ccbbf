import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { clusterScaleSection, clusterScaleSummary } from '../../../benchmarks/report/cluster.js';
import { renderMarkdown } from '../../../benchmarks/report/markdown.js';
import { type BenchResults, resultsSchema } from '../../../benchmarks/results-schema.js';
import { clusterPoint, flat } from '../support/cluster-points.js';

const QUICK = new URL('../../../benchmarks/results/quick/results.json', import.meta.url);

/** The committed quick run with socketio-redis's scale-cluster outcome replaced by `scaleCluster`. */
async function withClusterPoints(scaleCluster: unknown): Promise<BenchResults> {
  const results = resultsSchema.parse(JSON.parse(await readFile(QUICK, 'utf8')));
  return resultsSchema.parse({
    ...results,
    contenders: results.contenders.map((c) => (c.id === 'socketio-redis' ? { ...c, scaleCluster } : c)),
  });
}

const POINTS = [
  clusterPoint({ redis: 'node', shards: 1, redisMainThreadCpuSecondsPer1000: flat(0.04), p50Ms: 1.1 }),
  clusterPoint({ redis: 'cluster', shards: 3, redisMainThreadCpuSecondsPer1000: flat(0.09), p50Ms: 1.3 }),
];

describe('report section 9: the Redis Cluster rows and the projection', () => {
  it('lists the measured rows of both topologies and their ratio within the run', async () => {
    const section = clusterScaleSection(await withClusterPoints({ ok: true, value: POINTS })).join('\n');
    expect(section).toContain('## 9. Redis Cluster');
    expect(section).toContain('| socketio-redis | one Redis node | 2 | 10000/10000 | 500 | 1.100 |');
    expect(section).toContain(
      '| socketio-redis | Redis Cluster, 3 primaries | 2 | 10000/10000 | 500 | 1.300 |',
    );
    expect(section).toContain('on the cluster is **2.25x** the single node');
  });

  it('labels the projection as one, with the budget, its AWS source and Centrifugo beside it', async () => {
    const section = clusterScaleSection(await withClusterPoints({ ok: true, value: POINTS })).join('\n');
    expect(section).toContain('### Projection, not a measurement');
    expect(section).toContain('**Measured here**');
    // 90 % of a core at 0.09 CPU s per 1,000: 10,000 deliveries/s per shard.
    expect(section).toContain('one shard delivers at most **10,000/s** within a budget of 90 % of one core');
    expect(section).toContain('CacheMetrics.WhichShouldIMonitor.html');
    expect(section).toContain('**650,000 messages/s**');
    expect(section).toContain('Shards within the budget (projected)');
    expect(section).toMatch(/\| large \| 25 \| 1,000,000 \| 1,042 \| 0\.094 \| 1 \| 1 \|/);
  });

  it('shows a failed scenario as failed, with no projection', async () => {
    const section = clusterScaleSection(
      await withClusterPoints({ ok: false, error: 'redis-cli --cluster create exited 1' }),
    ).join('\n');
    expect(section).toContain('failed: redis-cli --cluster create exited 1');
    expect(section).not.toContain('### Projection');
  });

  it('puts the section in report.md and a summary line in the figures block', async () => {
    const results = await withClusterPoints({ ok: true, value: POINTS });
    expect(renderMarkdown(results)).toContain('### Projection, not a measurement');
    expect(clusterScaleSummary(results).join('\n')).toContain(
      "2 containers 2.25x the single node's. **Projected, not measured**: one shard takes 10,000 deliveries/s",
    );
  });
});
