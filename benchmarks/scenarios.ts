import type { Contender, ContenderStartOptions, RunningContender } from './contenders/contender.js';
import {
  cdfPoints,
  createLatencyHistogram,
  type LatencySummary,
  spreadOf,
  type Spread,
  summarize,
} from './histogram.js';
import { type FleetOptions, loopbackAddresses, startFleet } from './load/fleet.js';
import { type HeapProbe, sumSamples } from './load/process-stats.js';
import { SDK_CLIENT_KINDS } from './load/protocol.js';
import { startFaultProxy } from '../chaos/fault-proxy.js';
import { pollUntil } from '../chaos/load.js';
import { benchNotification, seededRandom, userIdOf } from './payload.js';
import type { Profile } from './profiles.js';

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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

type Fleet = Awaited<ReturnType<typeof startFleet>>;

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

// ---------------------------------------------------------------- 1 + 3 (CPU): unicast latency

export interface UnicastLevel {
  connections: number;
  connected: number;
  ratePerSecond: number;
  published: number;
  delivered: number;
  /** Per-run summaries; `median` carries the median of each percentile over the runs. */
  runs: LatencySummary[];
  median: LatencySummary;
  p50Spread: Spread;
  p99Spread: Spread;
  cdf: { latencyMs: number; fraction: number }[];
  cpuSecondsPer1000Notifications: Spread;
}

export async function unicastScenario(
  ctx: ScenarioContext,
  contender: Contender,
  running: RunningContender,
): Promise<UnicastLevel[]> {
  const { profile } = ctx;
  const levels: UnicastLevel[] = [];
  {
    let sequence = 0;
    for (const connections of profile.unicastConnections) {
      const userIds = Array.from({ length: connections }, (_, i) => userIdOf(i, `uni${connections}`));
      const fleet = await startFleet({
        ...fleetOptions(ctx, running, userIds),
        onProgress: (n) => ctx.progress(`${contender.id} unicast ramp`, n, connections),
      });
      try {
        const random = seededRandom(connections);
        const pick = () => userIdOf(Math.floor(random() * fleet.connected), `uni${connections}`);
        const perRun = Math.max(1, Math.round(profile.unicastRatePerSecond * profile.unicastSeconds));
        // Warm-up: JIT, Redis connections, socket buffers. Not measured.
        await publishPaced(
          running,
          profile.warmupNotifications,
          profile.unicastRatePerSecond,
          pick,
          sequence,
        );
        sequence += profile.warmupNotifications;
        await sleep(profile.warmupSettleMs);
        const runs: LatencySummary[] = [];
        const cpu: number[] = [];
        const all = createLatencyHistogram();
        let published = 0;
        let delivered = 0;
        for (let run = 0; run < profile.runs; run++) {
          ctx.progress(`${contender.id} unicast ${connections}`, run, profile.runs);
          fleet.reset();
          const cpuBefore = sumSamples(running.serverPids()).cpuSeconds;
          const collected = await publishAndCollect(
            running,
            fleet,
            perRun,
            profile.unicastRatePerSecond,
            pick,
            sequence,
          );
          sequence += perRun;
          published += perRun;
          const cpuAfter = sumSamples(running.serverPids()).cpuSeconds;
          delivered += collected.received;
          cpu.push(collected.received > 0 ? ((cpuAfter - cpuBefore) / collected.received) * 1000 : 0);
          runs.push(summarize(collected.histogram));
          all.add(collected.histogram);
          collected.histogram.destroy();
        }
        const medianOf = (k: keyof LatencySummary) => spreadOf(runs.map((r) => r[k])).median;
        levels.push({
          connections,
          connected: fleet.connected,
          ratePerSecond: profile.unicastRatePerSecond,
          published,
          delivered,
          runs,
          median: {
            count: runs.reduce((a, r) => a + r.count, 0),
            p50Ms: medianOf('p50Ms'),
            p90Ms: medianOf('p90Ms'),
            p99Ms: medianOf('p99Ms'),
            p999Ms: medianOf('p999Ms'),
            maxMs: medianOf('maxMs'),
            meanMs: medianOf('meanMs'),
          },
          p50Spread: spreadOf(runs.map((r) => r.p50Ms)),
          p99Spread: spreadOf(runs.map((r) => r.p99Ms)),
          cdf: cdfPoints(all),
          cpuSecondsPer1000Notifications: spreadOf(cpu.map((v) => Math.round(v * 1e6) / 1e6)),
        });
        all.destroy();
      } finally {
        await fleet.closeAll().catch(() => undefined);
        await fleet.stop();
      }
    }
  }
  return levels;
}

