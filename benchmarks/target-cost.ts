import { apigwOptionCost } from '../cost/apigw.js';
import { pricesFor, type Region } from '../cost/prices.js';
import { DAYS_PER_MONTH, HOURS_PER_MONTH, resolveWorkload } from '../cost/workload.js';
import { benchNotification } from './payload.js';
import { PROFILES, type Profile } from './profiles.js';
import { contenderContext, type ScenarioContext } from './scenarios.js';
import { targetContender } from './target.js';

/** What one `--target` scenario does to a deployed API Gateway stack. */
export interface TargetScenarioCounts {
  scenario: string;
  connects: number;
  /** Connections times how long each is held, estimated from the profile's ramp and publish rate. */
  connectionMinutes: number;
  notifications: number;
  /** Posts to connections: a notification reaches every connection of its user. */
  deliveries: number;
  keepaliveSeconds: number;
}

/** Stragglers, collection and the report between phases: a generous allowance per phase. */
const SETTLE_SECONDS = 5;

/** The counts of each scenario a `--target wss://…` run of `profile` makes, after the target's caps. */
export function apigwTargetCounts(profile: Profile): TargetScenarioCounts[] {
  const contender = targetContender({
    url: 'wss://target.invalid/prod',
    publishUrl: 'https://target.invalid/v1/publish',
  });
  const capped = contenderContext({ profile } as ScenarioContext, contender).profile;
  const keepaliveSeconds = capped.heartbeat.intervalMs / 1000;
  const rows: TargetScenarioCounts[] = [];
  for (const connections of capped.unicastConnections) {
    const measured =
      capped.runs * Math.max(1, Math.round(capped.unicastRatePerSecond * capped.unicastSeconds));
    const notifications = capped.warmupNotifications + measured;
    const seconds =
      connections / capped.rampPerSecond +
      notifications / capped.unicastRatePerSecond +
      SETTLE_SECONDS * (capped.runs + 1);
    rows.push({
      scenario: `unicast, ${connections.toLocaleString('en-US')} connections`,
      connects: connections,
      connectionMinutes: (connections * seconds) / 60,
      notifications,
      deliveries: notifications,
      keepaliveSeconds,
    });
  }
  const fanout = capped.fanoutConnections;
  const publishes = capped.runs + 1; // one warm-up
  const seconds = fanout / capped.rampPerSecond + SETTLE_SECONDS * publishes;
  rows.push({
    scenario: `fan-out to ${fanout.toLocaleString('en-US')} connections of one user`,
    connects: fanout,
    connectionMinutes: (fanout * seconds) / 60,
    notifications: publishes,
    deliveries: publishes * fanout,
    keepaliveSeconds,
  });
  return rows;
}

/**
 * The cost model's API Gateway bill (cost/apigw.ts: messages, connection-minutes, Lambda requests
 * and GB-seconds, DynamoDB units, transfer, log ingestion) for these counts: priced as a month whose
 * totals are the run's, minus the same stack's bill for an empty month (the fixed monthly parts
 * a run does not add: secrets, alarms).
 */
export function apigwRunCostUsd(counts: TargetScenarioCounts, region: Region = 'us-east-1'): number {
  const prices = pricesFor(region);
  const messageBytes = JSON.stringify(benchNotification('u-1', 1)).length;
  const month = (avgConnections: number, connects: number, notifications: number, perUser: number) =>
    apigwOptionCost(
      resolveWorkload({
        avgConnections,
        peakConnections: avgConnections,
        connectsPerDay: connects / DAYS_PER_MONTH,
        notificationsPerDay: notifications / DAYS_PER_MONTH,
        connectionsPerUser: perUser,
        messageBytes,
        keepaliveSeconds: counts.keepaliveSeconds,
        region,
      }),
      prices,
    ).monthlyUsd;
  const run = month(
    counts.connectionMinutes / (HOURS_PER_MONTH * 60),
    counts.connects,
    counts.notifications,
    counts.deliveries / counts.notifications,
  );
  return run - month(0, 0, 0, 1);
}

/** The DEPLOY.md table: each profile's scenarios against a deployed API Gateway stack, priced. */
export function apigwTargetCostTable(region: Region = 'us-east-1'): string {
  const lines = [
    '| profile | scenario | connects | connection-minutes | notifications | posts to connections | keep-alive | cost (USD) |',
    '| ------- | -------- | -------: | -----------------: | ------------: | -------------------: | ---------: | ---------: |',
  ];
  for (const name of ['quick', 'full'] as const) {
    let total = 0;
    for (const row of apigwTargetCounts(PROFILES[name])) {
      const usd = apigwRunCostUsd(row, region);
      total += usd;
      lines.push(
        `| ${name} | ${row.scenario} | ${row.connects.toLocaleString('en-US')} | ${Math.round(row.connectionMinutes).toLocaleString('en-US')} | ${row.notifications.toLocaleString('en-US')} | ${row.deliveries.toLocaleString('en-US')} | ${row.keepaliveSeconds} s | ${usd.toFixed(6)} |`,
      );
    }
    lines.push(`| ${name} | **whole run** | | | | | | **${total.toFixed(6)}** |`);
  }
  return lines.join('\n');
}
