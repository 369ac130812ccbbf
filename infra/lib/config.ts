import {
  APIGW_DEFAULTS,
  MAX_NOTIFY_CONCURRENCY,
  MAX_REPLAY_TTL_SECONDS as APIGW_MAX_REPLAY_TTL_SECONDS,
  MIN_REPLAY_TTL_SECONDS as APIGW_MIN_REPLAY_TTL_SECONDS,
} from '@syncbell/apigw';
import {
  FARGATE_MAX_STOP_TIMEOUT_MS,
  MAX_DRAIN_TIMEOUT_MS,
  SOCKETIO_DEFAULTS,
} from '@syncbell/socketio/config';
import {
  configMessage,
  parseConfig,
  refuseConfig,
  type SyncbellErrorClass,
  syncbellErrorClass,
} from '@syncbell/server';
import { z } from 'zod';

/**
 * Every knob of the two stacks, in one place. Each field is optional on input; `resolve*Config`
 * merges the defaults once into a fully-required config, validating whatever came from CDK
 * context (`cdk.json` or `-c syncbell:ecs='{"desiredCount":3}'`), since context is user input.
 */

/** Settings shared by both stacks. */
export interface CommonOptions {
  /**
   * Name of an existing Secrets Manager secret holding the HS256 JWT secret (at least 32 bytes).
   * Set the same name on both stacks when one token issuer serves both variants.
   * @default undefined (each stack generates its own 64-character secret)
   */
  jwtSecretName?: string;
  /**
   * CloudWatch Logs retention for every log group the stack creates.
   * @default 30
   */
  logRetentionDays?: number;
  /**
   * Keep stateful resources (tables, Redis snapshots, log buckets) when the stack is deleted.
   * @default true (production-shaped; DEPLOY.md shows how to delete them on teardown)
   */
  retainData?: boolean;
  /**
   * Email subscribed to the alarm topic.
   * @default undefined (the topic is created without subscribers)
   */
  alarmEmail?: string;
}

