import {
  createLatencyHistogram,
  type LatencyHistogram,
  recordMs,
  summarize,
} from '../../benchmarks/histogram.js';
import { readFileSync } from 'node:fs';
import { resultsSchema } from '../../benchmarks/results-schema.js';
import { COMMITTED_RESULTS } from '../../cost/cli.js';
import { type FleetMember, toldToMove } from '../fleet.js';
import { hold } from '../load.js';
import { pollUntil } from '../../dev-tools/index.js';
import { check, MiB, type Scale, type Scenario } from '../scenario.js';
import type { EcsFaultEnv } from './run-fault.js';
import { ecsFaultScenario, runEcsFault } from './run-fault.js';
import {
  describeStormFigures,
  type StormFigures,
  type StormHelper,
  startStormSampler,
} from './storm-sampler.js';

// Issue 24: a deploy and a container crash as AWS runs them, at 10,000 SDK clients (full scale):
// the clients run in client processes and the ALB stand-in on nodes of its own, as one process
// holds at most 20,000 files (see docs/DEPLOY.md, "Deploys without a storm").

/**
 * Every fleet client comes from 127.0.0.1 through the load balancer, where production clients come
 * from thousands of addresses: the per-address cap (200 by default) would refuse all but 200 per
 * container, so it is lifted for these fleets.
 */
const ONE_ADDRESS_FLEET = { MAX_CONNECTIONS_PER_ADDRESS: '1000000' };

/**
 * A private redis-server per storm scenario: its operation counts are this scenario's alone (the
 * machine's shared Redis serves other runs too).
 */
const STORM_STACK = { ownRedis: true } as const;

/**
 * Where the fleet runs: SDK clients in client processes (5,000 each at full scale), through ALB
 * stand-in nodes in processes of their own (3,334 tunnels, 6,668 files each at full scale).
 */
const STORM_PROCESSES = { clientProcesses: { quick: 1, full: 2 } } as const;
const STORM_LB_NODES: Record<Scale, number> = { quick: 1, full: 3 };

/** Delivery latency of live notifications, split at a moment (before / during a fault). */
/** The processes that carry the fleet: its client processes and the load balancer's nodes. */
function fleetHelpers(env: EcsFaultEnv): () => StormHelper[] {
  return () => [
    ...env.fleet.processPids().map((pid, i) => ({ name: `clients-${i + 1}`, pid })),
    ...env.ecs.stack.nodePids.map((pid, i) => ({ name: `lb-node-${i + 1}`, pid })),
  ];
}

function latencyRecorder(members: FleetMember[]) {
  const phases = new Map<string, LatencyHistogram>();
  let phase = 'before';
  const offs = members.map((m) =>
    m.client.on('notification', ({ meta }) => {
      const histogram = phases.get(phase) ?? createLatencyHistogram();
      phases.set(phase, histogram);
      recordMs(histogram, Math.max(0, meta.latencyMs));
    }),
  );
  return {
    enter(next: string) {
      phase = next;
    },
    summary(name: string) {
      const histogram = phases.get(name);
      return histogram ? summarize(histogram) : undefined;
    },
    stop() {
      for (const off of offs) off();
    },
  };
}

/** How many new connections each member made from now on: it left `connected` (a cut), or moved without a gap. */
function reconnectCounter(members: FleetMember[]) {
  const before = members.map((m) => m.cuts + m.moves);
  return () => members.map((m, i) => m.cuts + m.moves - (before[i] ?? 0));
}

/**
 * Refusals the SDK reported (`rate_limited` with a hint, a failed connect) from now on, and their
 * causes as the SDK gave them (socket.io-client's `timeout`, `websocket error`, a server's message).
 */
function connectErrorCounter(members: FleetMember[]) {
  const causes = new Map<string, number>();
  const offs = members.map((m) =>
    m.client.on('state', ({ reason }) => {
      if (reason?.code !== 'rate_limited' && reason?.code !== 'connect_error') return;
      const cause = `${reason.code}: ${reason.reason.replace(/\d+/g, 'N').slice(0, 60)}`;
      causes.set(cause, (causes.get(cause) ?? 0) + 1);
    }),
  );
  return () => {
    for (const off of offs) off();
    const total = [...causes.values()].reduce((a, b) => a + b, 0);
    const top = [...causes.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([cause, count]) => `${count} ${cause}`);
    return total === 0 ? '0' : `${total} (${top.join('; ')})`;
  };
}

/**
 * Resumes per second on each container, from the clients' side (the `servedBy` of each resume
 * answer), from now on: `peaks()` gives each container's busiest second.
 */
