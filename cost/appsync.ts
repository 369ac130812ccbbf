import { logAppendWriteUnits, unitsPer } from './apigw-units.js';
import { type ApigwDeployment, DEFAULT_DEPLOYMENT } from './deployed.js';
import type { RegionPrices } from './prices.js';
import { type CostLine, type OptionCost, priceLine, stackOverheadLines, sumLines } from './report.js';
import { DAYS_PER_MONTH, HOURS_PER_MONTH, SECONDS_PER_MONTH, type Workload } from './workload.js';

const MILLION = 1_000_000;
const GIB = 1024 ** 3;

export const APPSYNC_MARKER = 'priced, not implemented or measured here';

/**
 * AppSync Events as syncbell would use it: one channel per user (`/notifications/{userId}`),
 * a Lambda authorizer verifying the HS256 token on connect and subscribe (OIDC mode needs a
 * JWKS, which a shared-secret token has not), a Lambda that publishes each notification over
 * the HTTP endpoint, and, for a like-for-like comparison, the replay the other options have:
 * a DynamoDB log written on publish and read by a fetch on reconnect. Nothing here is built or
 * measured; every duration and byte count is stated.
 */
export interface AppsyncSizing {
  /** Interval of AppSync's "ka" keep-alive messages, seconds (stated; the protocol leaves it to the service, verify). @default 60 */
  keepaliveSeconds: number;
  /** Channel subscriptions per connection (the user's channel). @default 1 */
  subscribesPerConnect: number;
  /** Lambda authorizer invocations per connect: the connect and the subscribe. @default 2 */
  authorizerCallsPerConnect: number;
  /** @default 10 */
  authorizerMs: number;
  /** The publishing Lambda: append to the replay log, one HTTP publish. @default 30 */
  publishMs: number;
  /** The replay fetch on reconnect (a Lambda function URL: one query, one answer). @default 25 */
  replayFetchMs: number;
  /** Bytes around each delivered event (`{"type":"data","id":...,"event":...}` and the WS header). @default 80 */
  eventEnvelopeBytes: number;
  /** A "ka" frame. @default 15 */
  keepaliveBytes: number;
  /** connection_ack and subscribe_success per connect, plus the replay answer. @default 400 */
  connectBytesOut: number;
  /** CloudWatch log bytes per Lambda invocation (START, END, REPORT). @default 350 */
  lambdaLogBytesPerInvocation: number;
}

export const DEFAULT_APPSYNC_SIZING: AppsyncSizing = {
  keepaliveSeconds: 60,
  subscribesPerConnect: 1,
  authorizerCallsPerConnect: 2,
  authorizerMs: 10,
  publishMs: 30,
  replayFetchMs: 25,
  eventEnvelopeBytes: 80,
  keepaliveBytes: 15,
  connectBytesOut: 400,
  lambdaLogBytesPerInvocation: 350,
};

export const APPSYNC_LIMITS: readonly string[] = [
  `${APPSYNC_MARKER}: no syncbell variant runs on AppSync Events, and no benchmark measured it`,
  'events up to 240 KB (API Gateway: 128 KB messages in 32 KB frames)',
  'no replay of missed messages: the "replay add-on" lines price a DynamoDB log and a fetch on reconnect, so the comparison is like for like',
  'quotas seen only in secondary sources (verify): about 2,000 connects/s and 10,000 inbound events/s per API',
];

