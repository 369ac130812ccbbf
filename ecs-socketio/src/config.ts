import { hostname } from 'node:os';
import { z } from 'zod';
import {
  commaListSchema,
  withoutEmptyStrings,
  parseConfig,
  publishApiKeys,
  publishApiKeysEnvSchema,
  refuseConfig,
} from '@syncbell/server';
import { MAX_SYNC_JOB_DURATION_MS } from '@syncbell/contract/wire';
import { CLASSIC_ON_CLUSTER } from './adapter.js';
import { SOCKETIO_DEFAULTS } from './defaults.js';

// The defaults the parser applies, on this entry too: @syncbell/cdk reads them from here.
export { SOCKETIO_DEFAULTS };
import { REDIS_CLIENT_KINDS } from './redis-client.js';

/**
 * Fargate's cap on a container's `stopTimeout`, the time between SIGTERM and SIGKILL, which must
 * hold the drain window and the stop grace after it (AWS ECS API Reference, 'ContainerDefinition':
 * "For tasks using the Fargate launch type, the max stop timeout value is 120 seconds").
 */
export const FARGATE_MAX_STOP_TIMEOUT_MS = 120_000;
/** The least time left after the drain window to flush the last publishes and close Redis. */
export const MIN_STOP_GRACE_MS = 2_000;
/** The longest drain window: what Fargate's stopTimeout cap leaves after the least stop grace. */
export const MAX_DRAIN_TIMEOUT_MS = FARGATE_MAX_STOP_TIMEOUT_MS - MIN_STOP_GRACE_MS;
/** The replay TTL's limits (`REPLAY_TTL_SECONDS`). */
export const MIN_REPLAY_TTL_SECONDS = 60;
export const MAX_REPLAY_TTL_SECONDS = 30 * 24 * 60 * 60;

const bool = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/**
 * The ECS service's configuration, read from the environment once at start-up.
 * Every variable, its default and why it has that default. Bad values stop start-up with a
 * message naming the variable: a container that half-starts behind an ALB is worse.
 */
