import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { evaluateGate } from '../../benchmarks/gate.js';
import { measuredInOneRun, mergeResults, RESULT_KEY } from '../../benchmarks/merge.js';
import { remeasuredNote } from '../../benchmarks/report/markdown.js';
import { type BenchResults, resultsSchema } from '../../benchmarks/results-schema.js';

const LATEST = new URL('../../benchmarks/results/latest/results.json', import.meta.url);
const load = async (): Promise<BenchResults> =>
  resultsSchema.parse(JSON.parse(await readFile(LATEST, 'utf8')));

describe('mergeResults (bench --merge-into)', () => {
  it('replaces only the re-measured scenarios of the re-measured contenders, and records the re-run', async () => {
    const base = await load();
    const later = await load();
    const sio = later.contenders.find((c) => c.id === 'socketio-redis');
    if (!sio) throw new Error('committed results lack socketio-redis');
    later.contenders = [sio];
    sio.drop = { ok: false, error: 'marker: re-measured' };
    sio.unicast = { ok: false, error: 'not re-measured: must not be merged' };
    later.date = '2026-12-01T09:00:00.000Z';
    later.command = 'syncbell bench --scenarios drop --contenders socketio-redis';
    const merged = resultsSchema.parse(mergeResults(base, later, ['drop']));
    const mergedSio = merged.contenders.find((c) => c.id === 'socketio-redis');
    expect(mergedSio?.drop).toEqual({ ok: false, error: 'marker: re-measured' });
    expect(mergedSio?.unicast).toEqual(base.contenders.find((c) => c.id === 'socketio-redis')?.unicast);
    const others = merged.contenders.filter((c) => c.id !== 'socketio-redis');
    expect(others).toEqual(base.contenders.filter((c) => c.id !== 'socketio-redis'));
    expect(merged.date).toBe(base.date);
    // Earlier re-runs stay on record; this one is added after them.
    expect(merged.remeasured).toEqual([
      ...(base.remeasured ?? []),
      expect.objectContaining({
        scenarios: ['drop'],
        contenders: ['socketio-redis'],
        command: later.command,
      }),
    ]);
    expect(remeasuredNote(merged).at(-2)).toMatch(
      /Re-measured later and merged in: \*\*drop\*\* for socketio-redis/,
    );
  });

  it('refuses runs of another profile, and a contender the base run lacks unless it was measured in every scenario', async () => {
    const base = await load();
    expect(() => mergeResults(base, { ...base, profile: 'quick' }, ['drop'])).toThrow(/quick-profile/);
    const stranger = {
      ...base,
      contenders: [{ ...(base.contenders[0] as BenchResults['contenders'][0]), id: 'nope' }],
    };
    expect(() => mergeResults(base, stranger, ['drop'])).toThrow(/no contender "nope".*skipped/);
    const every = Object.keys(RESULT_KEY) as Parameters<typeof mergeResults>[2];
    const joined = mergeResults(base, stranger, every);
    expect(joined.contenders.map((c) => c.id)).toEqual([...base.contenders.map((c) => c.id), 'nope']);
    expect(joined.contenders.at(-1)).toEqual(stranger.contenders[0]);
  });
});

describe('figures of merged results', () => {
  it('tell which run measured each contender and scenario, so no ratio spans two runs', async () => {
    const base = await load();
    const later = { ...base, contenders: base.contenders.filter((c) => c.id === 'baseline-ws') };
    const merged = mergeResults(base, later, ['unicast']);
    const others = base.contenders.filter((c) => c.id !== 'baseline-ws').map((c) => c.id);
    const other = others.find((id) => !measuredInOneRun(base, 'baseline-ws', id, 'unicast')) ?? others[0];
    expect(measuredInOneRun(merged, 'baseline-ws', other as string, 'unicast')).toBe(false);
    expect(measuredInOneRun(merged, 'baseline-ws', other as string, 'fanout')).toBe(
      measuredInOneRun(base, 'baseline-ws', other as string, 'fanout'),
    );
    const gate = evaluateGate(merged, {
      checks: [{ metric: 'unicast.p50', contender: other as string, baseline: 'baseline-ws', max: 100 }],
    } as Parameters<typeof evaluateGate>[1]);
    expect(gate.verdicts[0]).toMatchObject({
      status: 'missing',
      detail: expect.stringMatching(/different runs/),
    });
  });
});
