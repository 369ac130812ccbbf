import { execFileSync } from 'node:child_process';
import { cpus, hostname, loadavg, release, totalmem } from 'node:os';
import { type OwnedRedis, startOwnedRedis } from '../dev-tools/index.js';
import type { Contender, RunningContender } from './contenders/contender.js';
import { shutdownClientPool } from './load/fleet.js';
import { createHeapProbe } from './load/process-stats.js';
import type { Profile } from './profiles.js';
import { type BenchResults, type ContenderResult, resultsSchema } from './results-schema.js';
import { costCpuScale, scaleScenario } from './scale.js';
import { scaleClusterScenario } from './scale-cluster.js';
import {
  capacityScenario,
  cleanCloseScenario,
  contenderContext,
  scaleNote,
  dropScenario,
  fanoutScenario,
  idleTimeoutScenario,
  quietOptions,
  type ScenarioContext,
  startOptions,
  stickyScenario,
  type UnicastLevel,
  unicastInterleaved,
  unicastScenario,
  wireBytesScenario,
} from './scenarios.js';

export const SCENARIOS = [
  'unicast',
  'fanout',
  'capacity',
  'wire-bytes',
  'drop',
  'lifecycle',
  'sticky',
  'scale',
  'scale-cluster',
] as const;
export type ScenarioId = (typeof SCENARIOS)[number];

export interface RunOptions {
  profile: Profile;
  contenders: readonly Contender[];
  scenarios: readonly ScenarioId[];
  /** The exact command line, for the report header. */
  command: string;
  /** @default a private redis-server (isolated from other work on the machine) */
  redisUrl?: string;
  /** A deployed stack's URL: recorded in the results (`--target`). @default null */
  target?: string;
  progress?: ScenarioContext['progress'];
  log?: (line: string) => void;
  /** CPU-profile every server process into this directory (`--cpu-prof`). @default none */
  cpuProfileDir?: string;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };
const notRun = { ok: false as const, error: 'not selected (--scenarios)' };
/** What runs on a contender's main instance (normal heartbeats): without one selected, it is not started. */
const MAIN_INSTANCE_SCENARIOS: readonly ScenarioId[] = ['capacity', 'unicast', 'fanout', 'drop', 'lifecycle'];

async function attempt<T>(
  run: () => Promise<T>,
  log: (line: string) => void,
  what: string,
): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`${what} failed: ${message}`);
    return { ok: false, error: message };
  }
}

export function machineInfo(): Omit<BenchResults['machine'], 'loadAverageAtEnd'> {
  const cpu = cpus();
  return {
    hostname: hostname(),
    cpuModel: cpu[0]?.model ?? 'unknown',
    cpus: cpu.length,
    memoryBytes: totalmem(),
    platform: process.platform,
    kernel: release(),
    loadAverageAtStart: loadavg().map((v) => Math.round(v * 100) / 100),
  };
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unknown';
  }
}

/**
 * Runs every selected scenario for every selected contender (one contender at a time, or in the
 * profile's `contenderConcurrency` lanes) and returns validated results in the given order.
 */