// ---------------------------------------------------------------- 2: broadcast fan-out

export interface FanoutResult {
  connections: number;
  connected: number;
  firstMs: Spread;
  lastMs: Spread;
  deliveredPerRun: number[];
}

export async function fanoutScenario(
  ctx: ScenarioContext,
  contender: Contender,
  running: RunningContender,
): Promise<FanoutResult> {
  const { profile } = ctx;
  {
    // A "room of N" in this contract is one user with N open tabs: the user's room / channel.
    const userIds = Array.from({ length: profile.fanoutConnections }, () => 'room-user');
    const fleet = await startFleet({
      ...fleetOptions(ctx, running, userIds),
      onProgress: (n) => ctx.progress(`${contender.id} fan-out ramp`, n, userIds.length),
    });
    try {
      const first: number[] = [];
      const last: number[] = [];
      const delivered: number[] = [];
      for (let run = -1; run < profile.runs; run++) {
        fleet.reset();
        const notification = benchNotification('room-user', 1_000_000 + run);
        const sentAtUs = notification.data?.sentAtUs as number;
        const id = (await running.publish(notification)) || notification.id;
        let receipt: { count: number; firstUs: number; lastUs: number } | undefined;
        await waitUntil(
          async () => {
            receipt = (await fleet.collect(true)).receipts.get(id);
            return (receipt?.count ?? 0) >= fleet.connected;
          },
          30_000,
          100,
        );
        if (run < 0) continue; // warm-up
        delivered.push(receipt?.count ?? 0);
        first.push(receipt ? (receipt.firstUs - sentAtUs) / 1000 : Number.NaN);
        last.push(receipt ? (receipt.lastUs - sentAtUs) / 1000 : Number.NaN);
      }
      return {
        connections: userIds.length,
        connected: fleet.connected,
        firstMs: spreadOf(first),
        lastMs: spreadOf(last),
        deliveredPerRun: delivered,
      };
    } finally {
      await fleet.closeAll().catch(() => undefined);
      await fleet.stop();
    }
  }
}

// ---------------------------------------------------------------- 3: capacity

export interface CapacityResult {
  target: number;
  connectionsHeld: number;
  failed: number;
  failureSamples: string[];
  rssBytesPerConnection: number;
  heapBytesPerConnection: number | null;
  idleRssBytes: number;
  loadedRssBytes: number;
}

export async function capacityScenario(
  ctx: ScenarioContext,
  contender: Contender,
  running: RunningContender,
): Promise<CapacityResult> {
  const { profile } = ctx;
  {
    const pid = running.serverPids()[0] as number;
    const measured = contender.emulated ? running.serverPids() : [pid];
    const heapOf = async () => (contender.emulated ? undefined : await ctx.probe.heap(pid));
    // Let start-up garbage settle before the idle sample.
    await sleep(Math.min(300, profile.capacitySettleMs));
    const idleHeap = await heapOf();
    const idleRss = sumSamples(measured).rssBytes;
    const userIds = Array.from({ length: profile.capacityConnections }, (_, i) => userIdOf(i, 'cap'));
    // One server process, reached directly: its own limit, not the proxy's.
    const fleet = await startFleet({
      ...fleetOptions(ctx, { ...running, urls: [running.directUrl] }, userIds),
      onProgress: (n) => ctx.progress(`${contender.id} capacity`, n, userIds.length),
    });
    try {
      await sleep(profile.capacitySettleMs);
      const loadedHeap = await heapOf();
      const loadedRss = sumSamples(measured).rssBytes;
      const held = fleet.connected;
      return {
        target: userIds.length,
        connectionsHeld: held,
        failed: fleet.failed,
        failureSamples: fleet.failureSamples,
        rssBytesPerConnection: held > 0 ? Math.max(0, Math.round((loadedRss - idleRss) / held)) : 0,
        heapBytesPerConnection:
          idleHeap && loadedHeap && held > 0
            ? Math.max(0, Math.round((loadedHeap.heapUsedBytes - idleHeap.heapUsedBytes) / held))
            : null,
        idleRssBytes: idleRss,
        loadedRssBytes: loadedRss,
      };
    } finally {
      await fleet.closeAll().catch(() => undefined);
      await fleet.stop();
    }
  }
}

