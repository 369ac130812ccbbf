/** What every benchmark scenario shares: its context, the caps a contender puts on a profile, start and fleet options, paced publishing. */
import type { Contender, ContenderStartOptions, RunningContender } from '../contenders/contender.js';
import { type FleetOptions, loopbackAddresses, type startFleet } from '../load/fleet.js';
import type { HeapProbe } from '../load/process-stats.js';
import { pollUntil } from '../../dev-tools/index.js';
import { benchNotification } from '../payload.js';
import type { Profile } from '../profiles.js';

export interface ScenarioContext {
  profile: Profile;
  redisUrl: string;
  probe: HeapProbe;
  /** Server processes are being CPU-profiled: stop them gracefully so the profiles are written. */
  gracefulStop?: boolean;
  /** Progress for the bars: (done, total, label). */
  progress: (label: string, done: number, total: number) => void;
  log: (line: string) => void;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 50 ms (the scenarios' step) until it holds or `timeoutMs` passes. */
export const waitUntil = (condition: () => Promise<boolean> | boolean, timeoutMs: number, stepMs = 50) =>
  pollUntil(condition, timeoutMs, stepMs);

/** The context one contender runs in: the profile's heartbeat raised to the contender's floor. */
export function contenderContext(ctx: ScenarioContext, contender: Contender): ScenarioContext {
  return withScaleLimits(withHeartbeatFloor(ctx, contender), contender);
}

function withHeartbeatFloor(ctx: ScenarioContext, contender: Contender): ScenarioContext {
  const floorMs = contender.minHeartbeatIntervalMs ?? 0;
  const { heartbeat, dropMs } = ctx.profile;
  if (heartbeat.intervalMs >= floorMs && heartbeat.timeoutMs >= floorMs) return ctx;
  const raised = {
    intervalMs: Math.max(floorMs, heartbeat.intervalMs),
    timeoutMs: Math.max(floorMs, heartbeat.timeoutMs),
  };
  // The drop must still outlast interval + timeout so both sides can notice while the path is dead.
  const cycleMs = raised.intervalMs + raised.timeoutMs;
  return {
    ...ctx,
    profile: { ...ctx.profile, heartbeat: raised, dropMs: Math.max(dropMs, cycleMs + cycleMs / 4) },
  };
}

/** The profile's counts and rates, capped by the contender's `scaleLimits` (counts deduplicated). */
function withScaleLimits(ctx: ScenarioContext, contender: Contender): ScenarioContext {
  const limits = contender.scaleLimits;
  if (!limits) return ctx;
  const p = ctx.profile;
  const cap = (n: number) => Math.min(n, limits.connections);
  return {
    ...ctx,
    profile: {
      ...p,
      unicastConnections: [...new Set(p.unicastConnections.map(cap))],
      unicastRatePerSecond: Math.min(p.unicastRatePerSecond, limits.ratePerSecond),
      fanoutConnections: cap(p.fanoutConnections),
      capacityConnections: cap(p.capacityConnections),
      rampPerSecond: Math.min(p.rampPerSecond, limits.rampPerSecond),
    },
  };
}

/** What the caps changed, for the report; undefined when the profile ran as asked. */
export function scaleNote(profile: Profile, contender: Contender): string | undefined {
  const limits = contender.scaleLimits;
  if (!limits) return undefined;
  const over =
    Math.max(...profile.unicastConnections, profile.fanoutConnections, profile.capacityConnections) >
      limits.connections ||
    profile.unicastRatePerSecond > limits.ratePerSecond ||
    profile.rampPerSecond > limits.rampPerSecond;
  if (!over) return undefined;
  return `run at most ${limits.connections} connections, ${limits.ratePerSecond} notifications/s, ramp ${limits.rampPerSecond}/s: ${limits.reason}`;
}

export function startOptions(
  ctx: ScenarioContext,
  extra: Partial<ContenderStartOptions> = {},
): ContenderStartOptions {
  return {
    redisUrl: ctx.redisUrl,
    heartbeat: ctx.profile.heartbeat,
    env: ctx.probe.env,
    log: ctx.log,
    ...(ctx.gracefulStop ? { gracefulStop: true } : {}),
    ...extra,
  };
}

export function fleetOptions(
  ctx: ScenarioContext,
  running: RunningContender,
  userIds: string[],
  overrides: Partial<FleetOptions> = {},
): FleetOptions {
  return {
    kind: running.clientKind,
    urls: running.urls,
    userIds,
    localAddresses: loopbackAddresses(ctx.profile.sourceAddresses),
    rampPerSecond: ctx.profile.rampPerSecond,
    resume: true,
    heartbeatIntervalMs: ctx.profile.heartbeat.intervalMs,
    heartbeatTimeoutMs: ctx.profile.heartbeat.timeoutMs,
    reconnect: false,
    reconnectMinMs: 100,
    reconnectMaxMs: 1000,
    keepAlive: true,
    ...overrides,
  };
}

/** Publishes `count` notifications at `ratePerSecond` to users picked by `pick`, paced on the clock. */
export async function publishPaced(
  running: RunningContender,
  count: number,
  ratePerSecond: number,
  pick: (i: number) => string,
  firstSequence: number,
): Promise<string[]> {
  const ids: string[] = [];
  const startMs = performance.now();
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const waitMs = startMs + (i * 1000) / ratePerSecond - performance.now();
    if (waitMs > 1) await sleep(waitMs);
    const notification = benchNotification(pick(i), firstSequence + i);
    ids.push(notification.id);
    inFlight.push(running.publish(notification));
  }
  await Promise.all(inFlight);
  return ids;
}

export type Fleet = Awaited<ReturnType<typeof startFleet>>;

/**
 * One measured batch of a delivery scenario: publishes `count` at `ratePerSecond`, then collects
 * until the fleet has them all (5 s at most). The caller resets the fleet and reads its meters
 * around it.
 */
export async function publishAndCollect(
  running: RunningContender,
  fleet: Fleet,
  count: number,
  ratePerSecond: number,
  pick: (i: number) => string,
  firstSequence: number,
): Promise<Awaited<ReturnType<Fleet['collect']>>> {
  await publishPaced(running, count, ratePerSecond, pick, firstSequence);
  let collected = await fleet.collect();
  await waitUntil(
    async () => {
      collected = await fleet.collect();
      return collected.received >= count;
    },
    5000,
    100,
  );
  return collected;
}

/** Start options with heartbeats off, for wire bytes and the idle-timeout test. */
export function quietOptions(ctx: ScenarioContext): Partial<ContenderStartOptions> {
  return { heartbeat: QUIET_HEARTBEAT, idleTimeoutMs: ctx.profile.idleTimeoutMs };
}
export const QUIET_HEARTBEAT = { intervalMs: 600_000, timeoutMs: 600_000 };
