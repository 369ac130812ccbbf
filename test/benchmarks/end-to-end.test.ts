import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBench } from '../../benchmarks/cli.js';
import { resultsSchema } from '../../benchmarks/results-schema.js';

describe('syncbell bench, tiny end-to-end run', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes a valid results.json, a report.md with its header and a self-contained report.html', async () => {
    dir = await mkdtemp(join(tmpdir(), 'syncbell-bench-test-'));
    const argv = [
      '--quick',
      '--runs',
      '1',
      '--contenders',
      'baseline-ws,raw-ws-redis',
      '--scenarios',
      'unicast,wire-bytes',
      '--out',
      dir,
    ];

    const code = await runBench(argv);

    expect(code).toBe(0);
    const results = resultsSchema.parse(JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')));
    expect(results.contenders.map((c) => c.id)).toEqual(['baseline-ws', 'raw-ws-redis']);
    for (const contender of results.contenders) {
      expect(contender.unicast.ok, JSON.stringify(contender.unicast)).toBe(true);
      if (contender.unicast.ok) expect(contender.unicast.value[0]?.delivered).toBeGreaterThan(0);
      expect(contender.wireBytes.ok, JSON.stringify(contender.wireBytes)).toBe(true);
      expect(contender.capacity).toEqual({ ok: false, error: 'not selected (--scenarios)' });
    }
    const markdown = await readFile(join(dir, 'report.md'), 'utf8');
    expect(markdown).toContain(`Node: ${process.version}`);
    expect(markdown).toContain(`syncbell bench ${argv.join(' ')}`);
    expect(markdown).toContain('## Options considered, measured');
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|<link|src="http/);
  }, 120_000);

  it('passes the loose quick gate: syncbell against plain socket.io in the same run (CI)', async () => {
    const out = await mkdtemp(join(tmpdir(), 'syncbell-bench-gate-'));
    const argv = [
      '--quick',
      '--contenders',
      'socketio-redis,socketio-plain',
      '--scenarios',
      'unicast,fanout,wire-bytes',
      '--gate',
      'benchmarks/gates/quick.json',
      '--out',
      out,
    ];

    const code = await runBench(argv).finally(() => rm(out, { recursive: true, force: true }));

    // The gate's table is on stdout (the test log) when this fails.
    expect(code).toBe(0);
  }, 240_000);

  it('--cpu-prof writes one V8 CPU profile per server process, the ECS containers and a contender server, into DIR', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'syncbell-bench-prof-'));
    try {
      const code = await runBench([
        '--quick',
        '--runs',
        '1',
        '--contenders',
        'socketio-redis,socketio-plain',
        '--scenarios',
        'wire-bytes',
        '--cpu-prof',
        join(dir, 'profiles'),
        '--out',
        join(dir, 'out'),
      ]);

      expect(code).toBe(0);
      const files = (await readdir(join(dir, 'profiles'))).filter((f) => f.endsWith('.cpuprofile'));
      // Which script each profiled process ran: the containers' entry and the plain server's.
      const entries = await Promise.all(
        files.map(async (f) => {
          const profile = JSON.parse(await readFile(join(dir, 'profiles', f), 'utf8')) as {
            nodes: { callFrame: { url: string } }[];
          };
          const urls = profile.nodes.map((n) => n.callFrame.url);
          if (urls.some((u) => u.endsWith('ecs-socketio/container/main.ts'))) return 'ecs container';
          if (urls.some((u) => u.endsWith('socketio-plain-main.ts'))) return 'socketio-plain server';
          return 'other';
        }),
      );
      // 2 containers (2 plain servers) each time the scenario starts the contender.
      expect(entries.filter((e) => e === 'ecs container').length).toBeGreaterThanOrEqual(2);
      expect(entries.filter((e) => e === 'socketio-plain server').length).toBeGreaterThanOrEqual(2);
      expect(entries).not.toContain('other'); // the load generator and the balancers are not profiled
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('refuses --cpu-prof with --merge-into: a profiled run is never merged into a committed one', async () => {
    await expect(
      runBench([
        '--quick',
        '--cpu-prof',
        join(tmpdir(), 'unused'),
        '--merge-into',
        'benchmarks/results/quick',
        '--out',
        join(tmpdir(), 'unused-out'),
      ]),
    ).rejects.toThrow(/--cpu-prof figures carry the profiler/);
  });

  it('runs the scale scenario small: classic and per-user channels at 2 and 4 containers, in the report and its chart', async () => {
    const out = await mkdtemp(join(tmpdir(), 'syncbell-bench-scale-'));
    try {
      const code = await runBench([
        '--quick',
        '--runs',
        '1',
        '--contenders',
        'socketio-redis',
        '--scenarios',
        'scale',
        '--out',
        out,
      ]);

      expect(code).toBe(0);
      const results = resultsSchema.parse(JSON.parse(await readFile(join(out, 'results.json'), 'utf8')));
      const scale = results.contenders[0]?.scale;
      expect(scale?.ok, JSON.stringify(scale)).toBe(true);
      if (scale?.ok) {
        expect(scale.value.map((p) => `${p.adapter} x${p.containers}`)).toEqual([
          'classic x2',
          'sharded x2',
          'classic x4',
          'sharded x4',
        ]);
        // Every notification reached its one user on either adapter, at every container count.
        for (const point of scale.value) expect(point.delivered).toBe(point.published);
      }
      const markdown = await readFile(join(out, 'report.md'), 'utf8');
      expect(markdown).toContain('## 8. Scale: the same load over more containers');
      // A number at 50 containers, or none where this tiny run's line fell (projectionText).
      expect(markdown).toMatch(
        /\*\*projected, not measured\*\*: ([\d.]+ at 50 containers|none, the CPU per 1,000 fell)/,
      );
      expect(await readFile(join(out, 'report.html'), 'utf8')).toContain(
        'CPU per delivery against containers',
      );
      // The chart also as a file of its own, which report.md (and the figures block of docs/BENCHMARKS.md) link.
      expect(markdown).toContain('](scale-cpu.svg)');
      expect(await readFile(join(out, 'scale-cpu.svg'), 'utf8')).toMatch(
        /^<svg[\s\S]*per-user channels[\s\S]*<\/svg>$/,
      );
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 180_000);

  it('runs the scale-cluster scenario small: one node and a 3-primary Redis Cluster at 2 containers, every notification delivered, in section 9', async () => {
    const out = await mkdtemp(join(tmpdir(), 'syncbell-bench-scale-cluster-'));
    try {
      const code = await runBench([
        '--quick',
        '--runs',
        '1',
        '--scale-containers',
        '2',
        '--contenders',
        'socketio-redis',
        '--scenarios',
        'scale-cluster',
        '--out',
        out,
      ]);

      expect(code).toBe(0);
      const results = resultsSchema.parse(JSON.parse(await readFile(join(out, 'results.json'), 'utf8')));
      const outcome = results.contenders[0]?.scaleCluster;
      expect(outcome?.ok, JSON.stringify(outcome)).toBe(true);
      if (outcome?.ok) {
        expect(outcome.value.map((p) => `${p.redis} ${p.shards} x${p.containers}`)).toEqual([
          'node 1 x2',
          'cluster 3 x2',
        ]);
        for (const point of outcome.value) {
          expect(point.delivered).toBe(point.published);
          // Redis 7 reports its main thread's CPU, and publishing costs some.
          expect(point.redisMainThreadCpuSecondsPer1000?.median).toBeGreaterThan(0);
        }
      }
      const markdown = await readFile(join(out, 'report.md'), 'utf8');
      expect(markdown).toContain('## 9. Redis Cluster');
      expect(markdown).toContain('### Projection, not a measurement');
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 180_000);
});
