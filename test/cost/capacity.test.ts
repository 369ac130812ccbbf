import { describe, expect, it } from 'vitest';
import {
  benchmarkResultsSchema,
  cpuPer1000At,
  DEFAULT_CAPACITY,
  resolveCapacity,
} from '../../cost/capacity.js';
import { computeCosts } from '../../cost/model.js';

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

describe('CPU per delivery that grows with the fleet (the scale scenario, issue 16)', () => {
  // A CPU-bound workload: 3,000 notifications/s to 2,000 connections; CPU decides the task count.
  const workload = {
    avgConnections: 2000,
    peakConnections: 2000,
    connectsPerDay: 10_000,
    notificationsPerDay: 3000 * 86_400,
    messageBytes: 512,
    connectionsPerUser: 1,
    keepaliveSeconds: 300,
  };
  const flat = {
    ...RESULTS.capacity['ecs-socketio'],
    cpuSecondsPer1000Notifications: 0.5,
    measured: true as const,
  };
  const classicLine = {
    adapter: 'classic' as const,
    per1000AtZeroTasks: 0.4,
    per1000PerTask: 0.05,
    measuredTasks: [2, 4, 8],
    basis: 'test line',
  };
  const tasksOf = (capacity: typeof flat & { cpuScale?: typeof classicLine }) => {
    const report = computeCosts(workload, {
      capacity: { ...RESULTS, capacity: { 'ecs-socketio': capacity } },
    });
    const servers = report.options
      .find((o) => o.id === 'ecs-socketio')
      ?.lines.find((l) => l.item.startsWith('Fargate vCPU: servers'));
    return Number(/\((\d+) tasks/.exec(servers?.item ?? '')?.[1]);
  };

  it('is carried from the results file to the model', () => {
    const resolved = resolveCapacity(
      benchmarkResultsSchema.parse({
        ...RESULTS,
        capacity: { 'ecs-socketio': { ...flat, cpuScale: classicLine } },
      }),
    );
    expect(resolved['ecs-socketio'].cpuScale).toEqual(classicLine);
  });

  it('prices more tasks than the flat figure once the fleet outgrows the measured 2 containers', () => {
    // Flat: 0.5 s per 1,000 at any size (5 tasks). The line: 0.5 at 2 tasks, 0.9 at 10.
    expect(
      cpuPer1000At(
        { ...DEFAULT_CAPACITY['ecs-socketio'], ...flat, measured: true, basis: '', cpuScale: classicLine },
        10,
      ),
    ).toBeCloseTo(0.9);
    expect(tasksOf({ ...flat, cpuScale: classicLine })).toBeGreaterThan(tasksOf(flat));
  });

  const costOf = (input: typeof workload, capacity: typeof flat & { cpuScale?: typeof classicLine }) =>
    computeCosts(input, { capacity: { ...RESULTS, capacity: { 'ecs-socketio': capacity } } }).options.find(
      (o) => o.id === 'ecs-socketio',
    );

  it("prices keep-alives at the flat figure: a ping is its own task's work and never crosses Redis", () => {
    // No notifications, only keep-alives (2,000,000 connections pinging every 10 s): the line must not apply.
    const pings = {
      ...workload,
      avgConnections: 2_000_000,
      peakConnections: 2_000_000,
      notificationsPerDay: 0,
      keepaliveSeconds: 10,
    };
    const item = (c: ReturnType<typeof costOf>) =>
      c?.lines.find((l) => l.item.startsWith('Fargate vCPU: servers'))?.item;
    expect(item(costOf(pings, { ...flat, cpuScale: classicLine }))).toBe(item(costOf(pings, flat)));
  });

  it('says when no fleet of the classic adapter has the CPU, and prices it as if per-user channels were set', () => {
    // A steep line: 3,000 notifications/s x 2 CPU-s per 1,000 per task = 6 vCPU added by each task,
    // more than a task brings.
    const steep = { ...classicLine, per1000PerTask: 2 };
    const cost = costOf(workload, { ...flat, cpuScale: steep });
    expect(Number.isFinite(cost?.monthlyUsd)).toBe(true);
    expect(cost?.assumptions.join(' ') ?? '').toMatch(
      /no fleet of the classic adapter has the CPU.*set redisAdapter to 'sharded' \(priced as if set/,
    );
    // Held at the line's figure at 8 containers (0.4 + 2 x 8 = 16.4 s per 1,000): 3,000/s x 16.4 ms
    // = 49.2 vCPU, i.e. more than 98 tasks of 0.5 vCPU, and a finite fleet.
    const tasks = Number(
      /\((\d+) tasks/.exec(
        cost?.lines.find((l) => l.item.startsWith('Fargate vCPU: servers'))?.item ?? '',
      )?.[1],
    );
    expect(tasks).toBeGreaterThan(98);
    expect(tasks).toBeLessThan(400);
  });

  it('says which figure it used, at which task count, and the line it came from', () => {
    const report = computeCosts(workload, {
      capacity: { ...RESULTS, capacity: { 'ecs-socketio': { ...flat, cpuScale: classicLine } } },
    });
    const cpu = report.options
      .find((o) => o.id === 'ecs-socketio')
      ?.assumptions.find((a) => a.startsWith('CPU:'));
    expect(cpu).toMatch(
      /at \d+ tasks \(measured line, classic adapter: 0\.400 \+ 0\.0500 per task, measured at 2\/4\/8 containers/,
    );
  });
});