export function appsyncOptionCost(
  workload: Workload,
  prices: RegionPrices,
  sizing: AppsyncSizing = DEFAULT_APPSYNC_SIZING,
  deployment: ApigwDeployment = DEFAULT_DEPLOYMENT.apigw,
): OptionCost {
  // The functions would be deployed as the API Gateway variant's are (memory, architecture).
  const arch = workload.arch ?? deployment.arch;
  const memoryGb = deployment.lambdaMemoryMb / 1024;
  const connects = workload.connectsPerDay * DAYS_PER_MONTH;
  const notifications = workload.notificationsPerDay * DAYS_PER_MONTH;
  const deliveries = notifications * workload.connectionsPerUser;
  const keepalives = (workload.avgConnections * SECONDS_PER_MONTH) / sizing.keepaliveSeconds;
  const operation = prices.appsyncEventsOperationPerMillionUsd;

  const lines: CostLine[] = [
    priceLine(
      'AppSync Events connection-minutes',
      workload.avgConnections * HOURS_PER_MONTH * 60,
      'connection-minute',
      prices.appsyncEventsConnectionMinutePerMillionUsd,
      MILLION,
    ),
    priceLine('AppSync Events operations: connects', connects, 'operation', operation, MILLION),
    priceLine(
      'AppSync Events operations: subscribes',
      connects * sizing.subscribesPerConnect,
      'operation',
      operation,
      MILLION,
    ),
    priceLine('AppSync Events operations: publishes', notifications, 'operation', operation, MILLION),
    priceLine('AppSync Events operations: deliveries', deliveries, 'operation', operation, MILLION),
  ];
  const gbSecond = arch === 'arm64' ? prices.lambdaGbSecondArm64Usd : prices.lambdaGbSecondX86Usd;
  const authorizerCalls = connects * sizing.authorizerCallsPerConnect;
  const handlers: [name: string, invocations: number, ms: number][] = [
    ['authorizer (connect, subscribe)', authorizerCalls, sizing.authorizerMs],
    ['publisher', notifications, sizing.publishMs],
    ['replay add-on: fetch on reconnect', connects, sizing.replayFetchMs],
  ];
  for (const [name, invocations, ms] of handlers) {
    lines.push(
      priceLine(
        `Lambda requests: ${name}`,
        invocations,
        'request',
        prices.lambdaRequestPerMillionUsd,
        MILLION,
      ),
      priceLine(
        `Lambda compute: ${name} (${arch})`,
        (invocations * ms * memoryGb) / 1000,
        'GB-second',
        gbSecond,
      ),
    );
  }
  const appendUnits = logAppendWriteUnits(workload.messageBytes);
  lines.push(
    priceLine(
      `Replay add-on: DynamoDB log append (${appendUnits} WRU each)`,
      notifications * appendUnits,
      'WRU',
      prices.dynamodbWriteRequestUnitPerMillionUsd,
      MILLION,
    ),
    priceLine(
      'Replay add-on: DynamoDB query per reconnect',
      connects * unitsPer('resume').readUnits,
      'RRU',
      prices.dynamodbReadRequestUnitPerMillionUsd,
      MILLION,
    ),
  );
  const bytesOut =
    deliveries * (workload.messageBytes + sizing.eventEnvelopeBytes) +
    keepalives * sizing.keepaliveBytes +
    connects * sizing.connectBytesOut;
  lines.push(
    priceLine('Data transfer out to the internet', bytesOut / GIB, 'GB', prices.dataTransferOutGbUsd),
  );
  const invocations = authorizerCalls + notifications + connects;
  lines.push(
    ...stackOverheadLines(
      {
        logGroups: ['authorizer', 'publisher', 'replay fetch'],
        logRetentionDays: deployment.logRetentionDays,
        logGbPerMonth: (invocations * sizing.lambdaLogBytesPerInvocation) / GIB,
        secrets: deployment.secrets,
        alarmMetrics: 0,
      },
      prices,
    ),
  );

  // Whether "ka" messages are operations is not stated plainly: the headline follows the
  // pricing page's list (connects, subscribes, publishes, deliveries); the high end bills them.
  const monthlyUsd = sumLines(lines);
  const keepaliveLine = priceLine(
    'AppSync Events operations: keep-alive (the reading that bills them)',
    keepalives,
    'operation',
    operation,
    MILLION,
  );
  const count = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 0 });
  return {
    id: 'appsync-events',
    label: `AppSync Events + Lambda + DynamoDB replay (${APPSYNC_MARKER})`,
    monthlyUsd,
    lines,
    range: {
      lowUsd: monthlyUsd,
      highUsd: monthlyUsd + keepaliveLine.usd,
      why: `keep-alive: the pricing page lists connects, subscribes, publishes and deliveries as operations and is silent on "ka" messages; billed, ${count(keepalives)} of them (every ${sizing.keepaliveSeconds} s per connection) add $${keepaliveLine.usd.toFixed(2)}`,
    },
    limits: [...APPSYNC_LIMITS],
    assumptions: [
      `${APPSYNC_MARKER[0]?.toUpperCase()}${APPSYNC_MARKER.slice(1)}: every figure below is stated, none measured.`,
      `Connections: ${count(workload.avgConnections)} on average at $0.08 per million connection-minutes; ${count(workload.connectsPerDay)} connects a day, each with ${sizing.subscribesPerConnect} subscribe (one channel per user) and ${sizing.authorizerCallsPerConnect} Lambda authorizer calls (${sizing.authorizerMs} ms: the HS256 token cannot use OIDC mode, which needs a JWKS).`,
      `Publishing: a Lambda (${deployment.lambdaMemoryMb} MB, ${arch}, ${sizing.publishMs} ms) appends the notification to the replay log and publishes it over the HTTP endpoint: 1 publish operation, then 1 delivery operation per subscribed connection (${workload.connectionsPerUser} per user).`,
      `Keep-alive: AppSync sends "ka" every ${sizing.keepaliveSeconds} s (stated, verify); the client sends nothing, so nothing inbound is billed. The headline leaves "ka" out; the range's high end bills each as an operation.`,
      `Replay add-on (AppSync keeps no log): DynamoDB log append ${appendUnits} WRU per notification, and on reconnect a fetch through a Lambda function URL (${sizing.replayFetchMs} ms, 1 RRU query).`,
      `Data out: ${sizing.eventEnvelopeBytes} B envelope per delivered event, ${sizing.keepaliveBytes} B per "ka", ${sizing.connectBytesOut} B per connect.`,
      `Limits: ${APPSYNC_LIMITS.join('; ')}.`,
    ],
  };
}