export interface EcsSocketIoOptions extends CommonOptions {
  /**
   * Availability zones of the VPC (and of the service and Redis).
   * @default 2
   */
  maxAzs?: number;
  /**
   * NAT gateways for the tasks' egress (image pulls, Secrets Manager, logs). One per AZ removes
   * the cross-AZ dependency for task start-up; one keeps the idle bill lower.
   * @default 1
   */
  natGateways?: number;
  /**
   * CPU architecture of the tasks and of the image build (Fargate ARM is about 20% cheaper).
   * @default 'arm64'
   */
  cpuArchitecture?: 'arm64' | 'x86_64';
  /** @default 512 (0.5 vCPU) */
  taskCpu?: number;
  /** @default 1024 */
  taskMemoryMiB?: number;
  /** Server tasks at deploy time and the autoscaling floor. @default 2 */
  desiredCount?: number;
  /** Autoscaling ceiling. @default 10 */
  maxCount?: number;
  /** Target average CPU of the service. @default 60 */
  cpuTargetPercent?: number;
  /**
   * Target concurrent connections per task. Measured as the ALB's ActiveConnectionCount divided by
   * the running task count (the ALB has no per-target connection metric).
   * @default 5000
   */
  connectionsPerTaskTarget?: number;
  /**
   * Open-files limit (`nofile`) of the container: every WebSocket holds a descriptor and Fargate
   * defaults to 1024.
   * @default 65536
   */
  nofileLimit?: number;
  /** Container port; `PORT` in the container. @default 3000 */
  containerPort?: number;
  /**
   * Port of the container's Prometheus `/metrics` listener (`METRICS_PORT`). Not in the target
   * group and not open to the ALB: no security-group rule reaches it, so only a scraper in the
   * task (an ADOT / CloudWatch agent sidecar on localhost) or one you allow explicitly can read it.
   * @default 9464
   */
  metricsPort?: number;
  /**
   * Drain window: `DRAIN_TIMEOUT_MS` in the container, the ALB deregistration delay (rounded up to
   * seconds), and, plus `stopGraceMs`, the ECS `stopTimeout`. Its default and its limit are the
   * container parser's (`SOCKETIO_DEFAULTS.drainTimeoutMs`, `MAX_DRAIN_TIMEOUT_MS`: 118000, so that with the
   * least stop grace it fits Fargate's 120 s stopTimeout cap); with `stopGraceMs` it must fit the cap.
   * @default 10000
   */
  drainTimeoutMs?: number;
  /**
   * The target group's deregistration delay, when it should be longer than the drain window: the
   * time a draining task has to move its clients (the drain at deregistration spreads them over
   * it) before the ALB cuts the rest. It runs before SIGTERM, so unlike `drainTimeoutMs` it is not
   * bound by Fargate's 120 s stopTimeout cap, only by ELB's 3600 s (ELB User Guide for Application
   * Load Balancers, "Deregistration delay"). docs/DEPLOY.md, "Settings by fleet size", has the
   * measured figures to choose it from.
   * @default `drainTimeoutMs` rounded up to seconds
   */
  deregistrationDelaySeconds?: number;
  /**
   * Extra time after the drain window before ECS sends SIGKILL (Fargate caps stopTimeout at 120 s).
   * @default 5000
   */
  stopGraceMs?: number;
  /** ALB idle timeout; must exceed the Socket.io ping interval. @default 60 */
  idleTimeoutSeconds?: number;
  /** ALB health check path (liveness: `/readyz` would fail every task during a Redis outage). @default '/healthz' */
  healthCheckPath?: string;
  /**
   * Allow HTTP long-polling (`ALLOW_POLLING`). Turns ALB stickiness on, which polling needs.
   * @default false
   */
  allowPolling?: boolean;
  /** Stickiness cookie lifetime when polling is allowed. @default 86400 */
  stickinessSeconds?: number;
  /**
   * ACM certificate for an HTTPS listener on 443 (browsers then connect with `wss://`); port 80
   * then only redirects to it. It must cover `domainName`.
   * @default undefined (plain HTTP on port 80: see `allowPlainHttp`)
   */
  certificateArn?: string;
  /**
   * The name browsers connect to (`https://{domainName}`, the `SocketIoUrl` output): the ALB's own
   * DNS name is not covered by your certificate. Needs `certificateArn`.
   * @default undefined (the URL names the ALB's DNS name)
   */
  domainName?: string;
  /**
   * Route 53 public hosted zone (its id) in which to create the alias record `domainName` -> ALB.
   * Needs `domainName` and `hostedZoneName`.
   * @default undefined (point your DNS at the ALB yourself)
   */
  hostedZoneId?: string;
  /** The zone's name, e.g. `example.com` (with `hostedZoneId`). @default undefined */
  hostedZoneName?: string;
  /**
   * Serve `http://` and `ws://` without a certificate, for a trial. A page served over HTTPS cannot
   * open them (mixed content) and tokens cross the network in clear text, so without a certificate
   * `cdk synth` warns unless this says the choice is deliberate.
   * @default false
   */
  allowPlainHttp?: boolean;
  /** CIDR allowed to reach the ALB. @default '0.0.0.0/0' */
  ingressCidr?: string;
  /** Write ALB access logs to an S3 bucket. @default true */
  albAccessLogs?: boolean;
  /** `CORS_ORIGINS` in the container (comma-separated). @default '' (same origin only) */
  corsOrigins?: string;
  /** `LOG_LEVEL` in the container. @default 'info' */
  logLevel?: string;
  /** `PING_INTERVAL_MS`. @default 25000 */
  pingIntervalMs?: number;
  /** `PING_TIMEOUT_MS`. @default 20000 */
  pingTimeoutMs?: number;
  /**
   * `REDIS_ADAPTER`: `sharded` (Redis 7, per-user channels: a notification reaches only the
   * containers holding the user) or `classic` (every container). The worker's publisher writes
   * either. @default 'classic'
   */
  redisAdapter?: 'classic' | 'sharded';
  /**
   * Worker tasks (publishing with the socket.io publisher); 0 leaves the worker out and the containers then
   * answer `publishVia: "worker"` with 400 (`WORKER_PUBLISH=false`). @default 1
   */
  workerCount?: number;
  /** CPU units of a worker task (the worker only publishes). @default 256 (0.25 vCPU) */
  workerTaskCpu?: number;
  /** Memory of a worker task. @default 512 */
  workerTaskMemoryMiB?: number;
  /**
   * What kind of ElastiCache joins the tasks. Only `'replication-group'` (node-based, cluster mode
   * off) is deployable: ElastiCache Serverless is a cluster-mode endpoint that refuses PSUBSCRIBE
   * ("ERR unknown command 'psubscribe'", socket.io-redis-adapter issue 553; AWS lists it among the
   * restricted commands), which the classic adapter needs; the sharded adapter on a cluster client
   * is measured on a node-based cluster only (`redisMode: 'cluster'`). `'serverless'` is refused.
   * @default 'replication-group'
   */
  redisKind?: 'replication-group' | 'serverless';
  /** @default 'cache.t4g.micro' */
  redisNodeType?: string;
  /**
   * The ElastiCache engine: `redis` (Redis OSS, up to 7.1 on ElastiCache) or `valkey` (7.2, 8.x;
   * ElastiCache prices its nodes below Redis OSS's). Both speak the same protocol to syncbell.
   * @default 'redis'
   */
  redisEngine?: 'redis' | 'valkey';
  /**
   * Engine version (7.x or later: the sharded adapter needs SSUBSCRIBE).
   * @default '7.1' for redis, '8.0' for valkey
   */
  redisEngineVersion?: string;
  /**
   * `single-shard`: one primary and its replicas (cluster mode disabled). `cluster`: cluster mode
   * enabled, `redisShards` primaries each with `redisReplicas` replicas; the containers and the
   * worker get the configuration endpoint and run cluster clients (`REDIS_CLUSTER=true`), which
   * takes `redisAdapter: 'sharded'` (classic pub/sub on a cluster reaches every node).
   * @default 'single-shard'
   */
  redisMode?: 'single-shard' | 'cluster';
  /** Shards (node groups) with `redisMode: 'cluster'`. @default 3 */
  redisShards?: number;
  /**
   * Replicas next to the primary (of each shard with `redisMode: 'cluster'`). With at least one,
   * `redisMultiAz` gives automatic failover.
   * @default 1
   */
  redisReplicas?: number;
  /** Multi-AZ with automatic failover (needs `redisReplicas >= 1`). @default true */
  redisMultiAz?: boolean;
  /** @default 6379 */
  redisPort?: number;
  /** Daily snapshots kept. @default 1 */
  redisSnapshotRetentionDays?: number;
}

