import { Redis } from 'ioredis';
import type { RedisClientKind } from '../../ecs-socketio/src/redis-client.js';
import { toldToMove, watchDetection } from '../fleet.js';
import { check, type Scenario, summarizeDetection } from '../scenario.js';
import { hold } from '../load.js';
import { pollUntil } from '../../dev-tools/index.js';
import type { ChaosEcs } from './harness.js';
import { ecsLostLiveEmits } from './lost-live-emits.js';
import { type EcsFaultEnv, ecsFaultScenario, runEcsFault } from './run-fault.js';

/** The container holding the most fleet clients: the one whose loss hurts most. */
function busiestContainer(env: EcsFaultEnv): { id: string; clients: number } {
  const counts = new Map<string, number>();
  for (const member of env.fleet.members) {
    const id = member.client.servedBy ?? '?';
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const [id, clients] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? ['ecs-1', 0];
  return { id, clients };
}

async function allReady(ecs: ChaosEcs): Promise<boolean> {
  const answers = await Promise.all(
    ecs.stack.containers().map((c) =>
      fetch(`${c.url}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      ),
    ),
  );
  return answers.every(Boolean);
}

/** Starts `count` jobs, recording the accepted ones in the ledger; a refused POST is retried (as a client would). */
async function startJobs(
  env: EcsFaultEnv,
  count: number,
  baseUrl: (index: number) => string,
  body: Record<string, unknown>,
): Promise<{ accepted: number; refused: number; acceptedBy: string[] }> {
  let accepted = 0;
  let refused = 0;
  const acceptedBy: string[] = [];
  for (let i = 0; i < count; i++) {
    const userId = env.users[i % env.users.length] as string;
    for (let attempt = 0; attempt < 5; attempt++) {
      const answer = await env.ecs.startJob(baseUrl(i), userId, body);
      if (answer.jobId) {
        env.ledger.jobAccepted(userId, answer.jobId);
        accepted++;
        if (answer.acceptedBy) acceptedBy.push(answer.acceptedBy);
        break;
      }
      refused++;
      await hold(100);
    }
  }
  return { accepted, refused, acceptedBy };
}

export const ecsSigkill: Scenario = {
  id: 'ecs-sigkill',
  variant: 'ecs-socketio',
  title: 'SIGKILL one container',
  fast: true,
  run: (context) =>
    runEcsFault(
      {
        id: 'ecs-sigkill',
        title: 'SIGKILL one container',
        fault: 'SIGKILL the container holding the most clients, replace it after its clients moved',
        stack: {},
        users: { quick: 6, full: 40 },
        perSecond: { quick: 30, full: 100 },
        async inject(env) {
          const victim = busiestContainer(env);
          const jobsBefore = await startJobs(env, 4, () => env.ecs.stack.url, {
            durationMs: 300,
            publishVia: 'worker',
          });
          await env.ecs.stack.killContainer(victim.id, 'SIGKILL');
          const moved = await env.fleet.waitUntil(
            () =>
              env.fleet.members.every(
                (m) => m.client.state === 'connected' && m.client.servedBy !== victim.id,
              ),
            30_000,
          );
          const jobsDuring = await startJobs(env, 4, () => env.ecs.stack.url, {
            durationMs: 0,
            publishVia: 'worker',
          });
          await env.ecs.stack.startContainer(victim.id);
          return {
            checks: [
              check(
                'every client reconnected to a live container',
                moved,
                `${victim.clients} clients were on ${victim.id}`,
              ),
            ],
            observations: [
              `worker jobs accepted ${jobsBefore.accepted + jobsDuring.accepted}, POSTs refused and retried ${jobsBefore.refused + jobsDuring.refused}`,
            ],
          };
        },
      },
      context,
    ),
};

export const ecsSigterm: Scenario = {
  id: 'ecs-sigterm',
  variant: 'ecs-socketio',
  title: 'SIGTERM one container (graceful drain)',
  // test/ecs-socketio/drain-handover.test.ts covers the drain under load in npm test already.
  fast: false,
  run: (context) =>
    runEcsFault(
      {
        id: 'ecs-sigterm',
        title: 'SIGTERM one container (graceful drain)',
        fault:
          'SIGTERM the busiest container (DRAIN_TIMEOUT_MS 3000) with in-container jobs still running on it',
        stack: { env: { DRAIN_TIMEOUT_MS: '3000' } },
        users: { quick: 6, full: 40 },
        perSecond: { quick: 30, full: 100 },
        async inject(env) {
          const victim = busiestContainer(env);
          const url = env.ecs.stack.containers().find((c) => c.id === victim.id)?.url ?? '';
          // Jobs running inside the container being drained: the drain must let them publish.
          const jobs = await startJobs(env, 4, () => url, { durationMs: 1000, publishVia: 'container' });
          await env.ecs.stack.killContainer(victim.id, 'SIGTERM');
          const moved = await env.fleet.waitUntil(
            () =>
              env.fleet.members.every(
                (m) => m.client.state === 'connected' && m.client.servedBy !== victim.id,
              ),
            30_000,
          );
          const drained = env.fleet.members.filter(toldToMove).length;
          await env.ecs.stack.startContainer(victim.id);
          return {
            checks: [
              check('every client moved to the other container', moved, `${victim.clients} on ${victim.id}`),
              check(
                'clients were told to move (moved without a gap, or server_shutting_down)',
                drained >= victim.clients,
                `${drained} of ${victim.clients}`,
              ),
              check(
                'in-container jobs were accepted by the draining container',
                jobs.accepted === 4,
                `${jobs.accepted}/4`,
              ),
            ],
            observations: [
              `${jobs.accepted} in-container jobs were running on ${victim.id} when it got SIGTERM`,
            ],
          };
        },
      },
      context,
    ),
};

export const ecsDrainLongJobs: Scenario = {
  id: 'ecs-drain-long-jobs',
  variant: 'ecs-socketio',
  title: 'SIGTERM a container whose jobs outlast its drain window',
  fast: false,
  run: (context) =>
    runEcsFault(
      {
        id: 'ecs-drain-long-jobs',
        title: 'SIGTERM a container whose jobs outlast its drain window',
        fault:
          'SIGTERM the busiest container (DRAIN_TIMEOUT_MS 3000) with in-container jobs of 6-8 s just accepted; it must hand them to the worker queue before it closes Redis',
        stack: { env: { DRAIN_TIMEOUT_MS: '3000' } },
        users: { quick: 6, full: 40 },
        perSecond: { quick: 20, full: 60 },
        async inject(env) {
          const victim = busiestContainer(env);
          const url = env.ecs.stack.containers().find((c) => c.id === victim.id)?.url ?? '';
          const acceptedAtMs = Date.now();
          const jobs = [];
          for (const durationMs of [6000, 7000, 8000])
            jobs.push(await startJobs(env, 2, () => url, { durationMs, publishVia: 'container' }));
          const accepted = jobs.reduce((sum, j) => sum + j.accepted, 0);
          await env.ecs.stack.killContainer(victim.id, 'SIGTERM');
          const exitedAfterMs = Date.now() - acceptedAtMs;
          const handedOff = await env.ecs.jobQueue.length();
          const moved = await env.fleet.waitUntil(
            () =>
              env.fleet.members.every(
                (m) => m.client.state === 'connected' && m.client.servedBy !== victim.id,
              ),
            30_000,
          );
          await env.ecs.stack.startContainer(victim.id);
          return {
            checks: [
              check('every in-container job was accepted', accepted === 6, `${accepted}/6 on ${victim.id}`),
              check(
                'the container exited before its jobs were due',
                exitedAfterMs < 6000,
                `exited ${exitedAfterMs} ms after the first 202`,
              ),
              check('every client moved to the other container', moved, `${victim.clients} on ${victim.id}`),
            ],
            observations: [
              `${accepted} jobs of 6-8 s on ${victim.id}; it exited ${exitedAfterMs} ms after the first 202, leaving ${handedOff} in the worker queue`,
            ],
          };
        },
      },
      context,
    ),
};

export const ecsWorkerSigkill: Scenario = {
  id: 'ecs-worker-sigkill',
  variant: 'ecs-socketio',
  title: 'SIGKILL the worker mid-job',
  fast: false,
  run: (context) =>
    runEcsFault(
      {
        id: 'ecs-worker-sigkill',
        title: 'SIGKILL the worker mid-job',
        fault:
          'SIGKILL the worker while it runs 3 s jobs (JOB_VISIBILITY_TIMEOUT_MS 2000), then start a new one; it must recover them from the stream',
        stack: { env: { JOB_VISIBILITY_TIMEOUT_MS: '2000' } },
        users: { quick: 6, full: 40 },
        perSecond: { quick: 20, full: 60 },
        async inject(env) {
          const { stack, jobQueue } = env.ecs;
          const jobs = await startJobs(env, 6, () => stack.url, { durationMs: 3000, publishVia: 'worker' });
          const taken = await pollUntil(
            async () => (await jobQueue.pendingCount()) === jobs.accepted,
            10_000,
            20,
          );
          const pendingAtKill = await jobQueue.pendingCount();
          await stack.killWorker('SIGKILL');
          const killedAtMs = Date.now();
          await stack.startWorker();
          const acknowledged = await pollUntil(async () => (await jobQueue.length()) === 0, 30_000, 50);
          const recoveredAfterMs = Date.now() - killedAtMs;
          return {
            checks: [
              check('every worker job was accepted', jobs.accepted === 6, `${jobs.accepted}/6`),
              check('the worker was mid-job when killed', taken, `${pendingAtKill} taken, not acknowledged`),
              check(
                'the new worker completed every job of the dead one',
                acknowledged,
                `queue empty ${recoveredAfterMs} ms after the kill`,
              ),
            ],
            observations: [
              `${pendingAtKill} jobs were running in the killed worker; the replacement recovered and acknowledged them all ${recoveredAfterMs} ms after the kill (lease 2 s, each job re-run 3 s)`,
            ],
          };
        },
      },
      context,
    ),
};

export const ecsRedisRestart: Scenario = {
  id: 'ecs-redis-restart',
  variant: 'ecs-socketio',
  title: 'Redis restart',
  fast: true,
  run: (context) =>
    runEcsFault(
      {
        id: 'ecs-redis-restart',
        title: 'Redis restart',
        fault:
          'restart redis-server (SIGTERM, start again on the same port; AOF with fsync always keeps acknowledged writes)',
        stack: { durableRedis: true },
        users: { quick: 6, full: 40 },
        perSecond: { quick: 30, full: 100 },
        async inject(env) {
          await env.ecs.redis?.stop('SIGTERM');
          await env.ecs.redis?.start();
          const ready = await pollUntil(() => allReady(env.ecs), 20_000);
          const jobs = await startJobs(env, 4, () => env.ecs.stack.url, {
            durationMs: 0,
            publishVia: 'worker',
          });
          return {
            checks: [
              check('every container ready again', ready, 'GET /readyz on each'),
              check('the worker takes jobs again', jobs.accepted === 4, `${jobs.accepted}/4 accepted`),
            ],
          };
        },
      },
      context,
    ),
};

/** Each container subscriber's SSUBSCRIBE count, by connection name, from CLIENT LIST. */
async function shardChannels(redisUrl: string): Promise<Map<string, number>> {
  const admin = new Redis(redisUrl, { maxRetriesPerRequest: null });
  admin.on('error', () => undefined);
  try {
    const list = (await admin.call('CLIENT', 'LIST')) as string;
    const counts = new Map<string, number>();
    for (const line of list.split('\n')) {
      const name = /\bname=(\S*:sub)\b/.exec(line)?.[1];
      if (name) counts.set(name, Number(/\bssub=(\d+)/.exec(line)?.[1] ?? 0));
    }
    return counts;
  } finally {
    admin.disconnect();
  }
}

/**
 * Issue 16: Redis restarted under load with per-user channels (the sharded adapter: one SSUBSCRIBE
 * channel per user room), on each Redis client. Measured before: a publish queued during the outage
 * reached Redis before the servers re-subscribed and was lost live (ioredis), and node-redis 5.12
 * never restored most of 2,000 channels. The full scale holds 2,400 users: about 1,200 channels
 * per container subscriber, some 115 KB of SSUBSCRIBEs with these user ids, past the 64 KiB at
 * which node-redis's re-subscription stalled (see createRedis); 0 lost is the check.
 */
function shardedRedisRestart(client: RedisClientKind): Scenario {
  const id = `ecs-redis-restart-sharded-${client}`;
  const title = `Redis restart with per-user channels (${client})`;
  return ecsFaultScenario({
    id,
    title,
    fault: (scale) =>
      `restart redis-server (SIGTERM, AOF) under load; REDIS_ADAPTER=sharded, REDIS_CLIENT=${client}, ${scale === 'full' ? '2,400' : '6'} users on 2 containers`,
    stack: {
      durableRedis: true,
      redisClient: client,
      // The fleet connects from one address; the per-address guard (200) is not under test.
      env: { REDIS_ADAPTER: 'sharded', MAX_CONNECTIONS_PER_ADDRESS: '100000' },
    },
    users: { quick: 6, full: 2400 },
    clientsPerUser: { quick: 1, full: 1 },
    perSecond: { quick: 30, full: 100 },
    connectTimeoutMs: 30_000,
    settleTimeoutMs: 45_000,
    async inject(env) {
      const redisUrl = env.ecs.redis?.url ?? '';
      const before = await shardChannels(redisUrl);
      await env.ecs.redis?.stop('SIGTERM');
      await env.ecs.redis?.start();
      const ready = await pollUntil(() => allReady(env.ecs), 30_000);
      // Every subscriber back on as many channels as before (the fleet did not move meanwhile).
      let after = await shardChannels(redisUrl);
      const restored = await pollUntil(async () => {
        after = await shardChannels(redisUrl);
        return [...before].every(([name, count]) => after.get(name) === count);
      }, 30_000);
      const show = (m: Map<string, number>) =>
        [...m]
          .sort()
          .map(([name, count]) => `${name.split(':')[1]} ${count}`)
          .join(', ');
      return {
        checks: [
          check('every container ready again', ready, 'GET /readyz on each'),
          check(
            'every subscriber re-subscribed all its channels',
            restored,
            `before: ${show(before)}; after: ${show(after)}`,
          ),
        ],
        observations: [`SSUBSCRIBE channels per container subscriber before the restart: ${show(before)}`],
      };
    },
  });
}

export const ecsRedisRestartShardedIoredis = shardedRedisRestart('ioredis');
export const ecsRedisRestartShardedNodeRedis = shardedRedisRestart('node-redis');

export const ecsRedisOutage: Scenario = {
  id: 'ecs-redis-outage',
  variant: 'ecs-socketio',
  title: 'Redis down while jobs complete',
  fast: false,
  run: (context) => {
    const outageMs = context.scale === 'full' ? 10_000 : 3000;
    return runEcsFault(
      {
        id: 'ecs-redis-outage',
        title: `Redis down ${outageMs / 1000} s while jobs complete`,
        fault: `redis-server killed (SIGKILL) and kept down ${outageMs / 1000} s; worker and in-container jobs finish during the outage; jobs also submitted during it`,
        stack: { durableRedis: true },
        users: { quick: 6, full: 40 },
        perSecond: { quick: 20, full: 40 },
        settleTimeoutMs: 45_000,
        async inject(env) {
          const { stack } = env.ecs;
          const containers = stack.containers();
          const direct = (i: number) => containers[i % containers.length]?.url ?? stack.url;
          // Jobs that will finish while Redis is down: popped by the worker / running in a container.
          const workerBefore = await startJobs(env, 4, () => stack.url, {
            durationMs: 1500,
            publishVia: 'worker',
          });
          const containerBefore = await startJobs(env, 4, direct, {
            durationMs: 1500,
            publishVia: 'container',
          });
          const queuedAtStop = await env.ecs.jobQueue.length();
          await env.ecs.redis?.stop('SIGKILL');
          const stoppedAtMs = Date.now();
          // Submitted during the outage, straight to the containers (the load balancer has them
          // out of rotation: /readyz is 503 while Redis is down). LPUSH waits in ioredis's queue.
          const during = Promise.all([
            startJobs(env, 4, direct, { durationMs: 0, publishVia: 'worker' }),
            startJobs(env, 2, direct, { durationMs: 0, publishVia: 'container' }),
          ]);
          await hold(Math.max(0, outageMs - (Date.now() - stoppedAtMs)));
          const queuedInClients = env.load.inFlight;
          await env.ecs.redis?.start();
          const ready = await pollUntil(() => allReady(env.ecs), 20_000);
          const [workerDuring, containerDuring] = await during;
          const workerAfter = await startJobs(env, 4, () => stack.url, {
            durationMs: 0,
            publishVia: 'worker',
          });
          return {
            checks: [
              check('every container ready again', ready, 'GET /readyz on each'),
              check(
                'every job was accepted',
                workerBefore.accepted +
                  containerBefore.accepted +
                  workerDuring.accepted +
                  containerDuring.accepted +
                  workerAfter.accepted ===
                  18,
                'before 8, during 6 (answered after Redis came back), after 4',
              ),
              check(
                'publishes were queued, not dropped, during the outage',
                queuedInClients > 0,
                `${queuedInClients} waiting at restart`,
              ),
            ],
            observations: [
              `jobs waiting in the Redis queue at the kill: ${queuedAtStop} (kept: AOF)`,
              `publishes waiting in ioredis's offline queue when Redis came back: ${queuedInClients}`,
              'the worker XREADGROUP on the broken connection is re-sent by ioredis after the reconnect; jobs submitted during the outage were taken and delivered',
            ],
          };
        },
      },
      context,
    );
  },
};