function resumeRate(members: FleetMember[]) {
  const startedAtMs = Date.now();
  const buckets = new Map<string, Map<number, number>>();
  const offs = members.map((m) =>
    m.client.on('resumed', ({ servedBy }) => {
      const perSecond = buckets.get(servedBy ?? '?') ?? new Map<number, number>();
      buckets.set(servedBy ?? '?', perSecond);
      const second = Math.floor((m.eventAtMs() - startedAtMs) / 1000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    }),
  );
  return {
    describe() {
      for (const off of offs) off();
      const peaks = [...buckets.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([id, perSecond]) => `${id} ${Math.max(...perSecond.values())}/s`);
      return `peak resumes per second per container (resume answers' servedBy, 1 s buckets): ${peaks.join(', ') || 'none'}`;
    },
  };
}

/**
 * What the storm cost the survivors in CPU beyond their steady load, per reconnect, and how long
 * that work takes on one core of its own (a Fargate task's vCPU): the storm's floor on a machine
 * whose cores are not shared with the clients, the load balancer and other runs.
 */
function reconnectCost(storm: StormFigures, baseline: StormFigures, reconnects: number): string {
  let extra = 0;
  for (const [id, c] of storm.containers) {
    const steady = baseline.containers.get(id);
    const steadyCores = steady && baseline.seconds > 0 ? steady.cpuSeconds / baseline.seconds : 0;
    extra += Math.max(0, c.cpuSeconds - steadyCores * storm.seconds);
  }
  const perReconnectMs = (extra * 1000) / Math.max(1, reconnects);
  return `survivors' CPU beyond the steady load: ${extra.toFixed(1)} s for ${reconnects} reconnects (${perReconnectMs.toFixed(2)} ms each; ${extra.toFixed(1)} s of work on one dedicated core, against the ${storm.seconds.toFixed(1)} s the storm took here with the cores shared)`;
}

const pct = (values: number[], p: number) => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

const P99_GOAL = 'p99 while the old containers stop at most 3x the p99 before';

interface RollingDeployPlan {
  id: string;
  title: string;
  drainAtDeregistration: boolean;
}

/** What every storm scenario's fleet does: two SDK clients per user, notifications at 200/s (full). */
const STORM_LOAD = {
  clientsPerUser: { quick: 2, full: 2 },
  perSecond: { quick: 50, full: 200 },
  connectTimeoutMs: 20_000,
  settleTimeoutMs: 60_000,
} as const;

const ROLLING_USERS: Record<Scale, number> = { quick: 30, full: 5000 };

/**
 * The target group's deregistration delay (the construct's `drainTimeoutMs`), by fleet size: long
 * enough that the draining tasks move their clients at no more than about 60 per second each (3,334
 * per task here: 60 s). docs/DEPLOY.md, "Settings by fleet size", has the measured figures behind
 * it: at 10 s and 30 s the load balancer stand-in still cut about 9,900 and 2,000 of the 10,000.
 */
const ROLLING_DRAIN_MS: Record<Scale, number> = { quick: 10_000, full: 60_000 };

/**
 * The steady load before the deploy, the "before" of its latency: longer than one SDK keep-alive
 * round (30 s), since a client resumes after each round in which its user's log grew, and that
 * background work is part of the steady state the deploy is compared with.
 */
const ROLLING_STEADY_MS: Record<Scale, number> = { quick: 3000, full: 35_000 };

function rollingDeploy({ id, title, drainAtDeregistration }: RollingDeployPlan): Scenario {
  return ecsFaultScenario({
    id,
    title,
    fault: (scale) =>
      `ECS rolling update (minimumHealthyPercent 100, maximumPercent 200) of 3 containers holding ${ROLLING_USERS[scale] * 2} SDK clients: 3 new containers started and healthy, then the 3 old ones stopped in ECS's order (deregistration delay ${ROLLING_DRAIN_MS[scale] / 1000} s, ${drainAtDeregistration ? 'drain at deregistration' : 'drain on SIGTERM only'})`,
    stack: (scale) => ({
      ...STORM_STACK,
      containers: 3,
      loadBalancerNodes: STORM_LB_NODES[scale],
      drainAtDeregistration,
      env: {
        ...ONE_ADDRESS_FLEET,
        DRAIN_TIMEOUT_MS: String(ROLLING_DRAIN_MS[scale]),
        DEREGISTRATION_POLL_MS: '1000',
      },
    }),
    users: ROLLING_USERS,
    ...STORM_LOAD,
    ...STORM_PROCESSES,
    async inject(env: EcsFaultEnv) {
      const members = env.fleet.members;
      const latency = latencyRecorder(members);
      const sampler = await startStormSampler(env.ecs.stack, fleetHelpers(env));
      try {
        await hold(ROLLING_STEADY_MS[env.scale]);
        // Starting the new containers: on AWS they run on their own Fargate CPUs; here they
        // boot on the CPU the fleet and the old containers share, so this phase is reported
        // apart from the stop phase (the one the drain shapes).
        latency.enter('starting');
        const reconnects = reconnectCounter(members);
        const connectErrors = connectErrorCounter(members);
        const old = env.ecs.stack
          .containers()
          .filter((c) => c.running)
          .map((c) => c.id);
        const startedAtMs = Date.now();
        // maximumPercent 200: the new tasks first, all of them, each in service once healthy.
        const added = await Promise.all(old.map(() => env.ecs.stack.addContainer()));
        const healthyAfterMs = Date.now() - startedAtMs;
        latency.enter('during');
        const stopStartedAtMs = Date.now();
        const resumes = resumeRate(members);
        // minimumHealthyPercent 100: then the old ones are stopped, all at once, in ECS's order.
        const reports = await Promise.all(old.map((oldId) => env.ecs.stack.stopTask(oldId)));
        const settled = await env.fleet.waitUntil(
          () =>
            members.every((m) => m.client.state === 'connected' && added.includes(m.client.servedBy ?? '')),
          60_000,
        );
        const deployMs = Date.now() - startedAtMs;
        latency.enter('after');
        await sampler.stop();
        // The survivors: the new containers, while the old ones stop and their clients arrive.
        const figures = sampler.figures(stopStartedAtMs, Date.now(), added);
        const perClient = reconnects();
        const mean = perClient.reduce((a, b) => a + b, 0) / Math.max(1, perClient.length);
        const before = latency.summary('before');
        const starting = latency.summary('starting');
        const during = latency.summary('during');
        latency.stop();
        const p99Held = before !== undefined && during !== undefined && during.p99Ms <= 3 * before.p99Ms;
        const p99Figures = `before p50 ${before?.p50Ms} / p99 ${before?.p99Ms} ms, during p50 ${during?.p50Ms} / p99 ${during?.p99Ms} ms`;
        const cut = reports.reduce((sum, r) => sum + r.closedByLoadBalancer, 0);
        const moved = members.filter(toldToMove).length;
        const gapless = members.filter((m) => m.moves > 0).length;
        env.log(
          `  deploy ${deployMs} ms; reconnects/client mean ${mean.toFixed(2)} max ${Math.max(...perClient)}; cut by LB ${cut}`,
        );
        return {
          checks: [
            check('every client ended on a new container', settled, `${members.length} clients`),
            check(
              'mean reconnects per client at most 1.5',
              mean <= 1.5,
              `mean ${mean.toFixed(2)}, max ${Math.max(...perClient)}`,
            ),
            // The baseline (the drain on SIGTERM only, what AWS gives a server that waits for
            // SIGTERM) is measured to show what the drain at deregistration changes; the p99 goal
            // is the product's, so the baseline reports it without being held to it.
            ...(drainAtDeregistration ? [check(P99_GOAL, p99Held, p99Figures)] : []),
          ],
          observations: [
            ...(drainAtDeregistration
              ? []
              : [`${P99_GOAL} (baseline, not held to it): ${p99Held ? 'met' : 'missed'}, ${p99Figures}`]),
            `deploy ${deployMs} ms (new containers healthy after ${healthyAfterMs} ms)`,
            `reconnects per client: mean ${mean.toFixed(2)}, max ${Math.max(...perClient)}`,
            `connections closed by the load balancer at the end of the delay: ${cut}; clients told to move by a draining container: ${moved}, of which moved without a gap (the new connection resumed before the old one closed) ${gapless}`,
            `connect errors (rate_limited with a hint, failed connects): ${connectErrors()}`,
            `latency before: p50 ${before?.p50Ms} ms, p99 ${before?.p99Ms} ms; while the new containers boot (on this machine's shared CPU): p50 ${starting?.p50Ms} ms, p99 ${starting?.p99Ms} ms; while the old ones stop: p50 ${during?.p50Ms} ms, p99 ${during?.p99Ms} ms`,
            resumes.describe(),
            ...describeStormFigures(figures, 'while the old ones stop'),
          ],
        };
      } finally {
        await sampler.stop();
      }
    },
  });
}

export const ecsRollingDeploy = rollingDeploy({
  id: 'ecs-rolling-deploy',
  title: 'Rolling deploy of 3 containers, drain at deregistration',
  drainAtDeregistration: true,
});

export const ecsRollingDeploySigtermDrain = rollingDeploy({
  id: 'ecs-rolling-deploy-sigterm-drain',
  title: "Rolling deploy of 3 containers, yesterday's drain (on SIGTERM only)",
  drainAtDeregistration: false,
});

const STORM_USERS: Record<Scale, number> = { quick: 30, full: 5000 };

/** RSS per socket.io connection: socketio-redis's capacity run in the committed bench results. */
function socketIoRssBytesPerConnection(): number {
  const results = resultsSchema.parse(JSON.parse(readFileSync(COMMITTED_RESULTS, 'utf8')));
  const capacity = results.contenders.find((c) => c.id === 'socketio-redis')?.capacity;
  if (!capacity?.ok) throw new Error(`${COMMITTED_RESULTS} has no socketio-redis capacity figure`);
  return capacity.value.rssBytesPerConnection;
}

export const ecsReconnectStorm: Scenario = {
  id: 'ecs-reconnect-storm',
  variant: 'ecs-socketio',
  title: 'Reconnect storm: SIGKILL the container holding half the clients',
  fast: false,
  run: (context) =>
    runEcsFault(
      {
        id: 'ecs-reconnect-storm',
        title: 'Reconnect storm: SIGKILL the container holding half the clients',
        fault: (scale) =>
          `SIGKILL one of 2 containers holding ${STORM_USERS[scale] * 2} SDK clients; its clients reconnect onto the other one (the container's defaults: at most 1,000 connects per second, no handshakes-in-flight bound)`,
        stack: (scale) => ({
          ...STORM_STACK,
          containers: 2,
          loadBalancerNodes: STORM_LB_NODES[scale],
          env: ONE_ADDRESS_FLEET,
        }),
        users: STORM_USERS,
        // The survivor takes the dead container's clients on, so it grows by their sockets: the
        // usual 64 MiB plus each gained connection at the RSS per connection the committed bench
        // measured for this container.
        maxGrowthBytes: (scale) => 64 * MiB + STORM_USERS[scale] * socketIoRssBytesPerConnection(),
        ...STORM_LOAD,
        ...STORM_PROCESSES,
        async inject(env: EcsFaultEnv) {
          const members = env.fleet.members;
          const counts = new Map<string, number>();
          for (const m of members)
            counts.set(m.client.servedBy ?? '?', (counts.get(m.client.servedBy ?? '?') ?? 0) + 1);
          const [victim] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? ['ecs-1', 0];
          const hit = members.filter((m) => m.client.servedBy === victim);
          const sampler = await startStormSampler(env.ecs.stack, fleetHelpers(env));
          try {
            const survivors = env.ecs.stack
              .containers()
              .filter((c) => c.running && c.id !== victim)
              .map((c) => c.id);
            // Two seconds of the steady load first: the survivor's CPU without the storm.
            const baselineFromMs = Date.now();
            await hold(2000);
            const resumes = resumeRate(hit);
            const connectErrors = connectErrorCounter(hit);
            const killedAtMs = Date.now();
            // Back = resumed on another container: a keep-alive resync on the victim (its log grew)
            // before the client noticed the kill is not a reconnect.
            const back = new Map<string, number>();
            const offs = hit.map((m) =>
              m.client.on('resumed', ({ servedBy }) => {
                if (!back.has(m.label) && servedBy !== undefined && servedBy !== victim)
                  back.set(m.label, m.eventAtMs() - killedAtMs);
              }),
            );
            await env.ecs.stack.killContainer(victim, 'SIGKILL');
            // Polled: the fleet's own wait re-checks on client events, which may run before this file's.
            const all = await pollUntil(() => back.size === hit.length, 60_000, 20);
            for (const off of offs) off();
            await sampler.stop();
            const figures = sampler.figures(killedAtMs, Date.now(), survivors);
            const baseline = sampler.figures(baselineFromMs, killedAtMs - 500, survivors);
            const times = [...back.values()];
            const at = (p: number) => (times.length === 0 ? Number.NaN : pct(times, p));
            await env.ecs.stack.startContainer(victim);
            const fullMs = all ? at(100) : Number.NaN;
            return {
              checks: [
                check(
                  'every client of the killed container resumed elsewhere',
                  all,
                  `${back.size} of ${hit.length}`,
                ),
                check('100 % resumed within 10 s', all && fullMs <= 10_000, `${fullMs} ms`),
              ],
              observations: [
                `${hit.length} clients on ${victim}: 50 % resumed after ${at(50)} ms, 99 % after ${at(99)} ms, 100 % after ${fullMs} ms`,
                `connect errors (rate_limited with a hint, failed connects): ${connectErrors()}`,
                resumes.describe(),
                ...describeStormFigures(figures, 'during the storm'),
                ...describeStormFigures(baseline, 'before the kill (steady load)'),
                reconnectCost(figures, baseline, hit.length),
              ],
            };
          } finally {
            await sampler.stop();
          }
        },
      },
      context,
    ),
};

export const ecsStormScenarios: Scenario[] = [
  ecsRollingDeploy,
  ecsRollingDeploySigtermDrain,
  ecsReconnectStorm,
];
