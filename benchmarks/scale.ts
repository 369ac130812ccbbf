import { Redis } from 'ioredis';
import type { CpuScale } from '../cost/capacity.js';
import type { SocketIoAdapterKind } from '../ecs-socketio/src/socketio-publisher.js';
import type { Contender, ContenderStartOptions } from './contenders/contender.js';
import { spreadOf, summarize, type Spread } from './histogram.js';
import { startFleet } from './load/fleet.js';
import { sumSamples } from './load/process-stats.js';
import { seededRandom, userIdOf } from './payload.js';
import type { Profile } from './profiles.js';
import {
  fleetOptions,
  publishAndCollect,
  publishPaced,
  type ScenarioContext,
  startOptions,
} from './scenarios.js';

/**
 * Issue 16, section 2: the same connections and rate spread over 2, 4 and 8 containers, classic
 * adapter against per-user channels (the sharded adapter, `subscriptionMode: 'dynamic'`). With the
 * classic adapter every container receives and decodes every notification; with per-user channels
 * only the containers holding the user do, so the CPU a delivery costs should not grow with the
 * container count. Server CPU is the containers' (/proc utime + stime) plus Redis's (INFO cpu):
 * Redis does the fan-out, and its share is what moves between the two adapters.
 */
/** What every scale point counts, on one Redis node or a cluster (scale-cluster.ts). */
export interface ScalePointCounts {
  containers: number;
  connections: number;
  connected: number;
  ratePerSecond: number;
  published: number;
  delivered: number;
}

/** A point's counts: what it asked for (the profile's connections and rate) and what happened. */
export function scalePointCounts(
  containers: number,
  profile: Pick<Profile, 'scaleConnections' | 'scaleRatePerSecond'>,
  measured: Pick<ScalePointCounts, 'connected' | 'published' | 'delivered'>,
): ScalePointCounts {
  return {
    containers,
    connections: profile.scaleConnections,
    connected: measured.connected,
    ratePerSecond: profile.scaleRatePerSecond,
    published: measured.published,
    delivered: measured.delivered,
  };
}

export interface ScalePoint extends ScalePointCounts {
  adapter: SocketIoAdapterKind;
  /** Median over the measured runs of each run's percentile. */
  p50Ms: number;
  p99Ms: number;
  /** (containers' CPU + Redis's CPU) seconds per 1,000 delivered notifications, one value per run. */
  cpuSecondsPer1000: Spread;
  /** The containers' share (median over runs). */
  containerCpuSecondsPer1000: number;
  /** Redis's share (median over runs). */
  redisCpuSecondsPer1000: number;
  /**
   * Containers' + Redis's CPU seconds per second with the connections open and nothing published
   * (one window as long as a measured run, before them): what the fleet costs to stand, which a
   * low rate spreads over few deliveries. Absent in results written before 2026-12-01.
   */
  idleCpuSecondsPerSecond?: number;
  /** `cpuSecondsPer1000` less the idle cost of the run's duration (median over runs). */
  cpuAboveIdleSecondsPer1000?: number;
}

/**
 * Redis's CPU seconds from INFO cpu (https://redis.io/docs/latest/commands/info/): the process's
 * user + system (`used_cpu_user`, `used_cpu_sys`: every thread, not forked children), summed over
 * `nodes`, and the main thread's (`used_cpu_*_main_thread`, Redis 7+; undefined where a node does
 * not report it): the thread that runs commands, which ElastiCache's EngineCPUUtilization measures.
 */
export interface RedisCpu {
  seconds: number;
  mainThreadSeconds: number | undefined;
}

export async function redisCpu(nodes: readonly Redis[]): Promise<RedisCpu> {
  let seconds = 0;
  let mainThreadSeconds: number | undefined = 0;
  for (const node of nodes) {
    const info = (await node.info('cpu')) as string;
    const field = (name: string) => {
      const match = new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1];
      return match === undefined ? undefined : Number(match);
    };
    seconds += (field('used_cpu_user') ?? 0) + (field('used_cpu_sys') ?? 0);
    const main = field('used_cpu_user_main_thread');
    const mainSys = field('used_cpu_sys_main_thread');
    mainThreadSeconds =
      mainThreadSeconds === undefined || main === undefined || mainSys === undefined
        ? undefined
        : mainThreadSeconds + main + mainSys;
  }
  return { seconds, mainThreadSeconds };
}

