import { readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createClient } from 'redis';
import { sampleProcess } from '../../benchmarks/load/process-stats.js';
import type { EcsLocalStack } from '../../ecs-socketio/local/stack.js';

// Issue 24, report rows: what a storm does to the machine, the survivors and Redis, sampled while
// it runs. The containers' own Prometheus listeners give the event-loop lag (prom-client's
// `nodejs_eventloop_lag_max_seconds`, reset at every scrape, so each sample is that interval's
// worst) and the connects they accepted or refused; /proc gives CPU; Redis's INFO gives commands.

/** One interval's figures for one container. */
interface ContainerInterval {
  /** CPU used in the interval, in cores (1.0 = one core busy the whole interval). */
  cores: number;
  lagMaxMs: number;
  acceptedPerSecond: number;
  refusedPerSecond: number;
}

interface Interval {
  atMs: number;
  seconds: number;
  /** The machine's 1-minute load average: runnable processes, this run's and everyone else's. */
  load: number;
  containers: Map<string, ContainerInterval>;
  /** The whole machine's busy share of all cores, 0 to 1. */
  machineBusy: number;
  /** This process (publisher, ledger; clients and stand-in when they run here), in cores. */
  harnessCores: number;
  /** Each helper process (client processes, stand-in nodes) by name. */
  helpers: Map<string, HelperInterval>;
  redisOpsPerSecond: number | undefined;
}

/** A client process or a load balancer node in one interval. */
interface HelperInterval {
  cores: number;
  rssBytes: number;
  /** Open file descriptors (/proc/<pid>/fd): the hard limit here is 20,000 per process. */
  files: number;
}

/** The processes beside the containers that carry the fleet, sampled too (where a run stops). */
export interface StormHelper {
  /** e.g. `clients-1`, `lb-node-2` */
  name: string;
  pid: number;
}

export interface StormFigures {
  /** Per helper process: peak cores, RSS and open files. */
  helpers: Map<string, { peakCores: number; peakRssBytes: number; peakFiles: number }>;
  /** Per container: peak CPU in cores, peak event-loop lag, peak accepted connects per second. */
  containers: Map<
    string,
    {
      cpuSeconds: number;
      peakCores: number;
      peakLagMs: number;
      peakAcceptedPerSecond: number;
      refused: number;
    }
  >;
  seconds: number;
  loadPeak: number;
  machineBusyPeak: number;
  machineBusyMean: number;
  harnessCoresPeak: number;
  harnessCoresMean: number;
  redisOpsPeak: number | undefined;
  redisOpsMean: number | undefined;
}

const metric = (text: string, name: string, label = ''): number => {
  // The exposition format's sample lines: `name{labels} value`. Summed over every series matching
  // the label (prom-client writes one line per label set); no parser library is among the deps,
  // and three sample lines need none.
  let sum = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(`${name}{`) && line.includes(label))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
};

const busyTimes = () =>
  cpus().reduce(
    (sum, cpu) => {
      const { user, nice, sys, irq, idle } = cpu.times;
      return { busy: sum.busy + user + nice + sys + irq, total: sum.total + user + nice + sys + irq + idle };
    },
    { busy: 0, total: 0 },
  );

/**
 * Samples every running container, the machine, this process and Redis each `intervalMs` until
 * `stop()`. `figures(fromMs, toMs, ids)` reads the peaks of a window for the containers named.
 */