// ---------------------------------------------------------------- 4: wire bytes

export interface WireBytesResult {
  notifications: number;
  /** Server-to-client bytes per notification (TCP payload, framing included). */
  downBytesPerNotification: number;
  /** Client-to-server bytes per notification (long polling's next request, acks). */
  upBytesPerNotification: number;
  /** The envelope's own JSON size, for the overhead figure. */
  payloadBytes: number;
}

/** Runs on an instance started with heartbeats off (`quietOptions`): only notification bytes cross. */
export async function wireBytesScenario(
  ctx: ScenarioContext,
  running: RunningContender,
): Promise<WireBytesResult> {
  const { profile } = ctx;
  const proxy = await startFaultProxy({
    target: { host: '127.0.0.1', port: Number(new URL(running.directUrl).port) },
  });
  try {
    const fleet = await startFleet({
      ...fleetOptions(ctx, { ...running, urls: [proxy.url] }, ['wire-user'], {
        heartbeatIntervalMs: 600_000,
        heartbeatTimeoutMs: 600_000,
      }),
    });
    try {
      await publishPaced(running, 3, 50, () => 'wire-user', 2_000_000); // warm-up
      await waitUntil(async () => (await fleet.collect()).received >= 3, 5000);
      await sleep(100);
      fleet.reset();
      const before = proxy.bytes();
      await publishPaced(running, profile.wireNotifications, 50, () => 'wire-user', 2_000_100);
      const delivered = await waitUntil(
        async () => (await fleet.collect()).received >= profile.wireNotifications,
        10_000,
      );
      if (!delivered) {
        const c = await fleet.collect();
        throw new Error(
          `wire bytes: ${c.received} of ${profile.wireNotifications} notifications arrived (${c.duplicates} duplicates, connected ${c.connected}, proxy pairs ${proxy.open()}, bytes ${JSON.stringify(proxy.bytes())})`,
        );
      }
      await sleep(100);
      const after = proxy.bytes();
      const payloadBytes = Buffer.byteLength(JSON.stringify(benchNotification('wire-user', 2_000_100)));
      return {
        notifications: profile.wireNotifications,
        downBytesPerNotification: Math.round((after.down - before.down) / profile.wireNotifications),
        upBytesPerNotification: Math.round((after.up - before.up) / profile.wireNotifications),
        payloadBytes,
      };
    } finally {
      await fleet.closeAll().catch(() => undefined);
      await fleet.stop();
    }
  } finally {
    await proxy.close();
  }
}

// ---------------------------------------------------------------- 5 + 6: silent drop, lifecycle

export interface DropPass {
  resume: boolean;
  connections: number;
  dropMs: number;
  published: number;
  /** Notifications that never reached their user's connection. */
  lost: number;
  duplicated: number;
  clientDetectionMs: Spread | null;
  /** Null: not detected while the path was dead (or not observable, see the next field). */
  serverDetectionMs: number | null;
  /** False where the server has no connection to lose (long polling) or cannot be asked (emulated). */
  serverDetectionObservable: boolean;
  reconnectMs: Spread | null;
  disconnects: number;
  /** Who drove the clients: the SDK users get (`createClient`), or the load generator's raw client. */
  client: 'sdk' | 'raw';
}

/**
 * One pass of the silent-drop scenario. `ready` resolves once its clients are primed; the blackhole
 * is thrown when `go` resolves (passes run together share one blackhole through the contender's LB).
 */