export async function runBenchmarks(options: RunOptions): Promise<BenchResults> {
  const log = options.log ?? (() => {});
  const startedAtMs = Date.now();
  const machine = machineInfo();
  const date = new Date().toISOString();
  const owned = options.redisUrl ? undefined : await startOwnedRedis();
  const redisUrl = options.redisUrl ?? (owned?.url as string);
  const shared: ScenarioContext = {
    profile: options.profile,
    redisUrl,
    probe: await createHeapProbe(options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {}),
    ...(options.cpuProfileDir ? { gracefulStop: true } : {}),
    progress: options.progress ?? (() => {}),
    log,
  };
  const wants = (id: ScenarioId) => options.scenarios.includes(id);
  const quietWanted = wants('wire-bytes') || wants('lifecycle');
  // Side-by-side lanes need a private Redis each; a shared `--redis-url` keeps them one at a time.
  const concurrency = options.redisUrl ? 1 : Math.max(1, options.profile.contenderConcurrency);
  const privateRedis: OwnedRedis[] = [];

  // Issue 25, item 6: pairs whose unicast runs alternate (ABAB), measured before the contenders'
  // other scenarios; one at a time only (side-by-side lanes already share the machine's state), and
  // not on a given --redis-url (each of the pair needs a Redis of its own).
  const interleaved = new Map<string, Outcome<UnicastLevel[]>>();
  const pairs =
    wants('unicast') && concurrency === 1 && !options.target && !options.redisUrl
      ? options.contenders.flatMap((a) => {
          const b = options.contenders.find((c) => c.id === a.unicastInterleavedWith);
          return b ? [[a, b] as const] : [];
        })
      : [];
  for (const [a, b] of pairs) {
    const [ra, rb] = await runUnicastPair(shared, [a, b], log);
    interleaved.set(a.id, ra);
    interleaved.set(b.id, rb);
  }

  async function runContender(contender: Contender): Promise<ContenderResult> {
    let ctx = contenderContext(shared, contender);
    if (concurrency > 1) {
      // Contenders running side by side use the same user ids: each gets its own Redis, so one's
      // publishes never reach another's clients.
      const own = await startOwnedRedis();
      privateRedis.push(own);
      ctx = { ...ctx, redisUrl: own.url };
    }
    const startMain = () =>
      attempt(
        () => contender.start(startOptions(ctx, { extraBalancers: options.profile.extraBalancers })),
        log,
        `${contender.id} start`,
      );
    const startQuiet = () =>
      quietWanted
        ? attempt(
            () => contender.start(startOptions(ctx, quietOptions(ctx))),
            log,
            `${contender.id} start (heartbeats off)`,
          )
        : Promise.resolve(undefined);
    // One instance for everything measured under normal heartbeats (start-up is seconds per process),
    // none when no scenario on it was selected (`--scenarios scale` starts its own stacks).
    const mainStarting = MAIN_INSTANCE_SCENARIOS.some(wants) ? startMain() : undefined;
    // The quick profile starts the heartbeats-off instance alongside (Profile.overlapStarts).
    const quietStarting = options.profile.overlapStarts ? startQuiet() : undefined;
    const run = <T>(id: ScenarioId, fn: () => Promise<T>): Promise<Outcome<T>> => {
      if (!wants(id)) return Promise.resolve(notRun);
      ctx.progress(`${contender.id} ${id}`, 0, 1);
      return attempt(fn, log, `${contender.id} ${id}`);
    };
    const main = await mainStarting;
    const onMain = <T>(id: ScenarioId, fn: (running: RunningContender) => Promise<T>): Promise<Outcome<T>> =>
      main?.ok
        ? run(id, () => fn(main.value))
        : Promise.resolve(main && wants(id) ? { ok: false as const, error: main.error } : notRun);
    const capacity = await onMain('capacity', (r) => capacityScenario(ctx, contender, r));
    const unicast =
      interleaved.get(contender.id) ?? (await onMain('unicast', (r) => unicastScenario(ctx, contender, r)));
    const fanout = await onMain('fanout', (r) => fanoutScenario(ctx, contender, r));
    const drop = await onMain('drop', (r) => dropScenario(ctx, contender, r));
    const cleanClose = await onMain('lifecycle', (r) => cleanCloseScenario(ctx, r));
    const coldStartsMs = main?.ok ? main.value.coldStartsMs?.() : undefined;
    if (main?.ok) await main.value.stop().catch(() => undefined);
    // A second instance with heartbeats off: wire bytes count notifications only; the idle timeout can fire.
    const quiet = await (quietStarting ?? startQuiet());
    const onQuiet = <T>(
      id: ScenarioId,
      fn: (running: RunningContender) => Promise<T>,
    ): Promise<Outcome<T>> =>
      quiet?.ok
        ? run(id, () => fn(quiet.value))
        : Promise.resolve(
            wants(id)
              ? { ok: false as const, error: quiet && !quiet.ok ? quiet.error : 'not started' }
              : notRun,
          );
    const wireBytes = await onQuiet('wire-bytes', (r) => wireBytesScenario(ctx, r));
    const idle = await onQuiet('lifecycle', (r) => idleTimeoutScenario(ctx, r));
    if (quiet?.ok) await quiet.value.stop().catch(() => undefined);
    const lifecycle: Outcome<Record<string, unknown>> = !wants('lifecycle')
      ? notRun
      : cleanClose.ok || idle.ok
        ? {
            ok: true,
            value: {
              cleanCloseServerDetectionMs: cleanClose.ok ? cleanClose.value : null,
              silentDropClientDetectionMs: drop.ok
                ? (drop.value.withResume.clientDetectionMs?.median ?? null)
                : null,
              silentDropServerDetectionMs: drop.ok ? drop.value.withResume.serverDetectionMs : null,
              idleTimeoutMs: options.profile.idleTimeoutMs,
              idleTimeoutClientDetectionMs: idle.ok ? idle.value : null,
              ...(cleanClose.ok ? {} : { cleanCloseError: cleanClose.error }),
              ...(idle.ok ? {} : { idleTimeoutError: idle.error }),
            },
          }
        : { ok: false, error: cleanClose.ok ? '' : cleanClose.error };
    const sticky = await run('sticky', () => stickyScenario(ctx, contender));
    // Its own stacks (2, 4, 8 containers on each adapter), after the main instance has stopped.
    const scale = contender.scaleAdapters
      ? await run('scale', () => scaleScenario(ctx, contender))
      : undefined;
    // Its own Redis Cluster and stacks (issue 25), after the scale scenario's.
    const scaleCluster = contender.scaleCluster
      ? await run('scale-cluster', () => scaleClusterScenario(ctx, contender))
      : undefined;
    const note = scaleNote(options.profile, contender);
    return {
      id: contender.id,
      label: contender.label,
      optionId: contender.optionId ?? null,
      emulated: contender.emulated,
      baseline: contender.baseline,
      ...(contender.reference ? { reference: true } : {}),
      canResume: contender.resume,
      ...(note ? { scaleNote: note } : {}),
      ...(coldStartsMs ? { coldStartsMs } : {}),
      unicast,
      fanout,
      capacity,
      wireBytes,
      drop,
      lifecycle,
      sticky,
      ...(scale ? { scale } : {}),
      ...(scaleCluster ? { scaleCluster } : {}),
    } as ContenderResult;
  }

  const contenders: ContenderResult[] = new Array(options.contenders.length);
  try {
    // Contenders in lanes of `contenderConcurrency`, results kept in the given order. The slowest
    // to start and run go first (emulation, then multi-container stacks), so no lane starts one last.
    const weight = (c: Contender) => (c.emulated ? 2 : c.multiContainer ? 1 : 0);
    const queue = options.contenders
      .map((contender, index) => ({ contender, index }))
      .sort((a, b) => (concurrency > 1 ? weight(b.contender) - weight(a.contender) : 0) || a.index - b.index);
    const lane = async () => {
      for (let item = queue.shift(); item; item = queue.shift())
        contenders[item.index] = await runContender(item.contender);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, options.contenders.length) }, lane));
  } finally {
    await shutdownClientPool();
    await Promise.all(privateRedis.map((r) => r.stop()));
    await owned?.stop();
  }

  const capacity: Record<string, unknown> = {};
  for (const result of contenders) {
    if (!result.optionId || !result.capacity.ok || !result.unicast.ok) continue;
    const headline = result.unicast.value[result.unicast.value.length - 1];
    if (!headline || result.capacity.value.connectionsHeld <= 0) continue;
    // How the CPU figure grows with the fleet (the scale scenario), for the cost model's ECS CPU term.
    const cpuScale = result.scale?.ok ? costCpuScale(result.scale.value, options.profile.name) : undefined;
    capacity[result.optionId] = {
      connectionsPerTask: result.capacity.value.connectionsHeld,
      cpuSecondsPer1000Notifications: headline.cpuSecondsPer1000Notifications.median,
      rssBytesPerConnection: result.capacity.value.rssBytesPerConnection,
      measured: true,
      ...(cpuScale ? { cpuScale } : {}),
      ...(result.emulated ? { emulated: true } : {}),
      basis: `${options.profile.name} profile: ${result.capacity.value.connectionsHeld} of ${result.capacity.value.target} connections held by one process`,
    };
  }

  return resultsSchema.parse({
    schemaVersion: 1,
    profile: options.profile.name,
    machine: { ...machine, loadAverageAtEnd: loadavg().map((v) => Math.round(v * 100) / 100) },
    node: process.version,
    date,
    gitCommit: gitCommit(),
    command: options.command,
    durationSeconds: Math.round((Date.now() - startedAtMs) / 100) / 10,
    target: options.target ?? null,
    settings: {
      ...options.profile,
      scenarios: options.scenarios,
      contenders: options.contenders.map((c) => c.id),
    },
    capacity,
    contenders,
  });
}