export interface ApiGwWebSocketOptions extends CommonOptions {
  /** Stage name; also the last path segment of the management endpoint. @default 'prod' */
  stageName?: string;
  /** Steady-state request rate limit of the WebSocket stage (messages/s). @default 500 */
  throttleRateLimit?: number;
  /** Burst limit of the WebSocket stage. @default 1000 */
  throttleBurstLimit?: number;
  /** Steady-state rate limit of the HTTP API's `POST /jobs/sync`. @default 50 */
  jobsThrottleRateLimit?: number;
  /** @default 100 */
  jobsThrottleBurstLimit?: number;
  /** Memory of every function (CPU scales with it). @default 512 */
  memoryMiB?: number;
  /** CPU architecture of every function (arm64 is about 20% cheaper per GB-second). @default 'arm64' */
  lambdaArchitecture?: 'arm64' | 'x86_64';
  /** Timeout of the request path handlers (connect, disconnect, default, authorizer, jobs). @default 10 */
  handlerTimeoutSeconds?: number;
  /** Timeout of `notify` (the demo job "works" up to 60 s inside it, then fans out). @default 90 */
  notifyTimeoutSeconds?: number;
  /**
   * Reserved concurrency of `notify`: its ceiling, so a burst of jobs cannot take the account's
   * concurrency from the connect path. Events above it are throttled and Lambda keeps them in the
   * function's async queue, retrying until `notifyMaxEventAgeSeconds` (AWS Lambda developer guide,
   * "Asynchronous invocation"). 0 leaves notify unreserved.
   * @default 100
   */
  notifyReservedConcurrency?: number;
  /**
   * How long an accepted notify event may wait in Lambda's async queue (throttled, retried) before
   * it goes to the dead-letter queue; Lambda allows 60 s to 6 h.
   * @default 3600
   */
  notifyMaxEventAgeSeconds?: number;
  /** Retries Lambda gives a notify event whose invocation failed (0 to 2). @default 2 */
  notifyRetryAttempts?: number;
  /**
   * Reserved concurrency of the authorizer and of `$connect`, each: bursts of notify or other
   * functions in the account cannot throttle users out of connecting. 0 reserves none.
   * @default 50
   */
  connectReservedConcurrency?: number;
  /** `REPLAY_TTL_SECONDS`: how long a notification stays replayable. @default 86400 */
  replayTtlSeconds?: number;
  /** `NOTIFY_CONCURRENCY`: parallel posts per notification. @default 10 */
  notifyConcurrency?: number;
  /**
   * `POWERTOOLS_SERVICE_NAME` of every handler (apigw-websocket/src/observability.ts takes its
   * logs' `service` and its metrics' `service` dimension from it), and the dimension the 410 alarm reads.
   * @default 'syncbell-apigw'
   */
  serviceName?: string;
  /** `POWERTOOLS_METRICS_NAMESPACE`: where the handlers' metrics go, and the namespace the 410 alarm reads. @default 'syncbell' */
  metricsNamespace?: string;
  /** Alarm when 5xx-type errors per 5 minutes reach this. @default 5 */
  errorAlarmThreshold?: number;
  /**
   * Alarm when stale connections (410 Gone from the management API) per 5 minutes reach this: a
   * steady stream means `$disconnect` is being missed or clients vanish en masse.
   * @default 100
   */
  goneAlarmThreshold?: number;
  /** Custom metric the handlers emit per 410 Gone (Powertools EMF, `service` dimension). @default 'PostsGone' */
  goneMetricName?: string;
  /**
   * WebSocket stage access logs need the account-level CloudWatch Logs role in API Gateway's
   * account settings (one per account and region; API Gateway developer guide, "Configure logging
   * for WebSocket APIs"), or the deploy fails with "CloudWatch Logs role ARN must be set in account
   * settings to enable logging". `npx syncbell preflight` reads it (`GetAccount`) and says which to use:
   * - `'existing'`: the account already has one; the stage logs, nothing account-wide changes.
   * - `'create'`: the stack creates the role and sets it (a fresh account; it replaces whatever
   *   the account setting named before, so only where nothing else manages it).
   * - `'none'`: no WebSocket access logs (the HTTP API's need no role and stay on); deploys anywhere.
   * @default 'none' (so a first deploy succeeds in any account; synth warns)
   */
  apiGatewayLogRole?: 'existing' | 'create' | 'none';
}

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

