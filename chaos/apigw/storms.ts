import { startDynaliteProcess } from '../../apigw-websocket/local/dynalite-server.js';
import { type ApigwQuotas, quotasForFleet } from '../../apigw-websocket/local/quotas.js';
import { createLatencyHistogram, recordMs, summarize } from '../../benchmarks/histogram.js';
import { ErrorCode } from '../../shared/contract/index.js';
import { THROTTLED_UPGRADE_RETRY_MS } from '../../shared/client/transports/apigw-helpers.js';
import type { FleetMember } from '../fleet.js';
import { pollUntil, STAMP_RESOLUTION_MS } from '../../dev-tools/index.js';
import { check, MiB, type Scale, type Scenario } from '../scenario.js';
import { runApigwFault } from './run-fault.js';

// Issue 24: a reconnect storm under API Gateway's own quotas (docs/APIGW.md, "Quotas, locally").

const CLIENTS_PER_USER = 2;
/** The fleet's resume deadline during a storm (the SDK's default is 10 s; see below). */
const RESUME_TIMEOUT_MS = 60_000;
/** The goal: the whole fleet back within 2x the floor. */
const GOAL_FACTOR = 2;
/** The storm fleet's keep-alive (see the transport below). */
const STORM_KEEPALIVE_MS = 30_000;
/** Publishes in flight at once during the broadcast (the notify Lambda's fan-out of a batch). */
const BROADCAST_CONCURRENCY = 100;
/**
 * No publish of the broadcast starts after this long: the run's 15-minute watchdog covers the
 * fleet's start-up, the storm and the broadcast (locally, notify runs at a few publishes per
 * second in a storm-sized stack on a loaded machine). A broadcast cut short fails its check.
 */
const BROADCAST_BUDGET_MS = 120_000;
/** Broadcast notifications carry `sequence` from here on (the load's own stay far below). */
const BROADCAST_BASE = 1_000_000_000;

const mib = (bytes: number | undefined) =>
  bytes === undefined ? 'unknown' : `${(bytes / MiB).toFixed(1)} MiB`;

const percentiles = (valuesMs: number[]) => {
  const histogram = createLatencyHistogram();
  for (const value of valuesMs) recordMs(histogram, value);
  return summarize(histogram);
};

/** Per member, when it first resumed (ms after `sinceMs`): the time it was back. */
function watchBack(members: FleetMember[], sinceMs: () => number) {
  const back = new Map<string, number>();
  const offs = members.map((m) =>
    m.client.on('resumed', () => {
      if (!back.has(m.label)) back.set(m.label, m.eventAtMs() - sinceMs());
    }),
  );
  return {
    back,
    stop: () => {
      for (const off of offs) off();
    },
  };
}

/**
 * Per member, the times it was refused with 429 (`rate_limited`): the shortest gap between two
 * refusals of one client is how fast it retried a throttled connect.
 */
function watchRefusals(members: FleetMember[]) {
  const refusals = new Map<string, number[]>();
  const offs = members.map((m) =>
    m.client.on('state', ({ reason }) => {
      if (reason?.code !== ErrorCode.RateLimited) return;
      const times = refusals.get(m.label) ?? [];
      times.push(m.eventAtMs());
      refusals.set(m.label, times);
    }),
  );
  return {
    count: () => [...refusals.values()].reduce((sum, times) => sum + times.length, 0),
    shortestGapMs: () => {
      let shortest = Number.POSITIVE_INFINITY;
      for (const times of refusals.values())
        for (let i = 1; i < times.length; i++)
          shortest = Math.min(shortest, (times[i] as number) - (times[i - 1] as number));
      return shortest;
    },
    maxPerClient: () => Math.max(0, ...[...refusals.values()].map((times) => times.length)),
    stop: () => {
      for (const off of offs) off();
    },
  };
}

interface StormPlan {
  id: string;
  title: string;
  /** Users per scale; two SDK clients each. */
  users: Record<Scale, number>;
}