export const ecsEnvSchema = z.object({
  /** The public port (socket.io, health, jobs): the ALB's target. @default 3000 */
  PORT: int(0, 65_535).default(3000),
  /**
   * Port of the Prometheus `GET /metrics` listener, kept off the public port because the ALB
   * forwards every path of that one. `off` serves no metrics; `0` picks a free port (tests).
   * 9464 is the port OpenTelemetry's Prometheus exporter uses. @default 9464
   */
  METRICS_PORT: z
    .union([z.literal('off'), int(0, 65_535)])
    .default(9464)
    .transform((value) => (value === 'off' ? undefined : value)),
  /** Shown to clients as `servedBy`. @default the hostname (the ECS task's) */
  CONTAINER_ID: z.string().min(1).max(128).default(hostname()),
  /** `redis://` or `rediss://` (TLS, as ElastiCache with in-transit encryption). @default redis://127.0.0.1:6379 */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .default('redis://127.0.0.1:6379'),
  /** ElastiCache AUTH token, injected from Secrets Manager. @default none */
  REDIS_AUTH_TOKEN: z.string().optional(),
  /**
   * `classic`: @socket.io/redis-adapter over PUBLISH/SUBSCRIBE: every notification reaches every container.
   * `sharded`: SPUBLISH/SSUBSCRIBE (Redis 7+), `subscriptionMode: 'dynamic'`: each user room has its
   * own channel, so a notification reaches only the containers holding the user. The socket.io
   * publisher (the worker's, and any backend's) writes either adapter's format.
   * `memory`: one container, no Redis fan-out (local fallback only).
   * @default classic
   */
  REDIS_ADAPTER: z.enum(['classic', 'sharded', 'memory']).default('classic'),
  /**
   * Whether a worker process runs beside the containers and takes `publishVia: "worker"` jobs.
   * `false`: the container answers such a job 400 (nobody would take it). @default true
   */
  WORKER_PUBLISH: bool.default(true),
  /**
   * The Redis client: `ioredis` or `node-redis` (`redis` 6). Both pass the whole ECS test suite,
   * Redis restarts and outages included, with either adapter; both restore subscriptions after a
   * reconnect, and the container then asks its clients to resync and re-delivers what the log holds
   * since the outage. node-redis 5.12 needed a work-around to restore thousands of SSUBSCRIBEd
   * channels (the sharded adapter subscribes one channel per user room): see `createRedis`.
   * ioredis stays the default: the committed benchmark and chaos figures were measured on it, and
   * it re-sends a command that was in flight when the connection dropped (node-redis fails it; the
   * worker then retries the job through its queue). With `REDIS_CLUSTER=true` the default is
   * node-redis, the client the cluster figures were first measured on; ioredis 6.1.0 passes the
   * same failover and slot-migration scenarios with `createRedis`'s options (see
   * `clusterSubscriberProblem`, which refuses the ioredis options that lose channels).
   * @default ioredis (node-redis with REDIS_CLUSTER=true)
   */
  REDIS_CLIENT: z.enum(REDIS_CLIENT_KINDS).default('ioredis'),
  /**
   * `REDIS_URL` is a Redis Cluster (ElastiCache cluster mode enabled: its configuration endpoint;
   * Redis OSS or Valkey): both clients discover the nodes and route by key slot. Takes
   * `REDIS_ADAPTER=sharded` (sharded pub/sub, each user's channel in the user's slot).
   * @default false
   */
  REDIS_CLUSTER: bool.default(false),
  /** @default development */
  NODE_ENV: z.string().default('development'),
  /** Long polling needs sticky sessions at the load balancer with more than one container. @default false */
  ALLOW_POLLING: bool.default(false),
  /**
   * socket.io's defaults (server-options docs). The 100 ms floor exists for the benchmark's CI smoke,
   * which needs silent-drop detection inside its one-minute budget; production keeps the default.
   * @default 25000
   */
  PING_INTERVAL_MS: int(100, 600_000).default(SOCKETIO_DEFAULTS.pingIntervalMs),
  /** Floor lowered with PING_INTERVAL_MS's, for the same reason. @default 20000 */
  PING_TIMEOUT_MS: int(100, 600_000).default(SOCKETIO_DEFAULTS.pingTimeoutMs),
  /**
   * How long SIGTERM waits for clients to leave before closing; match the ALB deregistration delay
   * (the CDK construct derives both, and the ECS stopTimeout, from this parser's limits).
   * At most `MAX_DRAIN_TIMEOUT_MS`. @default 10000
   */
  DRAIN_TIMEOUT_MS: int(0, MAX_DRAIN_TIMEOUT_MS).default(SOCKETIO_DEFAULTS.drainTimeoutMs),
  /**
   * The target group this task is registered in (the construct passes it). Set, the container
   * polls `DescribeTargetHealth` for its own target and starts moving its clients as soon as the
   * target is `draining`: on AWS, SIGTERM only comes after the deregistration delay, when the ALB
   * has already cut every connection still open (ECS developer guide, "Optimize load balancer
   * connection draining parameters"). Unset: the drain starts on SIGTERM. @default unset
   */
  TARGET_GROUP_ARN: z.string().startsWith('arn:').optional(),
  /** The target group's deregistration delay (the construct passes it): the drain's waves span most of it. @default DRAIN_TIMEOUT_MS */
  DEREGISTRATION_DELAY_MS: int(0, 3_600_000).optional(),
  /**
   * How often the container asks for its target's health. Each task makes one call per interval;
   * the ELB API is throttled per account and Region, so keep it in seconds. @default 2000
   */
  DEREGISTRATION_POLL_MS: int(100, 60_000).default(2000),
  /** Set by ECS in every task (task metadata endpoint v4): where the task learns its own IP. @default unset */
  ECS_CONTAINER_METADATA_URI_V4: z.string().url().optional(),
  /** The ELB API endpoint; only the local stack sets it (its stand-in answers the call). @default the SDK's (the Region's) */
  ELBV2_ENDPOINT: z.string().url().optional(),
  /**
   * The hard ceiling: new connections (handshakes) per second a container accepts; more are
   * answered HTTP 503 with `Retry-After` before engine.io does any work. `0` turns it off.
   * @default 1000
   */
  MAX_CONNECTS_PER_SECOND: int(0, 1_000_000).default(SOCKETIO_DEFAULTS.maxConnectsPerSecond),
  /**
   * Server-paced reconnects: handshakes in flight (accepted, token check and first resume not
   * finished) above which new connects are refused with `rate_limited` and a `retryAfterMs` hint
   * from the measured drain rate, which the SDK honours. `0` turns it off. See docs/ECS.md.
   * @default 0, off (measured: see `SOCKETIO_DEFAULTS.maxHandshakesInFlight`)
   */
  MAX_HANDSHAKES_IN_FLIGHT: int(0, 1_000_000).default(SOCKETIO_DEFAULTS.maxHandshakesInFlight),
  /**
   * Event-loop lag (ms, p99 over the last quarter second) above which new connects are refused
   * the same way (once 8 handshakes are in flight), so the clients already connected keep their
   * latency. `0` turns it off. @default 0 (off: measured, see `SOCKETIO_DEFAULTS.maxEventLoopLagMs`)
   */
  MAX_EVENT_LOOP_LAG_MS: int(0, 60_000).default(SOCKETIO_DEFAULTS.maxEventLoopLagMs),
  /** Largest frame a client may send; the protocol's client frames are tiny. @default 16384 */
  MAX_FRAME_BYTES: int(256, 1_000_000).default(16_384),
  /** Frames per second one socket may send before it gets `rate_limited`. @default 20 */
  MAX_FRAMES_PER_SECOND: int(1, 10_000).default(20),
  /** Entries kept per user in the replay log. @default 1000 */
  REPLAY_MAX_LEN: int(1, 100_000).default(SOCKETIO_DEFAULTS.replayMaxLen),
  /**
   * Open connections one client address may hold on this container; more are refused with
   * `rate_limited`. Offices and mobile carriers put many users behind one address: keep it generous.
   * @default 200
   */
  MAX_CONNECTIONS_PER_ADDRESS: int(1, 1_000_000).default(200),
  /**
   * Take the client address from the rightmost X-Forwarded-For entry (the one the ALB appended).
   * Behind an ALB every socket's peer is the ALB itself. @default true
   */
  TRUST_PROXY: bool.default(true),
  /** Replay log expiry after the user's last notification. @default 86400 (a day) */
  REPLAY_TTL_SECONDS: int(MIN_REPLAY_TTL_SECONDS, MAX_REPLAY_TTL_SECONDS).default(
    SOCKETIO_DEFAULTS.replayTtlSeconds,
  ),
  /** @default info */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Allowed browser origins, comma-separated; empty allows same-origin only. @default '' */
  CORS_ORIGINS: commaListSchema,
  /**
   * Longest demo job `POST /jobs/sync` accepts: may lower the contract's cap (the same on both
   * variants, see `MAX_SYNC_JOB_DURATION_MS`), never raise it. @default 60000
   */
  MAX_JOB_DURATION_MS: int(0, MAX_SYNC_JOB_DURATION_MS).default(MAX_SYNC_JOB_DURATION_MS),
  /**
   * Worker: a taken job whose lease (renewed every third of this) is older than this is taken over
   * by another worker. Bounds how long a job of a dead worker waits; not tied to the job's length.
   * @default 15000
   */
  JOB_VISIBILITY_TIMEOUT_MS: int(300, 600_000).default(15_000),
  /**
   * `PUBLISH_API_KEYS`: server credentials for `POST /v1/publish`, which a backend sends in the
   * `x-api-key` header (an `Authorization: Bearer` is an end user's and is refused with 403),
   * comma-separated so a key can be rotated; `PUBLISH_API_KEY`, one key, is still accepted beside
   * them (`publishApiKeys`). The same two settings as the API Gateway variant's. Unset or empty:
   * the route is off (404).
   */
  ...publishApiKeysEnvSchema,
  /** `POST /v1/publish` requests per second one container accepts, over every key; more get 429. @default 1000 */
  PUBLISH_MAX_PER_SECOND: int(1, 1_000_000).default(1000),
  /** Worker: serve `GET /metrics` on this port (not behind any load balancer). @default off */
  WORKER_METRICS_PORT: int(0, 65_535).optional(),
});