const commonSchema = {
  jwtSecretName: z.string().min(1).optional(),
  logRetentionDays: positiveInt.default(30),
  retainData: z.boolean().default(true),
  alarmEmail: z.email().optional(),
};

const ecsSchema = z
  .strictObject({
    ...commonSchema,
    maxAzs: z.number().int().min(2).max(6).default(2),
    natGateways: z.number().int().min(1).max(6).default(1),
    cpuArchitecture: z.enum(['arm64', 'x86_64']).default('arm64'),
    taskCpu: z
      .union([z.literal(256), z.literal(512), z.literal(1024), z.literal(2048), z.literal(4096)])
      .default(512),
    taskMemoryMiB: positiveInt.default(1024),
    desiredCount: positiveInt.default(2),
    maxCount: positiveInt.default(10),
    cpuTargetPercent: z.number().min(10).max(95).default(60),
    connectionsPerTaskTarget: positiveInt.default(5000),
    nofileLimit: z.number().int().min(1024).max(1_048_576).default(65536),
    containerPort: z.number().int().min(1024).max(65535).default(3000),
    metricsPort: z.number().int().min(1024).max(65535).default(9464),
    // The container's parser is the one source of the drain window's limits (ecs-socketio/src/config.ts).
    drainTimeoutMs: z
      .number()
      .int()
      .min(0)
      .max(MAX_DRAIN_TIMEOUT_MS)
      .default(SOCKETIO_DEFAULTS.drainTimeoutMs),
    deregistrationDelaySeconds: z.number().int().min(0).max(3600).optional(),
    stopGraceMs: z.number().int().min(0).max(60_000).default(5_000),
    idleTimeoutSeconds: z.number().int().min(1).max(4000).default(60),
    healthCheckPath: z.string().startsWith('/').default('/healthz'),
    allowPolling: z.boolean().default(false),
    stickinessSeconds: z.number().int().min(1).max(604_800).default(86_400),
    certificateArn: z.string().startsWith('arn:').optional(),
    domainName: z.hostname().optional(),
    hostedZoneId: z
      .string()
      .regex(/^Z[A-Z0-9]+$/)
      .optional(),
    hostedZoneName: z.hostname().optional(),
    allowPlainHttp: z.boolean().default(false),
    ingressCidr: z.cidrv4().default('0.0.0.0/0'),
    albAccessLogs: z.boolean().default(true),
    corsOrigins: z.string().default(''),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
    pingIntervalMs: positiveInt.default(SOCKETIO_DEFAULTS.pingIntervalMs),
    pingTimeoutMs: positiveInt.default(SOCKETIO_DEFAULTS.pingTimeoutMs),
    redisAdapter: z.enum(['classic', 'sharded']).default('classic'),
    workerCount: nonNegativeInt.default(1),
    workerTaskCpu: z.union([z.literal(256), z.literal(512), z.literal(1024)]).default(256),
    workerTaskMemoryMiB: positiveInt.default(512),
    redisKind: z.enum(['replication-group', 'serverless']).default('replication-group'),
    redisNodeType: z.string().startsWith('cache.').default('cache.t4g.micro'),
    redisEngine: z.enum(['redis', 'valkey']).default('redis'),
    redisEngineVersion: z
      .string()
      .regex(/^[78]\.\d+$/)
      .optional(),
    redisMode: z.enum(['single-shard', 'cluster']).default('single-shard'),
    // ElastiCache allows up to 500 node groups per cluster-mode-enabled replication group.
    redisShards: z.number().int().min(1).max(500).default(3),
    redisReplicas: z.number().int().min(0).max(5).default(1),
    redisMultiAz: z.boolean().default(true),
    redisPort: z.number().int().min(1024).max(65535).default(6379),
    redisSnapshotRetentionDays: z.number().int().min(0).max(35).default(1),
  })
  .refine((c) => c.maxCount >= c.desiredCount, { message: 'maxCount must be >= desiredCount' })
  .refine((c) => c.redisKind !== 'serverless', {
    message:
      "redisKind 'serverless' is not supported: ElastiCache Serverless refuses PSUBSCRIBE (socket.io-redis-adapter issue 553), which the classic adapter needs, and the sharded adapter's failover behaviour there is unmeasured; use 'replication-group' (redisMode 'cluster' for more than one shard)",
  })
  .refine((c) => c.domainName === undefined || c.certificateArn !== undefined, {
    message: 'domainName needs certificateArn (an ACM certificate covering it, in the stack region)',
  })
  .refine((c) => (c.hostedZoneId === undefined) === (c.hostedZoneName === undefined), {
    message: 'hostedZoneId and hostedZoneName go together',
  })
  .refine((c) => c.hostedZoneId === undefined || c.domainName !== undefined, {
    message: 'hostedZoneId needs domainName (the record to create in it)',
  })
  .refine((c) => !c.redisMultiAz || c.redisReplicas >= 1, {
    message: 'redisMultiAz needs redisReplicas >= 1',
  })
  .refine((c) => c.redisMode !== 'cluster' || c.redisAdapter === 'sharded', {
    message:
      "redisMode 'cluster' needs redisAdapter 'sharded': classic pub/sub on a cluster is forwarded to every node (ElastiCache best practices: use sharded pub/sub with cluster mode enabled)",
  })
  .refine((c) => c.redisMode !== 'cluster' || c.redisReplicas >= 1, {
    message:
      "redisMode 'cluster' needs redisReplicas >= 1: a shard without a replica loses its slots (and the users' logs in them) with its primary",
  })
  .refine(
    (c) =>
      c.redisEngineVersion === undefined ||
      (c.redisEngine === 'redis'
        ? c.redisEngineVersion.startsWith('7.')
        : c.redisEngineVersion !== '7.0' && c.redisEngineVersion !== '7.1'),
    { message: 'redisEngineVersion: Redis OSS on ElastiCache is 7.0 or 7.1; Valkey is 7.2 or 8.x' },
  )
  .refine((c) => c.drainTimeoutMs + c.stopGraceMs <= FARGATE_MAX_STOP_TIMEOUT_MS, {
    message: `drainTimeoutMs + stopGraceMs must be <= ${FARGATE_MAX_STOP_TIMEOUT_MS} (the Fargate stopTimeout cap)`,
  })
  .refine((c) => c.idleTimeoutSeconds * 1000 > c.pingIntervalMs, {
    message: 'idleTimeoutSeconds must exceed pingIntervalMs, or the ALB closes idle sockets between pings',
  });