async function dropPass(
  ctx: ScenarioContext,
  contender: Contender,
  running: RunningContender,
  resume: boolean,
  barrier: { ready: () => void; go: Promise<void> } = { ready: () => {}, go: Promise.resolve() },
): Promise<DropPass> {
  const { profile } = ctx;
  const proxy = running.blackhole
    ? undefined
    : await startFaultProxy({
        target: { host: '127.0.0.1', port: Number(new URL(running.urls[0] as string).port) },
      });
  try {
    const prefix = resume ? 'drop-r' : 'drop-n';
    const userIds = Array.from({ length: profile.dropConnections }, (_, i) => userIdOf(i, prefix));
    const urls = proxy ? [proxy.url] : [running.urls[0] as string];
    const fleet = await startFleet({
      // With resume: the SDK users get (where it has a transport), so "lost with resume" describes it.
      // Without: the raw client, the baseline that shows what a drop costs with no replay at all.
      ...fleetOptions(ctx, { ...running, urls }, userIds, { resume, reconnect: true, sdk: resume }),
    });
    try {
      // Every client has seen one notification, so it has a cursor to resume from (as a real tab
      // would). A server may still be subscribing a user's channel when its first primer goes out:
      // users whose primer did not arrive get another, up to three rounds. A client left without a
      // primer would make the pass measure something else, so that stops the scenario, loudly.
      let waiting = userIds.map((_, i) => i);
      for (let round = 0; round < 3 && waiting.length > 0; round++) {
        const pending = waiting;
        const primers = await publishPaced(
          running,
          pending.length,
          200,
          (i) => userIdOf(pending[i] as number, prefix),
          2_900_000 + (resume ? 0 : 50_000) + round * 1_000,
        );
        let received = new Set<string>();
        await waitUntil(
          async () => {
            const c = await fleet.collect(true);
            c.histogram.destroy();
            received = new Set(primers.filter((id) => c.receipts.has(id)));
            return received.size === primers.length;
          },
          5000,
          50,
        );
        waiting = pending.filter((_, i) => !received.has(primers[i] as string));
      }
      if (waiting.length > 0)
        throw new Error(
          `${waiting.length} of ${userIds.length} clients never received a notification before the drop`,
        );
      barrier.ready();
      await barrier.go;
      const closedBefore = await running.serverClosedTotal();
      fleet.reset();
      const dropAtMs = Date.now();
      const affected = running.blackhole
        ? running.blackhole(profile.dropMs)
        : (proxy?.blackhole(profile.dropMs).frozen ?? 0);
      ctx.log(
        `${contender.id}: blackholed ${affected} connections for ${profile.dropMs} ms (resume ${resume})`,
      );
      // Server-side detection: the server's own count of closed connections rises by the dropped ones
      // (clients that already reconnected through a fresh path do not mask it).
      let serverDetectedAtMs: number | null = null;
      const serverWatch = (async () => {
        if (closedBefore === undefined) return;
        await waitUntil(
          async () => {
            const now = await running.serverClosedTotal();
            if (now !== undefined && now >= closedBefore + userIds.length) {
              serverDetectedAtMs = Date.now();
              return true;
            }
            return false;
            // Only while the path is dead: a close seen after it is back is not a detection.
          },
          profile.dropMs,
          50,
        );
      })();
      // Keep publishing through the drop and a little after it.
      const publishMs = profile.dropMs + profile.dropTailMs;
      const count = Math.max(1, Math.round((publishMs / 1000) * profile.dropRatePerSecond));
      const ids = await publishPaced(
        running,
        count,
        profile.dropRatePerSecond,
        (i) => userIdOf(i % userIds.length, prefix),
        3_000_000 + (resume ? 0 : 500_000),
      );
      await serverWatch;
      // Settle: give reconnects and replays time to finish.
      let collected = await fleet.collect(true);
      await waitUntil(
        async () => {
          collected = await fleet.collect(true);
          return ids.every((id) => collected.receipts.has(id));
        },
        profile.heartbeat.intervalMs + profile.heartbeat.timeoutMs + profile.dropSettleGraceMs,
        Math.min(200, profile.dropSettleGraceMs / 5),
      );
      const lost = ids.filter((id) => !collected.receipts.has(id)).length;
      const detections = collected.disconnectsAtMs.map((t) => t - dropAtMs);
      const reconnects = collected.reconnectsAtMs.map((t, i) => t - (collected.disconnectsAtMs[i] ?? t));
      collected.histogram.destroy();
      return {
        resume,
        connections: fleet.connected,
        dropMs: profile.dropMs,
        published: ids.length,
        lost,
        duplicated: collected.duplicates,
        clientDetectionMs: detections.length > 0 ? spreadOf(detections) : null,
        serverDetectionMs: serverDetectedAtMs === null ? null : (serverDetectedAtMs as number) - dropAtMs,
        serverDetectionObservable: closedBefore !== undefined,
        reconnectMs: reconnects.length > 0 ? spreadOf(reconnects) : null,
        disconnects: collected.disconnectsAtMs.length,
        client: resume && SDK_CLIENT_KINDS.has(running.clientKind) ? 'sdk' : 'raw',
      };
    } finally {
      await fleet.closeAll().catch(() => undefined);
      await fleet.stop();
    }
  } finally {
    await proxy?.close();
  }
}