export type EcsConfig = z.infer<typeof ecsEnvSchema>;

/**
 * Pairs of settings that are each valid but can never work together. Each message names the
 * variables and says what to do instead.
 */
function impossibleCombinations(config: EcsConfig): string[] {
  const problems: string[] = [];
  if (config.METRICS_PORT !== undefined && config.METRICS_PORT !== 0 && config.METRICS_PORT === config.PORT) {
    problems.push(
      `METRICS_PORT=${config.METRICS_PORT} is PORT too: metrics must not be served on the public port ` +
        'the load balancer forwards. Pick another METRICS_PORT, or METRICS_PORT=off.',
    );
  }
  if (config.TARGET_GROUP_ARN !== undefined && config.ECS_CONTAINER_METADATA_URI_V4 === undefined) {
    problems.push(
      'TARGET_GROUP_ARN is set but ECS_CONTAINER_METADATA_URI_V4 is not: the container cannot learn its ' +
        'own target address (ECS sets the variable in every task). Unset TARGET_GROUP_ARN outside ECS.',
    );
  }
  if (publishApiKeys(config).length > 0 && config.REDIS_ADAPTER === 'memory') {
    problems.push(
      'PUBLISH_API_KEYS (or PUBLISH_API_KEY) is set with REDIS_ADAPTER=memory: POST /v1/publish publishes through Redis ' +
        '(the replay log and the adapter). Set REDIS_URL and REDIS_ADAPTER=classic, or unset PUBLISH_API_KEYS.',
    );
  }
  if (config.REDIS_CLUSTER && config.REDIS_ADAPTER !== 'sharded') {
    problems.push(
      `REDIS_CLUSTER=true with REDIS_ADAPTER=${config.REDIS_ADAPTER}: ${CLASSIC_ON_CLUSTER}. Set REDIS_ADAPTER=sharded.`,
    );
  }
  return problems;
}