const apigwSchema = z.strictObject({
  ...commonSchema,
  stageName: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .default('prod'),
  throttleRateLimit: positiveInt.default(500),
  throttleBurstLimit: positiveInt.default(1000),
  jobsThrottleRateLimit: positiveInt.default(50),
  jobsThrottleBurstLimit: positiveInt.default(100),
  memoryMiB: z.number().int().min(128).max(10_240).default(512),
  lambdaArchitecture: z.enum(['arm64', 'x86_64']).default('arm64'),
  handlerTimeoutSeconds: z.number().int().min(1).max(29).default(10),
  notifyTimeoutSeconds: z.number().int().min(1).max(900).default(90),
  notifyReservedConcurrency: nonNegativeInt.default(100),
  notifyMaxEventAgeSeconds: z.number().int().min(60).max(21_600).default(3600),
  notifyRetryAttempts: z.number().int().min(0).max(2).default(2),
  connectReservedConcurrency: nonNegativeInt.default(50),
  // The handlers' parser is the one source of these limits and defaults (apigw-websocket/src/config.ts).
  replayTtlSeconds: z
    .number()
    .int()
    .min(APIGW_MIN_REPLAY_TTL_SECONDS)
    .max(APIGW_MAX_REPLAY_TTL_SECONDS)
    .default(APIGW_DEFAULTS.replayTtlSeconds),
  notifyConcurrency: z
    .number()
    .int()
    .min(1)
    .max(MAX_NOTIFY_CONCURRENCY)
    .default(APIGW_DEFAULTS.notifyConcurrency),
  serviceName: z.string().min(1).default('syncbell-apigw'),
  metricsNamespace: z.string().min(1).default('syncbell'),
  errorAlarmThreshold: positiveInt.default(5),
  goneAlarmThreshold: positiveInt.default(100),
  goneMetricName: z.string().min(1).default('PostsGone'),
  apiGatewayLogRole: z.enum(['existing', 'create', 'none']).default('none'),
});