export interface DropResult {
  withResume: DropPass;
  withoutResume: DropPass;
}

export async function dropScenario(
  ctx: ScenarioContext,
  contender: Contender,
  running: RunningContender,
): Promise<DropResult> {
  if (!ctx.profile.dropPassesTogether) {
    return {
      withResume: await dropPass(ctx, contender, running, true),
      withoutResume: await dropPass(ctx, contender, running, false),
    };
  }
  // Both passes on separate users at once: one blackhole window instead of two (the quick profile).
  let readyCount = 0;
  let release: () => void = () => {};
  const go = new Promise<void>((resolve) => {
    release = resolve;
  });
  const barrier = {
    ready: () => {
      if (++readyCount === 2) release();
    },
    go,
  };
  // A pass that fails before it is ready must not leave the other one waiting forever.
  const guard = <T>(pass: Promise<T>) =>
    pass.catch((error: unknown) => {
      release();
      throw error;
    });
  const [withResume, withoutResume] = await Promise.all([
    guard(dropPass(ctx, contender, running, true, barrier)),
    guard(dropPass(ctx, contender, running, false, barrier)),
  ]);
  return { withResume, withoutResume };
}

export interface LifecycleResult {
  /** Client closes cleanly: how long until the server's count drops. */
  cleanCloseServerDetectionMs: number | null;
  /** From scenario 5 (ping timeout), filled in by the harness. */
  silentDropClientDetectionMs: number | null;
  silentDropServerDetectionMs: number | null;
  /** Heartbeats off, the proxy's idle timeout closes the connection: time from the last connection up until the client notices. */
  idleTimeoutMs: number;
  idleTimeoutClientDetectionMs: number | null;
}

/** Clean close: the client says goodbye; how long until the server's own count drops. */
export async function cleanCloseScenario(
  ctx: ScenarioContext,
  running: RunningContender,
): Promise<number | null> {
  const userIds = Array.from({ length: Math.max(2, Math.min(10, ctx.profile.dropConnections)) }, (_, i) =>
    userIdOf(i, 'close'),
  );
  const fleet = await startFleet(fleetOptions(ctx, running, userIds, { sdk: true }));
  try {
    const before = await running.serverConnections();
    const closedAtMs = Date.now();
    await fleet.closeAll();
    if (before === undefined) return null;
    const { intervalMs, timeoutMs } = ctx.profile.heartbeat;
    const ok = await waitUntil(
      async () => ((await running.serverConnections()) ?? before) <= before - fleet.connected,
      // 10 s at full size; the quick profile's short heartbeats bound it sooner (a miss reads as null).
      Math.min(10_000, 2 * (intervalMs + timeoutMs) + 2000),
      10,
    );
    return ok ? Date.now() - closedAtMs : null;
  } finally {
    await fleet.stop();
  }
}

/** Start options with heartbeats off, for wire bytes and the idle-timeout test. */
export function quietOptions(ctx: ScenarioContext): Partial<ContenderStartOptions> {
  return { heartbeat: QUIET_HEARTBEAT, idleTimeoutMs: ctx.profile.idleTimeoutMs };
}
const QUIET_HEARTBEAT = { intervalMs: 600_000, timeoutMs: 600_000 };

/** Heartbeats off, the proxy's idle timeout closes the connection: time until the client notices. */
export async function idleTimeoutScenario(
  ctx: ScenarioContext,
  running: RunningContender,
): Promise<number | null> {
  const { profile } = ctx;
  const userIds = Array.from({ length: Math.max(2, Math.min(10, profile.dropConnections)) }, (_, i) =>
    userIdOf(i, 'idle'),
  );
  const proxy = running.blackhole
    ? undefined
    : await startFaultProxy({
        target: { host: '127.0.0.1', port: Number(new URL(running.urls[0] as string).port) },
        idleTimeoutMs: profile.idleTimeoutMs,
      });
  try {
    const urls = proxy ? [proxy.url] : [running.urls[0] as string];
    const fleet = await startFleet(
      fleetOptions(ctx, { ...running, urls }, userIds, {
        sdk: true,
        keepAlive: false,
        heartbeatIntervalMs: QUIET_HEARTBEAT.intervalMs,
        heartbeatTimeoutMs: QUIET_HEARTBEAT.timeoutMs,
      }),
    );
    try {
      // Connections opened during the ramp; the last one was up at readyAtMs: idle starts then at the latest.
      const readyAtMs = Date.now();
      let detected: number[] = [];
      await waitUntil(
        async () => {
          detected = (await fleet.collect()).disconnectsAtMs;
          return detected.length >= fleet.connected;
        },
        profile.idleTimeoutMs * 3 + 3000,
        50,
      );
      return detected.length > 0 ? spreadOf(detected.map((t) => t - readyAtMs)).median : null;
    } finally {
      await fleet.closeAll().catch(() => undefined);
      await fleet.stop();
    }
  } finally {
    await proxy?.close();
  }
}