export const ecsBlackhole: Scenario = {
  id: 'ecs-blackhole',
  variant: 'ecs-socketio',
  title: "A client's network blackholed",
  fast: false,
  run: (context) => {
    const full = context.scale === 'full';
    const darkMs = full ? 30_000 : 4000;
    const heartbeat = full
      ? { PING_INTERVAL_MS: '10000', PING_TIMEOUT_MS: '5000' }
      : { PING_INTERVAL_MS: '1000', PING_TIMEOUT_MS: '1000' };
    return runEcsFault(
      {
        id: 'ecs-blackhole',
        title: `A client's network blackholed ${darkMs / 1000} s`,
        fault: `the network of some clients drops every byte for ${darkMs / 1000} s (no FIN/RST; reconnects swallowed too); heartbeat ${heartbeat.PING_INTERVAL_MS}+${heartbeat.PING_TIMEOUT_MS} ms`,
        stack: { env: heartbeat },
        users: { quick: 6, full: 40 },
        perSecond: { quick: 20, full: 40 },
        networkedClients: { quick: 2, full: 10 },
        connectTimeoutMs: full ? 5000 : 1500,
        settleTimeoutMs: 45_000,
        async inject(env) {
          const victims = env.fleet.members.filter((m) => env.networks.has(m.label));
          const cutsBefore = victims.reduce((sum, m) => sum + m.cuts, 0);
          const watch = watchDetection(victims);
          await Promise.all(
            [...env.networks.values()].map(
              (network) => network.blackhole(darkMs, { swallowNew: true }).restored,
            ),
          );
          const { watched, detectedMs } = watch.stop();
          const cuts = victims.reduce((sum, m) => sum + m.cuts, 0) - cutsBefore;
          const back = await env.fleet.allConnected(30_000);
          const detection = summarizeDetection(
            `socket.io heartbeat, PING_INTERVAL_MS ${heartbeat.PING_INTERVAL_MS} + PING_TIMEOUT_MS ${heartbeat.PING_TIMEOUT_MS}`,
            watched,
            detectedMs,
          );
          return {
            checks: [
              check(
                'the heartbeat noticed the dead network',
                cuts >= victims.length && detectedMs.length === victims.length,
                `${cuts} cuts for ${victims.length} blackholed clients; ${detectedMs.length} noticed while it was dark`,
              ),
              check('every blackholed client is connected again', back, `${victims.length} clients`),
            ],
            ...(detection ? { detection } : {}),
          };
        },
      },
      context,
    );
  },
};