/**
 * Starts both contenders (each on a Redis of its own, so neither's publishes reach the other's
 * servers), runs the unicast scenario on them ABAB (`unicastInterleaved`) and stops them.
 */
async function runUnicastPair(
  shared: ScenarioContext,
  pair: readonly [Contender, Contender],
  log: (line: string) => void,
): Promise<[Outcome<UnicastLevel[]>, Outcome<UnicastLevel[]>]> {
  const redis: OwnedRedis[] = [];
  const running: RunningContender[] = [];
  const what = `${pair[0].id} / ${pair[1].id} unicast (interleaved)`;
  try {
    const ctx = [] as unknown as [ScenarioContext, ScenarioContext];
    for (const contender of pair) {
      const own = await startOwnedRedis();
      redis.push(own);
      const c = { ...contenderContext(shared, contender), redisUrl: own.url };
      ctx.push(c);
      c.progress(`${contender.id} unicast`, 0, 1);
      running.push(await contender.start(startOptions(c, { extraBalancers: c.profile.extraBalancers })));
    }
    const result = await attempt(
      () => unicastInterleaved(ctx, pair, running as [RunningContender, RunningContender]),
      log,
      what,
    );
    return result.ok
      ? [
          { ok: true, value: result.value[0] },
          { ok: true, value: result.value[1] },
        ]
      : [result, result];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`${what} failed: ${message}`);
    return [
      { ok: false, error: message },
      { ok: false, error: message },
    ];
  } finally {
    for (const r of running) await r.stop().catch(() => undefined);
    await Promise.all(redis.map((r) => r.stop()));
  }
}