// ---------------------------------------------------------------- 7: sticky sessions

export interface StickyPass {
  sticky: boolean;
  clients: number;
  sessionsOpened: number;
  failures: number;
  disconnects: number;
  /** Failed or broken sessions over all attempts. */
  errorRate: number;
  failureSamples: string[];
}

export interface StickyResult {
  applicable: boolean;
  reason: string;
  passes: StickyPass[];
}

export async function stickyScenario(ctx: ScenarioContext, contender: Contender): Promise<StickyResult> {
  const { profile } = ctx;
  // The contenders that can long-poll across containers (socketio-plain is WebSocket-only).
  const polling = contender.id === 'socketio-redis' || contender.id === 'long-polling-redis';
  if (!polling || !contender.multiContainer) {
    return {
      applicable: false,
      reason: contender.multiContainer
        ? 'one long-lived connection per client: every request after the upgrade stays on one tunnel, so stickiness cannot matter'
        : 'a single server process: there is nothing to be sticky to',
      passes: [],
    };
  }
  const passes: StickyPass[] = [];
  const start = async (sticky: boolean) =>
    contender.id === 'socketio-redis'
      ? (await import('./contenders/socketio-redis.js')).startSocketIoStack(
          startOptions(ctx, { sticky, containers: 2 }),
          true,
        )
      : contender.start(startOptions(ctx, { sticky, containers: 2 }));
  // Both stacks start together (start-up is mostly waiting); the passes still run one after the other.
  const starts = [start(true), start(false)];
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    for (const s of settled) if (s.status === 'fulfilled') await s.value.stop().catch(() => undefined);
    throw failed.reason;
  }
  const stacks = settled.map((s) => (s as PromiseFulfilledResult<RunningContender>).value);
  const stopped = new Set<RunningContender>();
  try {
    for (const [index, sticky] of [true, false].entries()) {
      const running = stacks[index] as RunningContender;
      try {
        const userIds = Array.from({ length: profile.stickyClients }, (_, i) => userIdOf(i, 'sticky'));
        const fleet = await startFleet(fleetOptions(ctx, running, userIds, { reconnect: true }));
        try {
          fleet.reset();
          await publishPaced(
            running,
            profile.stickyClients * 2,
            Math.max(10, (profile.stickyClients * 2) / profile.stickySeconds),
            (i) => userIdOf(i % userIds.length, 'sticky'),
            4_000_000,
          );
          await sleep(profile.stickySeconds * 1000);
          const collected = await fleet.collect();
          collected.histogram.destroy();
          const broken = collected.failures + collected.disconnectsAtMs.length + fleet.failed;
          const attempts = collected.sessionsOpened + collected.failures + fleet.connected + fleet.failed;
          passes.push({
            sticky,
            clients: userIds.length,
            sessionsOpened: collected.sessionsOpened + fleet.connected,
            failures: collected.failures + fleet.failed,
            disconnects: collected.disconnectsAtMs.length,
            errorRate: attempts > 0 ? Math.round((broken / attempts) * 1000) / 1000 : 0,
            failureSamples: [...fleet.failureSamples, ...collected.failureSamples].slice(0, 3),
          });
        } finally {
          await fleet.closeAll().catch(() => undefined);
          await fleet.stop();
        }
      } finally {
        stopped.add(running);
        await running.stop();
      }
    }
  } finally {
    // A pass that threw leaves the other stack running otherwise.
    for (const running of stacks) if (!stopped.has(running)) await running.stop().catch(() => undefined);
  }
  return {
    applicable: true,
    reason:
      contender.id === 'socketio-redis'
        ? 'socket.io with the long-polling transport, 2 containers'
        : 'stateless polls carrying a cursor, 2 containers',
    passes,
  };
}