export async function startStormSampler(
  stack: EcsLocalStack,
  helpers: () => StormHelper[] = () => [],
  intervalMs = 500,
) {
  const redis = stack.redisUrl ? createClient({ url: stack.redisUrl }) : undefined;
  await redis?.connect();
  const intervals: Interval[] = [];
  const last = new Map<string, { cpuSeconds: number; accepted: number; refused: number }>();
  let lastAtMs = Date.now();
  let lastBusy = busyTimes();
  let lastHarness = process.cpuUsage();
  const lastHelper = new Map<number, number>();
  let lastCommands: number | undefined;
  let stopped = false;

  const sample = async () => {
    const atMs = Date.now();
    const seconds = Math.max(0.001, (atMs - lastAtMs) / 1000);
    const containers = new Map<string, ContainerInterval>();
    await Promise.all(
      stack
        .containers()
        .filter((c) => c.running && c.pid !== undefined)
        .map(async (c) => {
          const text = await fetch(`${c.metricsUrl}/metrics`, { signal: AbortSignal.timeout(intervalMs * 4) })
            .then((r) => r.text())
            .catch(() => undefined);
          const cpuSeconds = sampleProcess(c.pid as number)?.cpuSeconds;
          if (text === undefined || cpuSeconds === undefined) return;
          const now = {
            cpuSeconds,
            accepted: metric(text, 'syncbell_connects_total', 'outcome="accepted"'),
            refused: metric(text, 'syncbell_connects_total', 'outcome="rate_limited"'),
          };
          // By process, not id: a restarted container is a new process with its own CPU count.
          const before = last.get(`${c.id}:${c.pid}`);
          last.set(`${c.id}:${c.pid}`, now);
          if (!before) return;
          containers.set(c.id, {
            cores: (now.cpuSeconds - before.cpuSeconds) / seconds,
            lagMaxMs: metric(text, 'nodejs_eventloop_lag_max_seconds') * 1000,
            acceptedPerSecond: (now.accepted - before.accepted) / seconds,
            refusedPerSecond: (now.refused - before.refused) / seconds,
          });
        }),
    );
    const helperIntervals = new Map<string, HelperInterval>();
    for (const { name, pid } of helpers()) {
      const reading = sampleProcess(pid);
      if (!reading) continue;
      const before = lastHelper.get(pid);
      lastHelper.set(pid, reading.cpuSeconds);
      let files = 0;
      try {
        files = readdirSync(`/proc/${pid}/fd`).length;
      } catch {
        // Gone between the two reads.
      }
      if (before !== undefined)
        helperIntervals.set(name, {
          cores: (reading.cpuSeconds - before) / seconds,
          rssBytes: reading.rssBytes,
          files,
        });
    }
    const busy = busyTimes();
    const harness = process.cpuUsage();
    const info = await redis?.info('stats').catch(() => undefined);
    const commands =
      info === undefined ? undefined : Number(/total_commands_processed:(\d+)/.exec(info)?.[1]);
    intervals.push({
      atMs,
      seconds,
      load: loadavg()[0] ?? 0,
      containers,
      machineBusy: (busy.busy - lastBusy.busy) / Math.max(1, busy.total - lastBusy.total),
      helpers: helperIntervals,
      harnessCores: (harness.user + harness.system - lastHarness.user - lastHarness.system) / 1e6 / seconds,
      redisOpsPerSecond:
        commands === undefined || lastCommands === undefined
          ? undefined
          : (commands - lastCommands) / seconds,
    });
    lastAtMs = atMs;
    lastBusy = busy;
    lastHarness = harness;
    lastCommands = commands;
  };

  const loop = (async () => {
    await sample();
    while (!stopped) {
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      await sample();
    }
  })();

  return {
    figures(fromMs: number, toMs: number, ids?: readonly string[]): StormFigures {
      const window = intervals.filter((i) => i.atMs > fromMs && i.atMs <= toMs + intervalMs);
      const containers: StormFigures['containers'] = new Map();
      for (const interval of window)
        for (const [id, c] of interval.containers) {
          if (ids && !ids.includes(id)) continue;
          const peak = containers.get(id) ?? {
            cpuSeconds: 0,
            peakCores: 0,
            peakLagMs: 0,
            peakAcceptedPerSecond: 0,
            refused: 0,
          };
          peak.cpuSeconds += c.cores * interval.seconds;
          peak.peakCores = Math.max(peak.peakCores, c.cores);
          peak.peakLagMs = Math.max(peak.peakLagMs, c.lagMaxMs);
          peak.peakAcceptedPerSecond = Math.max(peak.peakAcceptedPerSecond, c.acceptedPerSecond);
          peak.refused += c.refusedPerSecond * interval.seconds;
          containers.set(id, peak);
        }
      const helperPeaks: StormFigures['helpers'] = new Map();
      for (const interval of window)
        for (const [name, h] of interval.helpers) {
          const peak = helperPeaks.get(name) ?? { peakCores: 0, peakRssBytes: 0, peakFiles: 0 };
          peak.peakCores = Math.max(peak.peakCores, h.cores);
          peak.peakRssBytes = Math.max(peak.peakRssBytes, h.rssBytes);
          peak.peakFiles = Math.max(peak.peakFiles, h.files);
          helperPeaks.set(name, peak);
        }
      const mean = (values: number[]) =>
        values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
      const ops = window.map((i) => i.redisOpsPerSecond).filter((v): v is number => v !== undefined);
      return {
        containers,
        helpers: helperPeaks,
        seconds: window.reduce((sum, i) => sum + i.seconds, 0),
        loadPeak: Math.max(0, ...window.map((i) => i.load)),
        machineBusyPeak: Math.max(0, ...window.map((i) => i.machineBusy)),
        machineBusyMean: mean(window.map((i) => i.machineBusy)),
        harnessCoresPeak: Math.max(0, ...window.map((i) => i.harnessCores)),
        harnessCoresMean: mean(window.map((i) => i.harnessCores)),
        redisOpsPeak: ops.length === 0 ? undefined : Math.max(...ops),
        redisOpsMean: ops.length === 0 ? undefined : mean(ops),
      };
    },
    /** Ends the sampling and closes the Redis connection; again, a no-op. */
    async stop() {
      if (stopped) return loop;
      stopped = true;
      await loop;
      await redis?.quit().catch(() => undefined);
    },
  };
}

