import { describe, expect, it } from 'vitest';
import { benchmarkResultsSchema, DEFAULT_CAPACITY, resolveCapacity } from '../../cost/capacity.js';

const RESULTS = {
  date: '2026-12-01T10:00:00Z',
  machine: { cores: 2, node: 'v20.20.2' },
  command: 'syncbell bench',
  capacity: {
    'ecs-socketio': {
      connectionsPerTask: 19_600,
      cpuSecondsPer1000Notifications: 0.05,
      rssBytesPerConnection: 7900,
      measured: true,
      heapBytesPerConnection: 6000,
      basis: 'full profile: 19600 of 20000 connections held by one process',
    },
  },
};

describe('benchmark results schema', () => {
  it('accepts a results file and keeps the fields it does not know', () => {
    const parsed = benchmarkResultsSchema.parse(RESULTS);
    expect(parsed.command).toBe('syncbell bench');
    expect(parsed.capacity['ecs-socketio']?.heapBytesPerConnection).toBe(6000);
  });

  it('rejects an entry that is not marked measured', () => {
    const bad = {
      ...RESULTS,
      capacity: { 'ecs-socketio': { ...RESULTS.capacity['ecs-socketio'], measured: false } },
    };
    expect(benchmarkResultsSchema.safeParse(bad).success).toBe(false);
  });

  it('rejects an unknown option id', () => {
    const bad = { ...RESULTS, capacity: { 'ecs-kafka': RESULTS.capacity['ecs-socketio'] } };
    expect(benchmarkResultsSchema.safeParse(bad).success).toBe(false);
  });

  it('rejects a non-positive connection count', () => {
    const bad = {
      ...RESULTS,
      capacity: {
        'ecs-socketio': { ...RESULTS.capacity['ecs-socketio'], connectionsPerTask: 0 },
      },
    };
    expect(benchmarkResultsSchema.safeParse(bad).success).toBe(false);
  });
});

describe('resolveCapacity', () => {
  it('takes measured figures where the file has them and defaults elsewhere', () => {
    const capacity = resolveCapacity(benchmarkResultsSchema.parse(RESULTS));
    expect(capacity['ecs-socketio']).toMatchObject({ connectionsPerTask: 19_600, measured: true });
    expect(capacity['ecs-socketio'].basis).toBe(
      'measured by the benchmark run of 2026-12-01T10:00:00Z (full profile: 19600 of 20000 connections held by one process)',
    );
    expect(capacity['ecs-ws']).toEqual(DEFAULT_CAPACITY['ecs-ws']);
  });

  it('returns only documented defaults without a file', () => {
    for (const figures of Object.values(resolveCapacity())) expect(figures.measured).toBe(false);
  });
});