function reconnectStorm({ id, title, users }: StormPlan): Scenario {
  return {
    id,
    variant: 'apigw-websocket',
    title,
    fast: false,
    run: async (context) => {
      const { scale } = context;
      const clients = users[scale] * CLIENTS_PER_USER;
      // AWS's quotas × clients / 10,000: this fleet's storm takes, by quota, what 10,000 clients' takes on AWS.
      const quotas: ApigwQuotas = quotasForFleet(clients);
      // The quota's floor: no storm of `clients` can be faster than this on AWS.
      const floor = (clients / quotas.newConnectionsPerSecond) * 1000;
      // Its own process: thousands of $connect, $disconnect and resume reads must not share the
      // event loop that holds the fleet and the quota gate.
      const dynamodb = await startDynaliteProcess();
      try {
        return await runApigwFault(
          {
            id,
            title,
            fault: `${clients} SDK clients lose their network at once (every socket dropped at the emulated API Gateway, no close frame) and reconnect under its quotas scaled to the fleet (× ${clients} / 10,000: ${quotas.newConnectionsPerSecond} new connections/s, account throttle ${quotas.accountRequestsPerSecond} requests/s with a burst of ${quotas.accountBurst}); then one notification to every user at once under the same throttle`,
            stack: () => ({ quotas, dynamodbEndpoint: dynamodb.endpoint }),
            users,
            clientsPerUser: { quick: CLIENTS_PER_USER, full: CLIENTS_PER_USER },
            perSecond: { quick: 10, full: 20 },
            connectTimeoutMs: 30_000,
            // The SDK's default resume deadline (10 s) is shorter than this machine's stand-in takes to
            // answer a resume in the middle of a storm: every resume then timed out, every client
            // reconnected, and no client of 1,000 was back after 200 s (2026-12-06, load average 32).
            // A post notify gives up on under the throttle is caught up at the client's next
            // keep-alive (its pong carries the log's position): every 30 s here, so that lands
            // within the settle window (the SDK's default is 5 minutes; quick scale lost 6 of the
            // broadcast's 60 to it, 2026-12-06). One ping per client per 30 s is 3.3 % of the
            // account throttle scaled to the fleet (10,000 requests/s per 10,000 clients; API
            // Gateway Developer Guide, "Amazon API Gateway quotas", throttle per account per Region).
            transport: { resumeTimeoutMs: RESUME_TIMEOUT_MS, keepAliveIntervalMs: STORM_KEEPALIVE_MS },
            connectConcurrency: 50,
            // 5,000 SDK clients beside the quota gate made this process the bottleneck.
            clientProcesses: { quick: 1, full: 2 },
            readyTimeoutMs: 600_000,
            settleTimeoutMs: 90_000,
            async inject(env) {
              const { gate } = env.apigw.stack;
              const members = env.fleet.members;

              // serverless-offline's memory as /proc shows it, before the storm (see the observation).
              const rssBefore = await env.apigw.offlineRss();
              const retainedBefore = await env.apigw.offlineRetained();

              // 1. The storm: every socket dropped at once, every client reconnects and resumes.
              let droppedAtMs = Date.now();
              const backWatch = watchBack(members, () => droppedAtMs);
              const refusals = watchRefusals(members);
              const reasonsBefore = members.map((m) => m.reasons.length);
              const throttledBefore = gate.stats.connectsThrottled;
              const acceptedBefore = gate.stats.connectsAccepted;
              droppedAtMs = Date.now();
              const dropped = gate.dropAll();
              const allBack = await pollUntil(
                () => backWatch.back.size === members.length,
                // The run's watchdog is 15 minutes: the fleet's start-up and this wait share them.
                Math.max(60_000, Math.min(300_000, 10 * floor)),
                50,
              );
              const acceptedPerSecond =
                ((gate.stats.connectsAccepted - acceptedBefore) / Math.max(1, Date.now() - droppedAtMs)) *
                1000;
              backWatch.stop();
              refusals.stop();
              const stormMs = Date.now() - droppedAtMs;
              const reasons = new Map<string, number>();
              members.forEach((m, i) => {
                for (const code of m.reasons.slice(reasonsBefore[i] ?? 0))
                  reasons.set(String(code), (reasons.get(String(code)) ?? 0) + 1);
              });
              const reasonText = [...reasons.entries()].map(([code, n]) => `${code} ${n}`).join(', ');
              const times = percentiles([...backWatch.back.values()]);
              const connects429 = gate.stats.connectsThrottled - throttledBefore;
              const shortestGapMs = refusals.shortestGapMs();
              env.log(
                `  storm: reasons ${reasonText}; ${backWatch.back.size} of ${members.length} back; 50 % ${times.p50Ms} ms, 99 % ${times.p99Ms} ms, 100 % ${times.maxMs} ms (floor ${floor} ms); ${connects429} upgrades answered 429`,
              );

              // 2. A broadcast: one notification to every user at once, through the notify path
              // (log append, connection query, @connections posts) under the account throttle.
              const callbacks429Before = gate.stats.callbacksThrottled;
              const postsThrottledBefore = env.apigw.counts.get('PostsThrottled') ?? 0;
              const postsFailedBefore = env.apigw.counts.get('PostsFailed') ?? 0;
              const gotBroadcast = new Set<string>();
              const broadcastOffs = members.map((m) =>
                m.client.on('notification', ({ notification }) => {
                  const sequence = (notification.data as { sequence?: unknown } | undefined)?.sequence;
                  if (typeof sequence === 'number' && sequence >= BROADCAST_BASE) gotBroadcast.add(m.label);
                }),
              );
              const broadcastStartMs = Date.now();
              let next = 0;
              const publishedTo = new Set<string>();
              const publishAll = async () => {
                while (next < env.users.length && Date.now() - broadcastStartMs < BROADCAST_BUDGET_MS) {
                  const index = next++;
                  const userId = env.users[index] as string;
                  env.ledger.published(await env.apigw.publish(userId, BROADCAST_BASE + index));
                  publishedTo.add(userId);
                }
              };
              await Promise.all(Array.from({ length: BROADCAST_CONCURRENCY }, publishAll));
              const publishedMs = Date.now() - broadcastStartMs;
              const expected = members.filter((m) => publishedTo.has(m.userId)).length;
              const broadcastDelivered = await pollUntil(() => gotBroadcast.size >= expected, 90_000, 50);
              const broadcastMs = Date.now() - broadcastStartMs;
              for (const off of broadcastOffs) off();
              const callbacks429 = gate.stats.callbacksThrottled - callbacks429Before;
              const postsThrottled = (env.apigw.counts.get('PostsThrottled') ?? 0) - postsThrottledBefore;
              const postsFailed = (env.apigw.counts.get('PostsFailed') ?? 0) - postsFailedBefore;

              // Plain RSS after the broadcast, then after a full GC (what the growth bound reads).
              const rssAfter = await env.apigw.offlineRss();
              const retained = await env.apigw.offlineRetained();
              const goalMs = GOAL_FACTOR * floor;
              return {
                checks: [
                  check(
                    'every socket was dropped',
                    dropped === members.length,
                    `${dropped} of ${members.length}`,
                  ),
                  check(
                    'every client reconnected and resumed',
                    allBack,
                    `${backWatch.back.size} of ${members.length}`,
                  ),
                  check(
                    `100 % back within ${GOAL_FACTOR}x the quota's floor (${clients} clients / ${quotas.newConnectionsPerSecond} per s = ${floor / 1000} s)`,
                    allBack && times.maxMs <= goalMs,
                    `${times.maxMs} ms, goal ${goalMs} ms`,
                  ),
                  check(
                    `no client retried a throttled connect sooner than the SDK's floor (${THROTTLED_UPGRADE_RETRY_MS} ms after a 429)`,
                    shortestGapMs >= THROTTLED_UPGRADE_RETRY_MS - STAMP_RESOLUTION_MS,
                    Number.isFinite(shortestGapMs)
                      ? `shortest gap between two 429s of one client ${shortestGapMs} ms (whole-ms stamps read a full ${THROTTLED_UPGRADE_RETRY_MS} ms wait as ${THROTTLED_UPGRADE_RETRY_MS - STAMP_RESOLUTION_MS} at least)`
                      : 'no client was refused twice',
                  ),
                  check(
                    `the broadcast was published to every user within ${BROADCAST_BUDGET_MS / 1000} s`,
                    publishedTo.size === env.users.length,
                    `${publishedTo.size} of ${env.users.length} users in ${publishedMs} ms`,
                  ),
                  check(
                    'every client of those users got it',
                    broadcastDelivered,
                    `${gotBroadcast.size} of ${expected}`,
                  ),
                ],
                observations: [
                  `storm: ${members.length} clients; 50 % connected and resumed after ${times.p50Ms} ms, 99 % after ${times.p99Ms} ms, 100 % after ${times.maxMs} ms (${stormMs} ms until the last); the quota's floor ${floor} ms (goal ${goalMs} ms)`,
                  `storm: the emulated API Gateway accepted ${acceptedPerSecond.toFixed(0)} upgrades/s on average (the quota allows ${quotas.newConnectionsPerSecond}/s)`,
                  `storm: why clients left or failed to reach connected (SDK reason codes): ${reasonText}`,
                  `storm: ${connects429} upgrades answered 429 by the emulated API Gateway; ${refusals.count()} seen by the SDK as rate_limited (at most ${refusals.maxPerClient()} for one client)`,
                  `broadcast: ${publishedTo.size} of ${env.users.length} users' notifications published (${expected} clients), ${BROADCAST_CONCURRENCY} publishes at a time, in ${publishedMs} ms; handed over to ${gotBroadcast.size} clients in ${broadcastMs} ms; ${callbacks429} @connections calls answered 429 (${postsThrottled} throttled posts retried by notify, ${postsFailed} given up and caught up from the log)`,
                  `serverless-offline memory: RSS ${mib(rssBefore?.bytes)} before the storm, ${mib(rssAfter?.bytes)} after the broadcast; after a full GC ${mib(retainedBefore.rssBytes)} → ${mib(retained.rssBytes)} RSS, ${mib(retainedBefore.heapUsedBytes)} → ${mib(retained.heapUsedBytes)} V8 heap in use (before the storm → after the broadcast)`,
                  `quota gate totals: ${gate.stats.connectsAccepted} upgrades accepted, ${gate.stats.connectsThrottled} refused; ${gate.stats.callbacksAccepted} @connections calls accepted, ${gate.stats.callbacksThrottled} refused`,
                ],
              };
            },
          },
          context,
        );
      } finally {
        await dynamodb.close();
      }
    },
  };
}

/** The storm: 5,000 SDK clients (full scale). */
export const apigwReconnectStorm = reconnectStorm({
  id: 'apigw-reconnect-storm',
  title: "Reconnect storm under API Gateway's quotas (5,000 clients)",
  users: { quick: 30, full: 2500 },
});

/** The same at 1,000 clients: the largest storm this machine completed (docs/DEPLOY.md, "Reconnect storms under API Gateway's quotas"). */
export const apigwReconnectStorm1000 = reconnectStorm({
  id: 'apigw-reconnect-storm-1000',
  title: "Reconnect storm under API Gateway's quotas (1,000 clients)",
  users: { quick: 30, full: 500 },
});

// The 1,000-client storm first: the 5,000 one is where this machine stops, and a run the watchdog
// ends there still has every other row.
export const apigwStormScenarios: Scenario[] = [apigwReconnectStorm1000, apigwReconnectStorm];