export type EcsSocketIoConfig = z.output<typeof ecsSchema>;
export type ApiGwWebSocketConfig = z.output<typeof apigwSchema>;

/** Context keys read by `infra/bin/syncbell.ts`. */
export const ECS_CONTEXT_KEY = 'syncbell:ecs';
export const APIGW_CONTEXT_KEY = 'syncbell:apigw';

/**
 * The constructs' own error codes (what goes to clients is the contract's `ErrorCode`; the
 * containers' and handlers' configuration errors are @syncbell/server's). Match `error.code`, not
 * the message; docs/ERRORS.md lists every package's table.
 */
export const InfraErrorCode = {
  /** A stack option (CDK context or construct props) that is invalid, or that cannot work with another; the message names each. */
  InvalidConfig: 'ERR_SYNCBELL_INFRA_CONFIG',
  /** A construct lacks a part its own code builds (a handler the demo stack wires): a defect of syncbell, not of the app. */
  MissingPart: 'ERR_SYNCBELL_INFRA_MISSING_PART',
} as const;
export type InfraErrorCode = (typeof InfraErrorCode)[keyof typeof InfraErrorCode];

/** A stack option that can never work, thrown at `cdk synth`. */
export const InfraConfigError: SyncbellErrorClass<typeof InfraErrorCode.InvalidConfig> = syncbellErrorClass(
  'InfraConfigError',
  InfraErrorCode.InvalidConfig,
);
export type InfraConfigError = InstanceType<typeof InfraConfigError>;

