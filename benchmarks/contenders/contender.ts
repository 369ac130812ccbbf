import type { OptionId } from '../../cost/capacity.js';
import type { SocketIoAdapterKind } from '../../ecs-socketio/src/socketio-publisher.js';
import type { Notification } from '../../shared/contract/index.js';

/** How the load generator talks to a contender. */
export type ClientKind = 'socketio' | 'socketio-polling' | 'ws' | 'sse' | 'long-polling' | 'apigw';

/** Heartbeat settings every contender is started with, so detection times compare fairly. */
export interface HeartbeatSettings {
  /** Server ping / SSE comment / client keep-alive interval. */
  intervalMs: number;
  /** How long after a missed heartbeat a side gives up. */
  timeoutMs: number;
}

export interface ContenderStartOptions {
  /** Redis, or with `redisCluster` one node of a Redis Cluster (the client's seed). */
  redisUrl: string;
  /**
   * `redisUrl` is a Redis Cluster node: the contender runs on the cluster (sharded adapter only).
   * Only contenders with `scaleCluster` take it. @default false
   */
  redisCluster?: boolean;
  heartbeat: HeartbeatSettings;
  /**
   * Extra load-balancer processes in front of multi-container contenders. One process may hold
   * at most 20,000 files on this machine and a proxied connection costs two.
   * @default 0
   */
  extraBalancers?: number;
  /** Idle timeout of the proxy in front (the ALB's). @default 60000 */
  idleTimeoutMs?: number;
  /** Sticky sessions at the load balancer (scenario 7). @default false */
  sticky?: boolean;
  /** Containers behind the load balancer (scenario 7 uses 2). @default the contender's own */
  containers?: number;
  /** Extra environment for server processes (the heap probe). @default {} */
  env?: Record<string, string>;
  /** Server-side stderr lines. @default discarded */
  log?: (line: string) => void;
  /**
   * Stop server processes with SIGTERM (waiting for them to exit) instead of SIGKILL, so a CPU
   * profile (`--cpu-prof`) is written on exit. @default false
   */
  gracefulStop?: boolean;
}

/** A started contender: where clients go, how a backend publishes, which processes to measure. */
export interface RunningContender {
  readonly clientKind: ClientKind;
  /** URLs clients spread over (the first one is the load balancer the drop scenario blackholes). */
  readonly urls: string[];
  /** Direct URL of one server process (capacity: one task's limit, not the proxy's). */
  readonly directUrl: string;
  /** PIDs of the server processes (RSS, CPU, heap). The first is the one `directUrl` reaches. */
  serverPids(): number[];
  /** Connections the server side believes are open (server-side detection); undefined if unknown. */
  serverConnections(): Promise<number | undefined>;
  /**
   * Connections the server side has closed or seen close since it started: rises the moment a
   * server gives up on a dead peer, whatever reconnects meanwhile. Undefined where the server has
   * no connection to lose (long polling) or cannot be asked (emulated API Gateway).
   */
  serverClosedTotal(): Promise<number | undefined>;
  /**
   * Publishes as the backend job does (replay log, then fan-out). Resolves with the id the server
   * gave the notification when that is not `notification.id` (a deployed stack's publish route
   * stamps its own envelope). @default resolves with nothing: the id is `notification.id`
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: contenders that keep the id resolve with nothing (`async` with no return)
  publish(notification: Notification): Promise<string | void>;
  /**
   * Emulated only: each function's first invocation (its cold start) in ms, measured apart so
   * that every other figure is warm. @default none
   */
  coldStartsMs?(): Record<string, number>;
  /** Silently drops every tunnel through the contender's own load balancer, if it has one. */
  blackhole?(durationMs: number): number;
  stop(): Promise<void>;
}

/** See `Contender.scaleLimits`. */
export interface ScaleLimits {
  /** Connections in any one scenario (unicast, broadcast, capacity). */
  connections: number;
  /** Notifications per second in the unicast scenario. */
  ratePerSecond: number;
  /** Connections opened per second while ramping. */
  rampPerSecond: number;
  /** Why, in one sentence, for the report. */
  reason: string;
}

/** One file per contender, each exporting one of these. */
export interface Contender {
  /** Stable id used in flags, results and the report. */
  readonly id: string;
  readonly label: string;
  /** The cost model's option id this contender measures, if it is one of the priced options. */
  readonly optionId?: OptionId;
  /** True when the contender runs under local emulation (API Gateway). Shown everywhere. */
  readonly emulated: boolean;
  /** True for the reference floor every other contender is compared with. */
  readonly baseline: boolean;
  /**
   * True for a reference implementation that is not an option to ship (plain socket.io): shown in
   * the report as a reference row, the denominator of the overhead goals. @default false
   */
  readonly reference?: boolean;
  /** Whether the transport can resume after a reconnect. */
  readonly resume: boolean;
  /** How the server side can be scaled (for scenario 7). */
  readonly multiContainer: boolean;
  /**
   * Shortest heartbeat this contender can run at; a profile asking for less gets this (and a drop
   * long enough to notice it). @default 0 (no floor)
   */
  readonly minHeartbeatIntervalMs?: number;
  /**
   * Largest counts and rates this contender is run at, whatever the profile asks: for an emulator
   * whose own limits say nothing about the real service (serverless-offline is one Node process;
   * API Gateway is a managed fleet). The report prints them next to the contender. @default none
   */
  readonly scaleLimits?: ScaleLimits;
  /**
   * The Redis adapters the scale scenario runs this contender on, side by side at each container
   * count (`env.REDIS_ADAPTER`); without it the contender does not run that scenario. @default none
   */
  readonly scaleAdapters?: readonly SocketIoAdapterKind[];
  /**
   * Runs the scale-cluster scenario (issue 25): the sharded adapter on a local Redis Cluster beside
   * one Redis node, started with `redisCluster`. @default false
   */
  readonly scaleCluster?: boolean;
  /**
   * The contender (by id) this one's unicast runs alternate with, run by run (ABAB), when both are
   * selected and contenders run one at a time: the pair of a same-run ratio (issue 25, item 6).
   * @default none: its unicast runs alone, with its other scenarios
   */
  readonly unicastInterleavedWith?: string;
  start(options: ContenderStartOptions): Promise<RunningContender>;
}

/**
 * Per-address connection limit for the socket.io containers under test. The load generator opens
 * thousands of connections from a few loopback addresses; the product's flood guard is not what
 * is being measured, so it is lifted (its own tests cover it).
 */
export const BENCH_MAX_CONNECTIONS_PER_ADDRESS = 1_000_000;
