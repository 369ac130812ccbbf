import { RECENT_POSITIONS } from '@syncbell/contract';
import { logAppendWriteUnits, pingReadUnits, unitsPer } from './apigw-units.js';
import { type ApigwDeployment, DEFAULT_DEPLOYMENT } from './deployed.js';
import type { RegionPrices } from './prices.js';
import { type CostLine, type OptionCost, priceLine, stackOverheadLines, sumLines } from './report.js';
import { DAYS_PER_MONTH, HOURS_PER_MONTH, SECONDS_PER_MONTH, type Workload } from './workload.js';

const MILLION = 1_000_000;
const GIB = 1024 ** 3;

/** API Gateway meters WebSocket messages in 32 KB steps: a 33 KB message is 2 messages. */
export const APIGW_METERING_STEP_BYTES = 32 * 1024;

export function meteredMessages(messageBytes: number): number {
  return Math.max(1, Math.ceil(messageBytes / APIGW_METERING_STEP_BYTES));
}

/** API Gateway closes every connection at 2 hours (hard limit). */
export const APIGW_MAX_CONNECTION_HOURS = 2;

/** Lambda settings and stated durations. Every field is documented with its default. */
export interface ApigwSizing {
  /** REQUEST authorizer on `$connect`: verify the JWT, no I/O. @default 10 */
  authorizerMs: number;
  /** Billed duration of `$connect`: one DynamoDB put. @default 20 */
  connectMs: number;
  /** `$disconnect`: one DynamoDB delete. @default 15 */
  disconnectMs: number;
  /** `$default` answering a ping with a pong, after one eventually consistent Query of 4 items (the user's log position). @default 8 */
  pingMs: number;
  /** `$default` answering resume: one query, one post back. @default 25 */
  resumeMs: number;
  /** `notify` fixed part: append to the log, query the user's connections. @default 25 */
  notifyBaseMs: number;
  /** `notify` per connection posted through the management API. @default 15 */
  notifyPerConnectionMs: number;
  /** Share of connections that end without a `$disconnect` and are found stale on a 410. @default 0.01 */
  staleConnectionFraction: number;
  /** Client to server keep-alive when none is given: half the 10-minute idle timeout. @default 300 */
  defaultKeepaliveSeconds: number;
  /** `{"type":"notification","notification":...}` around the notification. @default 39 */
  frameWrapperBytes: number;
  /** Pong frame `{"type":"pong","serverTimeMs":...,"latest":"<ULID>"}`. @default 77 */
  pongBytes: number;
  /** Replay answer with nothing missed. @default 60 */
  emptyReplayBytes: number;
  /** CloudWatch log bytes per invocation: Lambda's START, END and REPORT lines (the handlers log only refusals at info). @default 350 */
  lambdaLogBytesPerInvocation: number;
  /** Access-log bytes per WebSocket API request (connect, disconnect, each message in). @default 250 */
  accessLogBytesPerRequest: number;
}

export const DEFAULT_APIGW_SIZING: ApigwSizing = {
  authorizerMs: 10,
  connectMs: 20,
  disconnectMs: 15,
  pingMs: 8,
  resumeMs: 25,
  notifyBaseMs: 25,
  notifyPerConnectionMs: 15,
  staleConnectionFraction: 0.01,
  defaultKeepaliveSeconds: 300,
  frameWrapperBytes: 39,
  pongBytes: 77,
  emptyReplayBytes: 60,
  lambdaLogBytesPerInvocation: 350,
  accessLogBytesPerRequest: 250,
};