/** One measured run of a scale point; CPU figures in seconds per 1,000 delivered notifications. */
export interface ScaleRun {
  p50Ms: number;
  p99Ms: number;
  total: number;
  aboveIdle: number;
  containers: number;
  redis: number;
  /** Redis's main threads (undefined where INFO cpu lacks them). */
  redisMainThread: number | undefined;
  deliveredPerSecond: number;
}

/** What `measureScalePoint` measured: the fleet, the idle window and each run. */
export interface MeasuredScalePoint {
  connected: number;
  published: number;
  delivered: number;
  /** Containers' + Redis's CPU seconds per second with nothing published. */
  idlePerSecond: number;
  /** Redis's share of it (every node in `redisNodes`). */
  redisIdlePerSecond: RedisCpu;
  runs: ScaleRun[];
}

export interface ScalePointOptions {
  label: string;
  /** User ids of the point (`userIdOf(i, tag)`): its own users, so no point hears another's. */
  tag: string;
  containers: number;
  /** Start options for the contender (the Redis, the adapter's environment). */
  start: Partial<ContenderStartOptions>;
  /** The Redis nodes whose INFO cpu is read (every primary of a cluster). */
  redisNodes: readonly Redis[];
  /** The notification sequence so far, shared by the points of one scenario; advanced in place. */
  sequence: { next: number };
}

/**
 * Starts the contender at `containers`, opens the profile's connections, warms up, measures one
 * idle window and `profile.runs` publishing runs at the profile's rate, and stops it again. The
 * one measurement both the scale and the scale-cluster scenarios make.
 */
export async function measureScalePoint(
  ctx: ScenarioContext,
  contender: Contender,
  options: ScalePointOptions,
): Promise<MeasuredScalePoint> {
  const { profile } = ctx;
  const { label, containers, sequence } = options;
  ctx.progress(label, 0, 1);
  const running = await contender.start(
    startOptions(ctx, { containers, extraBalancers: profile.extraBalancers, ...options.start }),
  );
  try {
    const userIds = Array.from({ length: profile.scaleConnections }, (_, i) => userIdOf(i, options.tag));
    const fleet = await startFleet({
      ...fleetOptions(ctx, running, userIds),
      onProgress: (n) => ctx.progress(`${label} ramp`, n, userIds.length),
    });
    try {
      const random = seededRandom(containers);
      const pick = () => userIdOf(Math.floor(random() * fleet.connected), options.tag);
      const rate = profile.scaleRatePerSecond;
      const perRun = Math.max(1, Math.round(rate * profile.scaleSeconds));
      await publishPaced(running, profile.warmupNotifications, rate, pick, sequence.next);
      sequence.next += profile.warmupNotifications;
      await new Promise((resolve) => setTimeout(resolve, profile.warmupSettleMs));
      // Idle: the same window with nothing published.
      const idleStartMs = performance.now();
      const idleContainers = sumSamples(running.serverPids()).cpuSeconds;
      const idleRedis = await redisCpu(options.redisNodes);
      await new Promise((resolve) => setTimeout(resolve, profile.scaleSeconds * 1000));
      const idleContainerCpu = sumSamples(running.serverPids()).cpuSeconds - idleContainers;
      const idleRedisAfter = await redisCpu(options.redisNodes);
      const idleSeconds = (performance.now() - idleStartMs) / 1000;
      const idlePerSecond = (idleContainerCpu + idleRedisAfter.seconds - idleRedis.seconds) / idleSeconds;
      const redisIdlePerSecond = (pick: (cpu: RedisCpu) => number | undefined) => {
        const [before, after] = [pick(idleRedis), pick(idleRedisAfter)];
        return before === undefined || after === undefined ? undefined : (after - before) / idleSeconds;
      };
      const runs: ScaleRun[] = [];
      let published = 0;
      let delivered = 0;
      for (let run = 0; run < profile.runs; run++) {
        ctx.progress(label, run, profile.runs);
        fleet.reset();
        const runStartMs = performance.now();
        const containersBefore = sumSamples(running.serverPids()).cpuSeconds;
        const redisBefore = await redisCpu(options.redisNodes);
        const collected = await publishAndCollect(running, fleet, perRun, rate, pick, sequence.next);
        const runSeconds = (performance.now() - runStartMs) / 1000;
        sequence.next += perRun;
        published += perRun;
        const containerCpu = sumSamples(running.serverPids()).cpuSeconds - containersBefore;
        const redisAfter = await redisCpu(options.redisNodes);
        const redisCpuSeconds = redisAfter.seconds - redisBefore.seconds;
        const idleShare = idlePerSecond * runSeconds;
        const per1000 = (seconds: number) =>
          collected.received > 0 ? (seconds / collected.received) * 1000 : 0;
        const latency = summarize(collected.histogram);
        collected.histogram.destroy();
        delivered += collected.received;
        runs.push({
          p50Ms: latency.p50Ms,
          p99Ms: latency.p99Ms,
          total: per1000(containerCpu + redisCpuSeconds),
          aboveIdle: per1000(Math.max(0, containerCpu + redisCpuSeconds - idleShare)),
          containers: per1000(containerCpu),
          redis: per1000(redisCpuSeconds),
          redisMainThread:
            redisAfter.mainThreadSeconds === undefined || redisBefore.mainThreadSeconds === undefined
              ? undefined
              : per1000(redisAfter.mainThreadSeconds - redisBefore.mainThreadSeconds),
          deliveredPerSecond: collected.received / runSeconds,
        });
      }
      return {
        connected: fleet.connected,
        published,
        delivered,
        idlePerSecond,
        redisIdlePerSecond: {
          seconds: redisIdlePerSecond((cpu) => cpu.seconds) ?? 0,
          mainThreadSeconds: redisIdlePerSecond((cpu) => cpu.mainThreadSeconds),
        },
        runs,
      };
    } finally {
      await fleet.closeAll().catch(() => undefined);
      await fleet.stop();
    }
  } finally {
    await running.stop().catch(() => undefined);
  }
}