function parseEcsEnv(env: Record<string, string | undefined>): EcsConfig {
  const given = withoutEmptyStrings(env) as Record<string, unknown>;
  // On a cluster the client defaults to node-redis, the one the cluster figures were first
  // measured on (REDIS_CLIENT=ioredis is accepted too: clusterSubscriberProblem).
  if (
    given.REDIS_CLIENT === undefined &&
    ecsEnvSchema.shape.REDIS_CLUSTER.safeParse(given.REDIS_CLUSTER).data
  )
    given.REDIS_CLIENT = 'node-redis';
  return parseConfig(ecsEnvSchema, given, 'invalid ECS service configuration');
}

/**
 * The container's configuration (an empty variable is unset). Throws `ConfigError` naming every
 * bad or conflicting variable.
 */
export function loadEcsConfig(env: Record<string, string | undefined> = process.env): EcsConfig {
  const config = parseEcsEnv(env);
  refuseConfig('impossible ECS service configuration', impossibleCombinations(config));
  return config;
}

/** The worker's configuration: the service's variables, and a Redis the containers' adapter listens on. */
export function loadWorkerConfig(env: Record<string, string | undefined> = process.env): EcsConfig {
  const config = parseEcsEnv(env);
  const problems: string[] = [];
  if (config.REDIS_CLUSTER && config.REDIS_ADAPTER !== 'sharded')
    problems.push(
      `the worker cannot run with REDIS_CLUSTER=true and REDIS_ADAPTER=${config.REDIS_ADAPTER}: ${CLASSIC_ON_CLUSTER}.`,
    );
  if (config.REDIS_ADAPTER === 'memory')
    problems.push(
      'the worker cannot run with REDIS_ADAPTER=memory: it reaches the containers only through Redis. ' +
        'Set REDIS_URL and REDIS_ADAPTER=classic.',
    );
  refuseConfig('impossible worker configuration', problems);
  return config;
}