/** A part a construct builds itself is missing (a syncbell defect), thrown at `cdk synth`. */
export const MissingPartError: SyncbellErrorClass<typeof InfraErrorCode.MissingPart> = syncbellErrorClass(
  'MissingPartError',
  InfraErrorCode.MissingPart,
);
export type MissingPartError = InstanceType<typeof MissingPartError>;

function parseWith<T>(schema: z.ZodType<T>, input: unknown, label: string): T {
  // `-c key=value` arrives as a string; JSON objects in cdk.json arrive parsed.
  let value = input ?? {};
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (cause) {
      throw new InfraConfigError(configMessage(label, ['the context value is not JSON']), { cause });
    }
  }
  return parseConfig(schema, value, label, InfraConfigError);
}

/**
 * Defaults merged into `options` (an `EcsSocketIoOptions`, or the raw context value: an object or
 * its JSON text), validated. Throws `InfraConfigError` naming every bad knob.
 */
export function resolveEcsSocketIoConfig(
  options: unknown = {},
  context: EcsConfigContext = {},
): EcsSocketIoConfig {
  const label = context.label ?? ECS_CONTEXT_KEY;
  const config = parseWith(ecsSchema, options, label);
  const problems = impossibleEcsCombinations(config, context);
  refuseConfig(label, problems, InfraConfigError);
  return config;
}

/** As `resolveEcsSocketIoConfig`, for `ApiGwWebSocketOptions`. */
export function resolveApiGwWebSocketConfig(
  options: unknown = {},
  label: string = APIGW_CONTEXT_KEY,
): ApiGwWebSocketConfig {
  return parseWith(apigwSchema, options, label);
}

// ---- knobs that are each valid but cannot work together -------------------------------------

export interface EcsConfigContext {
  /**
   * The containers run the user's own image, not syncbell's: its health paths are the user's, so
   * `healthCheckPath` is not held to syncbell's `/healthz` and `/readyz`.
   * @default false
   */
  ownImage?: boolean;
  /** Names the source of the knobs in error messages. @default 'syncbell:ecs' (the context key) */
  label?: string;
}

/** Refused: the stack would deploy but never work. Each message names the knobs and what to do. */
function impossibleEcsCombinations(c: EcsSocketIoConfig, context: EcsConfigContext): string[] {
  const problems: string[] = [];
  if (context.ownImage !== true && !['/healthz', '/readyz'].includes(c.healthCheckPath))
    problems.push(
      `healthCheckPath '${c.healthCheckPath}': the container answers 200 on containerPort only for /healthz and /readyz (every other path, /metrics included, is 404), so every task would fail the ALB health check. Use '/healthz'`,
    );
  if (c.metricsPort === c.containerPort)
    problems.push(
      `metricsPort ${c.metricsPort} is containerPort too: the ALB forwards every path of containerPort, so metrics would be public. Pick another metricsPort`,
    );
  return problems;
}

/** Deployed, but risky: `cdk synth` shows these as warnings on the stack. */
export function ecsConfigWarnings(c: EcsSocketIoConfig): string[] {
  const warnings: string[] = [];
  if (c.stopGraceMs < 2000)
    warnings.push(
      `stopGraceMs ${c.stopGraceMs}: ECS sends SIGKILL ${c.stopGraceMs} ms after the drain window ends, which may cut the container while it flushes its last publishes and closes Redis. Keep stopGraceMs at 2000 or more`,
    );
  if (c.idleTimeoutSeconds * 1000 < c.pingIntervalMs * 1.5)
    warnings.push(
      `pingIntervalMs ${c.pingIntervalMs} is within a third of the ALB idle timeout (${c.idleTimeoutSeconds} s): one late ping lets the ALB close a healthy socket. Raise idleTimeoutSeconds or lower pingIntervalMs`,
    );
  return warnings;
}

// Compile-time guard: the documented interfaces and the schemas list exactly the same knobs.
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
type Assert<T extends true> = T;
export type EcsKnobsMatchSchema = Assert<SameKeys<Required<EcsSocketIoOptions>, EcsSocketIoConfig>>;
export type ApiGwKnobsMatchSchema = Assert<SameKeys<Required<ApiGwWebSocketOptions>, ApiGwWebSocketConfig>>;