const IDLE_TIMEOUT_MS = 3000;

function idleScenario(heartbeats: boolean): Scenario {
  const id = heartbeats ? 'ecs-lb-idle-on' : 'ecs-lb-idle-off';
  const title = `LB idle timeout, heartbeats ${heartbeats ? 'on (the fix)' : 'off (the failure)'}`;
  const env = heartbeats
    ? { PING_INTERVAL_MS: '1000', PING_TIMEOUT_MS: '2000' }
    : { PING_INTERVAL_MS: '6000', PING_TIMEOUT_MS: '3000' };
  return {
    id,
    variant: 'ecs-socketio',
    title,
    fast: true,
    run: (context) =>
      runEcsFault(
        {
          id,
          title,
          fault: `LB idle timeout ${IDLE_TIMEOUT_MS} ms; PING_INTERVAL_MS ${env.PING_INTERVAL_MS} (${heartbeats ? 'below' : 'above'} it); each user gets a notification every ~5 s`,
          stack: { idleTimeoutMs: IDLE_TIMEOUT_MS, env },
          users: { quick: 4, full: 20 },
          clientsPerUser: { quick: 1, full: 1 },
          // One notification per user every ~5 s: longer than the idle timeout.
          perSecond: { quick: 0.8, full: 4 },
          warmupMs: 500,
          async inject(inject) {
            const cutsBefore = inject.fleet.totals().cuts;
            await hold(context.scale === 'full' ? 15_000 : 5000);
            const cuts = inject.fleet.totals().cuts - cutsBefore;
            await inject.fleet.allConnected(15_000);
            return {
              checks: [
                heartbeats
                  ? check('no connection was cut', cuts === 0, `${cuts} cuts`)
                  : check('idle connections were cut by the load balancer', cuts > 0, `${cuts} cuts`),
              ],
              observations: [`idle cuts while observed: ${cuts}`],
            };
          },
        },
        context,
      ),
  };
}

export const ecsIdleOff = idleScenario(false);
export const ecsIdleOn = idleScenario(true);

export const ecsFaultScenarios: Scenario[] = [
  ecsSigkill,
  ecsSigterm,
  ecsDrainLongJobs,
  ecsWorkerSigkill,
  ecsRedisRestart,
  ecsRedisRestartShardedIoredis,
  ecsRedisRestartShardedNodeRedis,
  ecsRedisOutage,
  ecsBlackhole,
  ecsIdleOff,
  ecsIdleOn,
  ecsLostLiveEmits,
];
