import { BatchWriteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { CONNECTION_MAX_AGE_SECONDS } from '../../apigw-websocket/src/config.js';
import { createNotification } from '../../shared/contract/index.js';
import { watchDetection } from '../fleet.js';
import { hold } from '../load.js';
import { pollUntil } from '../../dev-tools/index.js';
import { check, type Scenario, summarizeDetection } from '../scenario.js';
import type { ChaosApigw } from './harness.js';
import { EmulatedAsyncLambda } from './async-invoke.js';
import { apigwNotifyThrottled } from './notify-throttled.js';
import { runApigwFault } from './run-fault.js';
import { apigwThrottledPosts } from './throttled-posts.js';

const STALE_PREFIX = 'stale-';

async function connectionRows(apigw: ChaosApigw): Promise<{ connectionId: string; userId: string }[]> {
  const rows: { connectionId: string; userId: string }[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await apigw.ddb.send(
      new ScanCommand({ TableName: apigw.config.connectionsTable, ExclusiveStartKey: startKey }),
    );
    for (const item of page.Items ?? []) rows.push(item as { connectionId: string; userId: string });
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return rows;
}

export const apigw410Storm: Scenario = {
  id: 'apigw-410-storm',
  variant: 'apigw-websocket',
  title: 'Storm of 410 from stale rows',
  fast: true,
  run: (context) => {
    const stale = context.scale === 'full' ? 400 : 60;
    return runApigwFault(
      {
        id: 'apigw-410-storm',
        title: 'Storm of 410 from stale rows',
        fault: `${stale} stale connection rows (clients gone without $disconnect) spread over the users; every post to them answers 410`,
        users: { quick: 4, full: 20 },
        perSecond: { quick: 20, full: 20 },
        async prepare(apigw, users) {
          const ttl = Math.floor(Date.now() / 1000) + CONNECTION_MAX_AGE_SECONDS;
          for (let i = 0; i < stale; i += 25) {
            const items = Array.from({ length: Math.min(25, stale - i) }, (_, j) => ({
              PutRequest: {
                Item: {
                  connectionId: `${STALE_PREFIX}${i + j}=`,
                  userId: users[(i + j) % users.length],
                  connectedAtMs: Date.now() - 60_000,
                  ttl,
                },
              },
            }));
            await apigw.ddb.send(
              new BatchWriteCommand({ RequestItems: { [apigw.config.connectionsTable]: items } }),
            );
          }
        },
        async inject(env) {
          // Every user is published to within a few seconds; wait until the storm has passed.
          let left = stale;
          await pollUntil(
            async () => {
              left = (await connectionRows(env.apigw)).filter((r) =>
                r.connectionId.startsWith(STALE_PREFIX),
              ).length;
              return left === 0;
            },
            60_000,
            250,
          );
          const rows = await connectionRows(env.apigw);
          const live = rows.filter(
            (r) => !r.connectionId.startsWith(STALE_PREFIX) && env.users.includes(r.userId),
          );
          return {
            checks: [
              check('every stale row was deleted on its 410', left === 0, `${stale - left} of ${stale}`),
              check(
                'no live connection row was deleted',
                live.length === env.fleet.members.length,
                `${live.length} live rows for ${env.fleet.members.length} clients`,
              ),
            ],
            observations: [`410 answers counted by notify: ${env.apigw.counts.get('PostsGone') ?? 0}`],
          };
        },
      },
      context,
    );
  },
};

export const apigwThrottling: Scenario = {
  id: 'apigw-ddb-throttling',
  variant: 'apigw-websocket',
  title: 'DynamoDB throttling',
  fast: false,
  run: (context) => {
    const rate = 0.25;
    const windowMs = context.scale === 'full' ? 15_000 : 3000;
    let notify: EmulatedAsyncLambda<unknown> | undefined;
    return runApigwFault(
      {
        id: 'apigw-ddb-throttling',
        title: 'DynamoDB throttling',
        fault: `${rate * 100}% of DynamoDB calls of the notify path answer ProvisionedThroughputExceededException for ${windowMs / 1000} s (SDK middleware in the real client); a failed notify invocation gets Lambda's 2 async retries (the emulated async invocation, chaos/apigw/async-invoke.ts)`,
        users: { quick: 4, full: 20 },
        perSecond: { quick: 15, full: 30 },
        publish: ({ apigw, ledger }) => {
          // As the stacks deploy notify: 100 reserved, 1 h maximum age (scaled), 2 retries.
          const lambda = new EmulatedAsyncLambda<unknown>({
            handler: (event) => apigw.invokeNotify(event),
            reservedConcurrency: 100,
            maximumEventAgeMs: 60_000,
            maximumRetryAttempts: 2,
            timeoutMs: 10_000,
            timing: { throttleBackoffMs: 50, throttleBackoffMaxMs: 1000, retryDelaysMs: [200, 400] },
          });
          notify = lambda;
          return async (userId, sequence) => {
            const jobId = `throttled-${sequence}`;
            lambda.invoke({ userId, jobId, type: 'sync.complete' });
            ledger.jobAccepted(userId, jobId);
            return undefined;
          };
        },
        async inject(env) {
          env.apigw.faults.throttleRate = rate;
          await hold(windowMs);
          env.apigw.faults.throttleRate = 0;
          const stats = notify?.stats;
          return {
            checks: [
              check(
                'throttling was injected',
                env.apigw.faults.injected > 0,
                `${env.apigw.faults.injected} of ${env.apigw.faults.calls} calls`,
              ),
            ],
            observations: [
              `notify invocations ${stats?.invocations}, failed and retried by the emulated Lambda ${stats?.errors}, dead-lettered after 3 attempts ${stats?.deadLettered}`,
              `throttled PostToConnection retries: ${env.apigw.counts.get('PostsThrottled') ?? 0}`,
            ],
          };
        },
      },
      context,
    ).finally(() => notify?.close());
  },
};

export const apigwDoubleNotify: Scenario = {
  id: 'apigw-double-notify',
  variant: 'apigw-websocket',
  title: 'The same notification delivered twice',
  fast: true,
  run: (context) => {
    let doubled = 0;
    return runApigwFault(
      {
        id: 'apigw-double-notify',
        title: 'The same notification delivered twice',
        fault:
          'every notification published twice: the same envelope re-posted (a retried post), and the same notify event invoked twice (Lambda async invokes are at-least-once)',
        users: { quick: 4, full: 20 },
        perSecond: { quick: 10, full: 20 },
        publish:
          ({ apigw, ledger }) =>
          async (userId, sequence) => {
            doubled++;
            if (sequence % 2 === 0) {
              const notification = createNotification({
                type: 'sync.progress',
                userId,
                jobId: `twice-${sequence}`,
              });
              await apigw.publishEnvelope(notification);
              await apigw.publishEnvelope(notification);
              return notification;
            }
            const event = { userId, jobId: `invoked-twice-${sequence}`, type: 'sync.complete' };
            ledger.jobAccepted(userId, event.jobId);
            await apigw.invokeNotify(event);
            await apigw.invokeNotify(event);
            return undefined;
          },
        async inject() {
          await hold(context.scale === 'full' ? 10_000 : 2000);
          return {
            observations: [
              `${doubled} notifications sent twice (half as one envelope, half as one notify event)`,
            ],
          };
        },
      },
      context,
    );
  },
};

export const apigwHardTimeout: Scenario = {
  id: 'apigw-hard-timeout',
  variant: 'apigw-websocket',
  title: 'Hard-timeout reconnect during a burst',
  fast: false,
  run: (context) => {
    const hardTimeoutSeconds = 4;
    return runApigwFault(
      {
        id: 'apigw-hard-timeout',
        title: 'Hard-timeout reconnect during a burst',
        fault: `API Gateway's connection cap shrunk to ${hardTimeoutSeconds} s (AWS: 2 h) while notifications burst; every client is cut (1001) mid-burst`,
        stack: { hardTimeoutSeconds },
        users: { quick: 4, full: 15 },
        perSecond: { quick: 30, full: 60 },
        warmupMs: 0,
        async inject(env) {
          const cutsBefore = env.fleet.totals().cuts;
          await hold((hardTimeoutSeconds * 2 + 1) * 1000);
          const cuts = env.fleet.totals().cuts - cutsBefore;
          const back = await env.fleet.allConnected(30_000);
          return {
            checks: [
              check(
                'every client was cut by the cap at least once',
                cuts >= env.fleet.members.length,
                `${cuts} cuts for ${env.fleet.members.length} clients`,
              ),
              check('every client reconnected', back, `${env.fleet.members.length} clients`),
            ],
          };
        },
      },
      context,
    );
  },
};

/**
 * The SDK's keep-alive, shortened so a scenario can watch it work (defaults: 5 min + 10 s). Quick
 * runs shorter still so `npm test` stays fast.
 */
const BLACKHOLE_KEEP_ALIVE = {
  full: { darkMs: 30_000, keepAliveIntervalMs: 5000, pongTimeoutMs: 3000 },
  quick: { darkMs: 4000, keepAliveIntervalMs: 1500, pongTimeoutMs: 1000 },
} as const;

export const apigwBlackhole: Scenario = {
  id: 'apigw-blackhole',
  variant: 'apigw-websocket',
  title: "A client's network blackholed",
  fast: true,
  run: (context) => {
    const { darkMs, keepAliveIntervalMs, pongTimeoutMs } = BLACKHOLE_KEEP_ALIVE[context.scale];
    const heartbeat = `SDK ping every ${keepAliveIntervalMs / 1000} s, pong deadline ${pongTimeoutMs / 1000} s`;
    // Timers on a loaded 2-core machine fire late; the bound is on the mechanism, not the machine.
    const boundMs = keepAliveIntervalMs + pongTimeoutMs + 2000;
    return runApigwFault(
      {
        id: 'apigw-blackhole',
        title: `A client's network blackholed ${darkMs / 1000} s`,
        fault: `the network of some clients drops every byte for ${darkMs / 1000} s (no FIN/RST; reconnects swallowed too); ${heartbeat} (apigwTransport keepAliveIntervalMs ${keepAliveIntervalMs}, pongTimeoutMs ${pongTimeoutMs})`,
        transport: { keepAliveIntervalMs, pongTimeoutMs },
        users: { quick: 4, full: 20 },
        perSecond: { quick: 20, full: 40 },
        networkedClients: { quick: 2, full: 10 },
        // Long enough for the authorizer and $connect of a loaded machine (a clean-clone CI run at
        // load 26 lost 6 notifications at 1.5 s: every reconnect attempt timed out before it opened).
        connectTimeoutMs: 5000,
        settleTimeoutMs: 45_000,
        async inject(env) {
          const victims = env.fleet.members.filter((m) => env.networks.has(m.label));
          const bystanders = env.fleet.members.filter((m) => !env.networks.has(m.label));
          const bystanderCutsBefore = bystanders.reduce((sum, m) => sum + m.cuts, 0);
          const reasonsBefore = new Map(victims.map((m) => [m.label, m.reasons.length]));
          const watch = watchDetection(victims);
          await Promise.all(
            [...env.networks.values()].map(
              (network) => network.blackhole(darkMs, { swallowNew: true }).restored,
            ),
          );
          const { watched, detectedMs } = watch.stop();
          const back = await env.fleet.allConnected(30_000);
          const byPong = victims.filter((m) =>
            m.reasons.slice(reasonsBefore.get(m.label)).includes('pong_timeout'),
          ).length;
          const bystanderCuts = bystanders.reduce((sum, m) => sum + m.cuts, 0) - bystanderCutsBefore;
          const detection = summarizeDetection(heartbeat, watched, detectedMs);
          return {
            checks: [
              check(
                'every blackholed client noticed the dead connection while the network was dark',
                watched === victims.length && detectedMs.length === victims.length,
                `${detectedMs.length} of ${victims.length} left connected (${watched} were connected at the start)`,
              ),
              check(
                'the pong deadline is what noticed it',
                byPong === victims.length,
                `${byPong} of ${victims.length} closed with pong_timeout`,
              ),
              check(
                'noticed within the keep-alive interval plus the pong deadline (+2 s for a loaded machine)',
                detection !== undefined && detection.maxMs <= boundMs,
                `max ${detection ? (detection.maxMs / 1000).toFixed(1) : '-'} s, bound ${boundMs / 1000} s`,
              ),
              check('every blackholed client is connected again', back, `${victims.length} clients`),
            ],
            observations: [
              `clients outside the blackhole cut meanwhile (false alarms of the pong deadline): ${bystanderCuts} of ${bystanders.length}`,
            ],
            ...(detection ? { detection } : {}),
          };
        },
      },
      context,
    );
  },
};

export const apigwFaultScenarios: Scenario[] = [
  apigw410Storm,
  apigwThrottling,
  apigwNotifyThrottled,
  apigwDoubleNotify,
  apigwHardTimeout,
  apigwBlackhole,
  apigwThrottledPosts,
];