export type StormSampler = Awaited<ReturnType<typeof startStormSampler>>;

/** The figures as report lines. */
export function describeStormFigures(f: StormFigures, label: string): string[] {
  const containers = [...f.containers.entries()]
    .map(
      ([id, c]) =>
        `${id} CPU ${c.cpuSeconds.toFixed(1)} s in ${f.seconds.toFixed(1)} s (peak ${c.peakCores.toFixed(2)} cores), event-loop lag peak ${Math.round(c.peakLagMs)} ms, accepted connects peak ${Math.round(c.peakAcceptedPerSecond)}/s, refused (paced) ${Math.round(c.refused)}`,
    )
    .join('; ');
  const ops =
    f.redisOpsPeak === undefined
      ? 'not sampled'
      : `peak ${Math.round(f.redisOpsPeak)}/s, mean ${Math.round(f.redisOpsMean ?? 0)}/s`;
  const helpers = [...f.helpers.entries()]
    .map(
      ([name, h]) =>
        `${name} peak ${h.peakCores.toFixed(2)} cores, RSS ${Math.round(h.peakRssBytes / 2 ** 20)} MiB, ${h.peakFiles} open files`,
    )
    .join('; ');
  return [
    `${label}, containers (sampled every 0.5 s from their /metrics and /proc): ${containers || 'none sampled'}`,
    `${label}, machine (${cpus().length} cores, shared with other runs: 1-min load average up to ${f.loadPeak.toFixed(1)}): busy peak ${Math.round(f.machineBusyPeak * 100)} %, mean ${Math.round(f.machineBusyMean * 100)} %; the harness process (publisher, ledger, the client processes' events replayed) peak ${f.harnessCoresPeak.toFixed(2)} cores, mean ${f.harnessCoresMean.toFixed(2)}`,
    ...(helpers
      ? [
          `${label}, client processes and load balancer nodes (open files: the limit is 20,000 per process): ${helpers}`,
        ]
      : []),
    `${label}, Redis operations (INFO total_commands_processed deltas, private redis-server): ${ops}`,
  ];
}
