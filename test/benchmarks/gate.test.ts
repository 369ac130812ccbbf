import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runBench } from '../../benchmarks/cli.js';
import { CONTENDERS } from '../../benchmarks/contenders/index.js';
import { GateFileError } from '../../benchmarks/errors.js';
import { evaluateGate, type GateFile, loadGateFile, parseGateFile } from '../../benchmarks/gate.js';
import { type BenchResults, resultsSchema } from '../../benchmarks/results-schema.js';

const KNOWN = CONTENDERS.map((c) => c.id);
const LATEST = 'benchmarks/results/latest';
const FULL_GATE = 'benchmarks/gates/full.json';
const QUICK_GATE = 'benchmarks/gates/quick.json';

/**
 * The committed full run, with a `socketio-plain` made from its `socketio-redis` scaled by `factor`,
 * and both given a scale run (SCALE_POINTS, plain's scaled by `factor` too).
 */
async function withPlain(factor: number): Promise<BenchResults> {
  const results = resultsSchema.parse(JSON.parse(await readFile(join(LATEST, 'results.json'), 'utf8')));
  const sio = results.contenders.find((c) => c.id === 'socketio-redis');
  if (!sio?.unicast.ok || !sio.fanout.ok) throw new Error('the committed run lacks socketio-redis');
  const plain = structuredClone(sio);
  plain.id = 'socketio-plain';
  if (plain.unicast.ok)
    for (const level of plain.unicast.value) {
      level.median.p50Ms *= factor;
      level.median.p99Ms *= factor;
    }
  if (plain.fanout.ok) plain.fanout.value.lastMs.median *= factor;
  if (plain.capacity.ok) plain.capacity.value.rssBytesPerConnection *= factor;
  sio.scale = { ok: true, value: SCALE_POINTS };
  plain.scale = {
    ok: true,
    value: SCALE_POINTS.map((p) => {
      const cpu = p.cpuSecondsPer1000.median * factor;
      return { ...p, cpuSecondsPer1000: { median: cpu, min: cpu, max: cpu, runs: [cpu] } };
    }),
  };
  return { ...results, contenders: [...results.contenders.filter((c) => c.id !== 'socketio-plain'), plain] };
}

/** A scale run: per-user channels 1.1x from 2 to 8 containers, classic 2.2x. */
const SCALE_POINTS = (
  [
    ['classic', 2, 0.8],
    ['classic', 8, 1.76],
    ['sharded', 2, 0.7],
    ['sharded', 8, 0.77],
  ] as const
).map(([adapter, containers, cpu]) => ({
  adapter,
  containers,
  connections: 4000,
  connected: 4000,
  ratePerSecond: 300,
  published: 9000,
  delivered: 9000,
  p50Ms: 1,
  p99Ms: 5,
  cpuSecondsPer1000: { median: cpu, min: cpu, max: cpu, runs: [cpu] },
  containerCpuSecondsPer1000: cpu * 0.8,
  redisCpuSecondsPer1000: cpu * 0.2,
}));

const check = (overrides: Partial<GateFile['checks'][number]> = {}): GateFile => ({
  checks: [
    {
      metric: 'unicast.p50',
      contender: 'socketio-redis',
      baseline: 'socketio-plain',
      max: 1.15,
      ...overrides,
    },
  ],
});