/** The median over runs of one figure, rounded to a millionth (the results' precision). */
export const medianOf = <T>(runs: readonly T[], pick: (run: T) => number): number =>
  roundMicro(spreadOf(runs.map(pick)).median);
export const roundMicro = (v: number) => Math.round(v * 1e6) / 1e6;

/** Runs the scale scenario for a contender that can run on either adapter (`Contender.scaleAdapters`). */
export async function scaleScenario(ctx: ScenarioContext, contender: Contender): Promise<ScalePoint[]> {
  const { profile } = ctx;
  const adapters = contender.scaleAdapters ?? [];
  if (adapters.length === 0) throw new Error(`${contender.id} does not run on a choice of adapters`);
  const redis = new Redis(ctx.redisUrl, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined);
  const points: ScalePoint[] = [];
  const sequence = { next: 0 };
  try {
    for (const containers of profile.scaleContainers) {
      // Side by side at each container count, so the two adapters see the same machine state.
      for (const adapter of adapters) {
        const measured = await measureScalePoint(ctx, contender, {
          label: `${contender.id} scale ${adapter} x${containers}`,
          tag: `scale-${adapter}-${containers}`,
          containers,
          start: { env: { ...ctx.probe.env, REDIS_ADAPTER: adapter } },
          redisNodes: [redis],
          sequence,
        });
        const { runs } = measured;
        points.push({
          adapter,
          ...scalePointCounts(containers, profile, measured),
          p50Ms: spreadOf(runs.map((r) => r.p50Ms)).median,
          p99Ms: spreadOf(runs.map((r) => r.p99Ms)).median,
          cpuSecondsPer1000: spreadOf(runs.map((r) => roundMicro(r.total))),
          containerCpuSecondsPer1000: medianOf(runs, (r) => r.containers),
          redisCpuSecondsPer1000: medianOf(runs, (r) => r.redis),
          idleCpuSecondsPerSecond: roundMicro(measured.idlePerSecond),
          cpuAboveIdleSecondsPer1000: medianOf(runs, (r) => r.aboveIdle),
        });
      }
    }
  } finally {
    redis.disconnect();
  }
  return points;
}

