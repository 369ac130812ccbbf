import { describe, expect, it } from 'vitest';
import { benchmarkResultsSchema } from '../../cost/capacity.js';
import { resultsSchema } from '../../benchmarks/results-schema.js';

const spread = { median: 1, min: 1, max: 1, runs: [1] };
const latency = { count: 10, p50Ms: 0.3, p90Ms: 0.5, p99Ms: 1, p999Ms: 1.2, maxMs: 1.2, meanMs: 0.35 };

function sample(): Record<string, unknown> {
  return {
    schemaVersion: 1,
    profile: 'quick',
    machine: {
      hostname: 'host',
      cpuModel: 'cpu',
      cpus: 2,
      memoryBytes: 1,
      platform: 'linux',
      kernel: '6',
      loadAverageAtStart: [0, 0, 0],
      loadAverageAtEnd: [0, 0, 0],
    },
    node: 'v20.20.2',
    date: '2026-11-27T00:00:00.000Z',
    gitCommit: 'abc',
    command: 'syncbell bench --quick',
    durationSeconds: 1,
    target: null,
    settings: {},
    capacity: {
      'ecs-ws': {
        connectionsPerTask: 60,
        cpuSecondsPer1000Notifications: 0.5,
        rssBytesPerConnection: 4000,
        measured: true,
      },
    },
    contenders: [
      {
        id: 'raw-ws-redis',
        label: 'Raw ws',
        optionId: 'ecs-ws',
        emulated: false,
        baseline: false,
        unicast: {
          ok: true,
          value: [
            {
              connections: 10,
              connected: 10,
              ratePerSecond: 100,
              published: 50,
              delivered: 50,
              runs: [latency],
              median: latency,
              p50Spread: spread,
              p99Spread: spread,
              cdf: [{ latencyMs: 0.3, fraction: 0.5 }],
              cpuSecondsPer1000Notifications: spread,
            },
          ],
        },
        fanout: { ok: false, error: 'not selected (--scenarios)' },
        capacity: { ok: false, error: 'not selected (--scenarios)' },
        wireBytes: {
          ok: true,
          value: {
            notifications: 10,
            downBytesPerNotification: 274,
            upBytesPerNotification: 0,
            payloadBytes: 231,
          },
        },
        drop: { ok: false, error: 'boom' },
        lifecycle: { ok: false, error: 'boom' },
        sticky: { ok: true, value: { applicable: false, reason: 'one connection', passes: [] } },
      },
    ],
  };
}

describe('results.json schema', () => {
  it('accepts a complete results file', () => {
    expect(resultsSchema.safeParse(sample()).success).toBe(true);
  });

  it('is readable by the cost model (the writer extends the reader schema)', () => {
    expect(benchmarkResultsSchema.safeParse(resultsSchema.parse(sample())).success).toBe(true);
  });

  it('rejects a capacity entry that is not marked as measured', () => {
    const bad = sample();
    (bad.capacity as Record<string, Record<string, unknown>>)['ecs-ws'] = {
      connectionsPerTask: 60,
      cpuSecondsPer1000Notifications: 0.5,
      rssBytesPerConnection: 4000,
      measured: false,
    };
    expect(resultsSchema.safeParse(bad).success).toBe(false);
  });

  it('rejects an unknown cost option id in capacity', () => {
    const bad = sample();
    (bad.capacity as Record<string, unknown>)['ecs-carrier-pigeon'] = {
      connectionsPerTask: 1,
      cpuSecondsPer1000Notifications: 0,
      rssBytesPerConnection: 0,
      measured: true,
    };
    expect(resultsSchema.safeParse(bad).success).toBe(false);
  });

  it('rejects a file without the machine header', () => {
    const bad = sample();
    delete bad.machine;
    expect(resultsSchema.safeParse(bad).success).toBe(false);
  });

  it('requires every scenario of a contender to be present, as a value or an error', () => {
    const bad = sample();
    delete (bad.contenders as Record<string, unknown>[])[0]?.drop;
    expect(resultsSchema.safeParse(bad).success).toBe(false);
  });
});