/** Billable parts of the API Gateway stack the model leaves out, each with the reason (checked against the template). */
export const APIGW_UNPRICED: readonly { what: string; why: string }[] = [
  {
    what: 'the HTTP API and the jobs function',
    why: 'the demo entry point that starts a job; production notifications come from your backend invoking notify, which is priced; both bill per request only',
  },
  {
    what: 'the publish function',
    why: 'POST /v1/publish does the same claim, log and post as notify, which is priced per notification: a notification sent through it costs about the same, plus one HTTP API request ($1.00 per million)',
  },
  {
    what: 'DynamoDB storage and point-in-time recovery',
    why: 'rows expire by TTL, so both tables hold well under a GB ($0.25 and $0.20 per GB-month)',
  },
  { what: 'SNS alarm topic', why: 'a few notifications a month, inside the free tier' },
];

export function apigwOptionCost(
  workload: Workload,
  prices: RegionPrices,
  sizing: ApigwSizing = DEFAULT_APIGW_SIZING,
  deployment: ApigwDeployment = DEFAULT_DEPLOYMENT.apigw,
): OptionCost {
  const arch = workload.arch ?? deployment.arch;
  const keepaliveSeconds = workload.keepaliveSeconds ?? sizing.defaultKeepaliveSeconds;
  // Little's law: average connections / lifetime = connects per unit time. The 2-hour cap
  // bounds the lifetime, so long sessions reconnect (with resume) at least every 2 hours.
  const forcedConnectsPerDay = (workload.avgConnections * 24) / APIGW_MAX_CONNECTION_HOURS;
  const connectsPerDay = Math.max(workload.connectsPerDay, forcedConnectsPerDay);
  const connects = connectsPerDay * DAYS_PER_MONTH;
  const notifications = workload.notificationsPerDay * DAYS_PER_MONTH;
  const deliveries = notifications * workload.connectionsPerUser;
  const frameBytes = workload.messageBytes + sizing.frameWrapperBytes;
  const perDelivery = meteredMessages(frameBytes);
  const pings = (workload.avgConnections * SECONDS_PER_MONTH) / keepaliveSeconds;
  // The pong names the log's newest ids (`latest`, `recent`); the client resumes once when the log
  // holds one it has not handed over (issue 21: a failed live post is caught up within one
  // keep-alive round), or more new ones than `recent` names. At most one per keep-alive round and
  // one per delivery: an upper bound, which only failed posts and busy users approach; how many
  // live posts fail is not known ahead, so the bound is what is priced.
  const catchUps = Math.min(deliveries, pings);
  const stale = connects * sizing.staleConnectionFraction;

  const messageFigure = prices.apigwWebsocketMessagePerMillionUsd;
  const lines: CostLine[] = [
    priceLine(
      'API Gateway connection-minutes',
      workload.avgConnections * HOURS_PER_MONTH * 60,
      'connection-minute',
      prices.apigwConnectionMinutePerMillionUsd,
      MILLION,
    ),
    priceLine(
      `API Gateway messages: notifications out (${perDelivery} per ${frameBytes}-byte frame)`,
      deliveries * perDelivery,
      'message',
      messageFigure,
      MILLION,
    ),
    priceLine(
      'API Gateway messages: keep-alive pings in + pongs out',
      pings * 2,
      'message',
      messageFigure,
      MILLION,
    ),
    priceLine(
      `API Gateway messages: catch-up resume in + replay out after a keep-alive (at most one per delivery; ${perDelivery} message(s) per replay)`,
      catchUps * (1 + perDelivery),
      'message',
      messageFigure,
      MILLION,
    ),
    priceLine(
      'API Gateway messages: resume in + replay out per connect',
      connects * 2,
      'message',
      messageFigure,
      MILLION,
    ),
  ];

  const gbSecond = arch === 'arm64' ? prices.lambdaGbSecondArm64Usd : prices.lambdaGbSecondX86Usd;
  const memoryGb = deployment.lambdaMemoryMb / 1024;
  const notifyMs = sizing.notifyBaseMs + sizing.notifyPerConnectionMs * workload.connectionsPerUser;
  const handlers: [name: string, invocations: number, gbSeconds: number][] = [
    // A WebSocket authorizer has no result cache (API Gateway refuses the TTL on WEBSOCKET APIs):
    // one call per connect.
    ['authorizer ($connect)', connects, (connects * sizing.authorizerMs * memoryGb) / 1000],
    ['$connect', connects, (connects * sizing.connectMs * memoryGb) / 1000],
    ['$disconnect', connects, (connects * sizing.disconnectMs * memoryGb) / 1000],
    [
      '$default (ping, resume)',
      pings + connects + catchUps,
      ((pings * sizing.pingMs + (connects + catchUps) * sizing.resumeMs) * memoryGb) / 1000,
    ],
    ['notify', notifications, (notifications * notifyMs * memoryGb) / 1000],
  ];
  for (const [name, invocations, gbSeconds] of handlers) {
    lines.push(
      priceLine(
        `Lambda requests: ${name}`,
        invocations,
        'request',
        prices.lambdaRequestPerMillionUsd,
        MILLION,
      ),
      priceLine(`Lambda compute: ${name} (${arch})`, gbSeconds, 'GB-second', gbSecond),
    );
  }

  const wru = prices.dynamodbWriteRequestUnitPerMillionUsd;
  const rru = prices.dynamodbReadRequestUnitPerMillionUsd;
  const connect = unitsPer('connect');
  const disconnect = unitsPer('disconnect');
  const notify = unitsPer('notification');
  const staleUnits = unitsPer('staleConnection');
  const resume = unitsPer('resume');
  const appendUnits = logAppendWriteUnits(workload.messageBytes);
  lines.push(
    priceLine('DynamoDB writes: $connect put + GSI', connects * connect.writeUnits, 'WRU', wru, MILLION),
    priceLine(
      'DynamoDB writes: $disconnect delete + GSI',
      connects * disconnect.writeUnits,
      'WRU',
      wru,
      MILLION,
    ),
    priceLine(
      `DynamoDB writes: notify log append (${appendUnits} WRU each)`,
      notifications * appendUnits,
      'WRU',
      wru,
      MILLION,
    ),
    priceLine(
      `DynamoDB writes: notify job claim (${appendUnits} WRU each)`,
      notifications * appendUnits,
      'WRU',
      wru,
      MILLION,
    ),
    priceLine(
      'DynamoDB reads: notify GSI query of the user’s connections',
      notifications * notify.readUnits,
      'RRU',
      rru,
      MILLION,
    ),
    priceLine(
      'DynamoDB writes: stale connections deleted on 410',
      stale * staleUnits.writeUnits,
      'WRU',
      wru,
      MILLION,
    ),
    priceLine('DynamoDB reads: resume query per connect', connects * resume.readUnits, 'RRU', rru, MILLION),
    priceLine(
      `DynamoDB reads: keep-alive log position (${RECENT_POSITIONS} items per ping, eventually consistent)`,
      pings * pingReadUnits(workload.messageBytes),
      'RRU',
      rru,
      MILLION,
    ),
    priceLine('DynamoDB reads: catch-up resume query', catchUps * resume.readUnits, 'RRU', rru, MILLION),
  );

  const bytesOut =
    deliveries * (frameBytes + 4) +
    pings * (sizing.pongBytes + 2) +
    catchUps * (sizing.emptyReplayBytes + frameBytes) +
    connects * (sizing.emptyReplayBytes + 250);
  lines.push(
    priceLine('Data transfer out to the internet', bytesOut / GIB, 'GB', prices.dataTransferOutGbUsd),
  );

  const invocations = handlers.reduce((total, [, count]) => total + count, 0);
  // Access-logged requests: connect, disconnect, each ping and each resume message.
  const apiRequests = connects * 2 + pings + connects + catchUps;
  const logGbPerMonth =
    (invocations * sizing.lambdaLogBytesPerInvocation + apiRequests * sizing.accessLogBytesPerRequest) / GIB;
  lines.push(
    ...stackOverheadLines(
      {
        logGroups: deployment.logGroups,
        logRetentionDays: deployment.logRetentionDays,
        logGbPerMonth,
        secrets: deployment.secrets,
        alarmMetrics: deployment.alarmMetrics,
      },
      prices,
    ),
  );

  const assumptions = [
    `Connections: ${workload.avgConnections.toLocaleString('en-US')} on average, billed per minute; API Gateway needs no capacity planning, so peak connections do not change the bill.`,
    `Connects: max(${workload.connectsPerDay.toLocaleString('en-US')} given, ${forcedConnectsPerDay.toLocaleString('en-US')} forced by the 2-hour connection cap) = ${connectsPerDay.toLocaleString('en-US')} a day; each connect sends resume and gets a replay (2 messages).`,
    `Keep-alive: the client pings every ${keepaliveSeconds} s (${workload.keepaliveSeconds === null ? 'default: half the 10-minute idle timeout; API Gateway sends no pings itself' : 'from --keepalive-seconds'}); ping and pong are both billed messages, each ping invokes $default, which reads the user's log position (its ${RECENT_POSITIONS} newest items: ${pingReadUnits(workload.messageBytes)} RRU) for the pong. When the log holds a notification the client has not handed over (a failed live post) or more new ones than the pong names, the client resumes once (a billed resume and replay, a $default invocation, 1 RRU): priced as one per delivery, capped at one per ping (an upper bound: with the pong's recent ids a notification that arrived live needs none, but how many live posts fail is not known ahead).`,
    `Messages are metered in 32 KB steps: a ${frameBytes}-byte notification frame (${workload.messageBytes} B + ${sizing.frameWrapperBytes} B wrapper) is ${perDelivery} message(s) per connection, ${workload.connectionsPerUser} connection(s) per user.`,
    `Lambda: ${deployment.lambdaMemoryMb} MB, ${arch} (as deployed: memoryMiB, lambdaArchitecture); stated durations (not measured: the benchmarks run API Gateway under local emulation): authorizer ${sizing.authorizerMs} ms, $connect ${sizing.connectMs} ms, $disconnect ${sizing.disconnectMs} ms, ping ${sizing.pingMs} ms, resume ${sizing.resumeMs} ms, notify ${sizing.notifyBaseMs} ms + ${sizing.notifyPerConnectionMs} ms per connection.`,
    `DynamoDB on-demand, units per operation from cost/apigw-units.ts (docs/APIGW.md): put or delete of a connection = 1 WRU + 1 WRU for the userId GSI; notify = ${appendUnits} WRU log append (item ≤ ${appendUnits} KB) + ${appendUnits} WRU job claim (a conditional put of the same size, so a retried notify sends nothing twice; a repeat adds 1 RRU, not counted) + 0.5 RRU eventually consistent GSI query; resume = 1 RRU strongly consistent query (< 4 KB); ${sizing.staleConnectionFraction * 100}% of connections end without $disconnect and cost a row + GSI delete when a 410 finds them.`,
    'The REQUEST authorizer runs once per connect (identity source: the token in the query string; tokens differ per user, so its cache is assumed to miss).',
    `Stack overhead: ${deployment.logGroups.length} log groups kept ${deployment.logRetentionDays} days (${sizing.lambdaLogBytesPerInvocation} B per invocation, ${sizing.accessLogBytesPerRequest} B per access-logged request), ${deployment.secrets} secret(s), ${deployment.alarmMetrics} alarm metrics; DynamoDB tables on-demand (${deployment.tables.map((table) => table.name).join(', ')}).`,
    `Not priced: ${APIGW_UNPRICED.map((item) => `${item.what} (${item.why})`).join('; ')}.`,
  ];
  return {
    id: 'apigw',
    label: 'API Gateway WebSocket + Lambda + DynamoDB',
    monthlyUsd: sumLines(lines),
    lines,
    assumptions,
  };
}