/** A least-squares line through (containers, CPU per 1,000) of one adapter's points. */
export interface ScaleFit {
  adapter: SocketIoAdapterKind;
  /** CPU seconds per 1,000 deliveries added by each further container. */
  slopePerContainer: number;
  intercept: number;
  /** The line at `containers`: a projection beyond the measured range, not a measurement. */
  at(containers: number): number;
}

/**
 * One fit per adapter with at least two container counts measured, of `value` (by default the
 * containers' + Redis's CPU per 1,000 deliveries).
 */
export function fitScale(
  points: readonly ScalePoint[],
  value: (p: ScalePoint) => number = (p) => p.cpuSecondsPer1000.median,
): ScaleFit[] {
  const adapters = [...new Set(points.map((p) => p.adapter))];
  return adapters.flatMap((adapter) => {
    const own = points.filter((p) => p.adapter === adapter);
    if (new Set(own.map((p) => p.containers)).size < 2) return [];
    const xs = own.map((p) => p.containers);
    const ys = own.map(value);
    const meanX = xs.reduce((a, b) => a + b, 0) / xs.length;
    const meanY = ys.reduce((a, b) => a + b, 0) / ys.length;
    const sxx = xs.reduce((a, x) => a + (x - meanX) ** 2, 0);
    const sxy = xs.reduce((a, x, i) => a + (x - meanX) * ((ys[i] as number) - meanY), 0);
    const slopePerContainer = sxy / sxx;
    const intercept = meanY - slopePerContainer * meanX;
    return [{ adapter, slopePerContainer, intercept, at: (n: number) => intercept + slopePerContainer * n }];
  });
}

/**
 * The cost model's ECS CPU term (`cost/capacity.ts` `cpuScale`): the containers' share only (the
 * model prices Redis by node, not by CPU), on the adapter the stacks deploy by default
 * (`redisAdapter` in infra/lib/config.ts: classic). Undefined without two classic counts.
 */
export function costCpuScale(points: readonly ScalePoint[], profile: string): CpuScale | undefined {
  const adapter = 'classic';
  const fit = fitScale(points, (p) => p.containerCpuSecondsPer1000).find((f) => f.adapter === adapter);
  if (!fit) return undefined;
  const own = points.filter((p) => p.adapter === adapter);
  return {
    adapter,
    per1000AtZeroTasks: Math.round(fit.intercept * 1e6) / 1e6,
    per1000PerTask: Math.round(fit.slopePerContainer * 1e6) / 1e6,
    measuredTasks: own.map((p) => p.containers),
    basis: `${profile} profile scale scenario: ${own[0]?.connected ?? 0} connections at ${own[0]?.ratePerSecond ?? 0}/s over ${own.map((p) => p.containers).join('/')} containers, containers' CPU only`,
  };
}

/** One adapter's CPU per 1,000 deliveries at its largest measured container count over its smallest. */
export interface ScaleGrowth {
  adapter: SocketIoAdapterKind;
  from: number;
  to: number;
  fromValue: number;
  toValue: number;
  ratio: number;
}

/** Growth from the smallest to the largest container count, per adapter with two or more counts. */
export function scaleGrowth(points: readonly ScalePoint[]): ScaleGrowth[] {
  const adapters = [...new Set(points.map((p) => p.adapter))];
  return adapters.flatMap((adapter) => {
    const own = points.filter((p) => p.adapter === adapter).sort((a, b) => a.containers - b.containers);
    const first = own[0];
    const last = own.at(-1);
    if (!first || !last || first.containers === last.containers) return [];
    const fromValue = first.cpuSecondsPer1000.median;
    const toValue = last.cpuSecondsPer1000.median;
    if (!(fromValue > 0)) return [];
    return [
      {
        adapter,
        from: first.containers,
        to: last.containers,
        fromValue,
        toValue,
        ratio: toValue / fromValue,
      },
    ];
  });
}

/** How far the report projects the measured slope (issue 16: "project the measured slope to 50 containers"). */
export const SCALE_PROJECTION_CONTAINERS = 50;