describe('gate file', () => {
  it('accepts the committed gate files', async () => {
    for (const path of [FULL_GATE, QUICK_GATE])
      await expect(loadGateFile(path, KNOWN)).resolves.toBeDefined();
  });

  it('refuses an unknown contender, naming it and the known ones', () => {
    expect(() => parseGateFile(check({ baseline: 'socketio-plane' }), KNOWN)).toThrow(GateFileError);
    expect(() => parseGateFile(check({ baseline: 'socketio-plane' }), KNOWN)).toThrow(
      /checks\[0\]: unknown contender "socketio-plane" \(known: .*socketio-plain/,
    );
  });

  it('refuses an unknown metric, a check without a bound and unknown fields', () => {
    expect(() => parseGateFile(check({ metric: 'unicast.p42' as 'unicast.p50' }), KNOWN)).toThrow(
      /expected one of "unicast\.p50"[\s\S]*at checks\[0\]\.metric/,
    );
    const { max: _, ...noBound } = check().checks[0] as GateFile['checks'][number];
    expect(() => parseGateFile({ checks: [noBound] }, KNOWN)).toThrow(/needs "max" or "min"/);
    expect(() => parseGateFile({ ...check(), threshold: 1 }, KNOWN)).toThrow(/threshold/);
  });

  it('names the file when it is not JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'syncbell-gate-'));
    await writeFile(join(dir, 'gate.json'), '{ "checks": [ ');
    await expect(loadGateFile(join(dir, 'gate.json'), KNOWN)).rejects.toThrow(/gate\.json: .*JSON/);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('gate evaluation', () => {
  it('passes a ratio within its bound and fails one above it', async () => {
    const results = await withPlain(1 / 1.1); // socketio-redis is 1.1x the plain one on every metric
    const pass = evaluateGate(results, check({ max: 1.15 }));
    expect(pass.passed).toBe(true);
    expect(pass.verdicts[0]?.ratio).toBeCloseTo(1.1, 5);
    const fail = evaluateGate(results, check({ max: 1.05 }));
    expect(fail.passed).toBe(false);
    expect(fail.verdicts[0]?.status).toBe('fail');
    expect(evaluateGate(results, check({ max: undefined, min: 1.2 })).verdicts[0]?.status).toBe('fail');
  });

  it('reports a metric as missing, and why, when its scenario failed or its contender did not run', async () => {
    const results = await withPlain(1);
    const plain = results.contenders.find((c) => c.id === 'socketio-plain');
    if (plain) plain.fanout = { ok: false, error: 'ramp timed out' };
    const fanout = evaluateGate(results, check({ metric: 'broadcast.last' })).verdicts[0];
    expect(fanout).toMatchObject({ status: 'missing', ratio: null });
    expect(fanout?.detail).toBe('socketio-plain fanout failed: ramp timed out');
    const notRun = evaluateGate(
      { ...results, contenders: results.contenders.filter((c) => c.id !== 'socketio-plain') },
      check(),
    );
    expect(notRun.passed).toBe(false);
    expect(notRun.verdicts[0]?.detail).toBe('socketio-plain was not part of this run');
  });
});

describe('scale gate checks (issue 16: one contender, two points of its scale run)', () => {
  const scaleCheck = (max: number, adapter: 'classic' | 'sharded' = 'sharded'): GateFile => ({
    checks: [
      {
        metric: 'scale.cpuSecondsPer1000',
        contender: 'socketio-redis',
        baseline: 'socketio-redis',
        at: { adapter, containers: 8 },
        baselineAt: { adapter, containers: 2 },
        max,
      },
    ],
  });

  it('takes the ratio of two points of the same contender', async () => {
    const results = await withPlain(1);
    const sharded = evaluateGate(results, scaleCheck(1.25));
    expect(sharded.passed).toBe(true);
    expect(sharded.verdicts[0]?.ratio).toBeCloseTo(1.1, 5);
    expect(evaluateGate(results, scaleCheck(1.25, 'classic')).verdicts[0]?.status).toBe('fail');
  });

  it('reports a missing point, and refuses a scale metric without its points or a plain one with them', async () => {
    const results = await withPlain(1);
    const sio = results.contenders.find((c) => c.id === 'socketio-redis');
    if (sio) sio.scale = { ok: true, value: SCALE_POINTS.filter((p) => p.containers === 2) };
    expect(evaluateGate(results, scaleCheck(1.25)).verdicts[0]?.detail).toBe(
      'socketio-redis scale measured no sharded point at 8 containers',
    );
    const [only] = scaleCheck(1.25).checks;
    expect(() => parseGateFile({ checks: [{ ...only, baselineAt: undefined }] }, KNOWN)).toThrow(
      /needs "at" and "baselineAt"/,
    );
    expect(() => parseGateFile({ checks: [{ ...only, baselineAt: only?.at }] }, KNOWN)).toThrow(
      /must differ/,
    );
    expect(() => parseGateFile(check({ at: { adapter: 'sharded', containers: 8 } }), KNOWN)).toThrow(
      /other metrics take neither/,
    );
  });
});

describe('syncbell bench --render DIR --gate FILE', () => {
  let out = '';
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'syncbell-gate-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  afterEach(() => vi.restoreAllMocks());
  const run = async (argv: string[]) => {
    out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
    const code = await runBench(argv);
    vi.restoreAllMocks();
    return code;
  };
  const writeResults = async (name: string, results: BenchResults) => {
    const sub = join(dir, name);
    await mkdir(sub, { recursive: true });
    await writeFile(join(sub, 'results.json'), JSON.stringify(results));
    return sub;
  };

  it("exits by the committed run's verdicts, one line per check, and writes nothing", async () => {
    const before = await readFile(join(LATEST, 'report.md'), 'utf8');
    const committed = resultsSchema.parse(JSON.parse(await readFile(join(LATEST, 'results.json'), 'utf8')));
    const verdicts = evaluateGate(
      committed,
      await loadGateFile(
        FULL_GATE,
        CONTENDERS.map((c) => c.id),
      ),
    ).verdicts;
    const code = await run(['--render', LATEST, '--gate', FULL_GATE]);
    expect(code).toBe(verdicts.every((v) => v.status === 'pass') ? 0 : 1);
    expect(out).toMatch(/^summary \(full profile/m);
    expect(out).toMatch(/^socketio-redis\s+\d/m);
    for (const v of verdicts)
      expect(out).toMatch(
        new RegExp(`^${v.status.toUpperCase()}\\s+${v.check.metric.replace('.', '\\.')}\\s`, 'm'),
      );
    expect(await readFile(join(LATEST, 'report.md'), 'utf8')).toBe(before); // --gate writes nothing
  });

  it('exits 0 when every check passes and 1 when one fails', async () => {
    const within = await writeResults('within', await withPlain(1 / 1.05));
    expect(await run(['--render', within, '--gate', FULL_GATE])).toBe(0);
    expect(out).toMatch(/^gate passed: 6 of 6 checks/m);
    const beyond = await writeResults('beyond', await withPlain(1 / 1.2)); // 1.2x: p50 and broadcast fail
    expect(await run(['--render', beyond, '--gate', FULL_GATE])).toBe(1);
    expect(out).toMatch(/^FAIL\s+unicast\.p50\s+socketio-redis \/ socketio-plain\s+1\.20x\s+<= 1\.15/m);
    expect(out).toMatch(/^PASS\s+unicast\.p99/m);
  });

  it('refuses a gate naming an unknown contender before doing anything', async () => {
    const path = join(dir, 'typo.json');
    await writeFile(path, JSON.stringify(check({ contender: 'socketio-reddis' })));
    await expect(run(['--render', LATEST, '--gate', path])).rejects.toThrow(
      /unknown contender "socketio-reddis"/,
    );
  });
});
