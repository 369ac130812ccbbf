import pWaitFor from 'p-wait-for';
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadEcsConfig } from '../src/config.js';
import type { RedisClientKind } from '../src/redis-client.js';
import { startControlPlane } from './control-plane.js';
import { type LoadBalancer, startLoadBalancer } from './load-balancer.js';
import { type LoadBalancerNode, startLoadBalancerNode } from './load-balancer-node.js';
import {
  freePort,
  freePorts,
  isRunning,
  retryOnPortClash,
  type OwnedRedis,
  type OwnedRedisCluster,
  redisAnswers,
  redisServerAvailable,
  startOwnedRedis,
  startOwnedRedisCluster,
  stopChild,
} from '../../dev-tools/index.js';

export type RedisMode = 'env' | 'local-6379' | 'owned' | 'owned-cluster' | 'memory';

export interface EcsLocalOptions {
  /** Socket.io containers (processes) behind the load balancer. @default 2 */
  containers?: number;
  /** Use this Redis. @default process.env.REDIS_URL, then 127.0.0.1:6379 if it answers, then a spawned redis-server */
  redisUrl?: string;
  /** Always spawn a private redis-server (tests that restart Redis). @default false */
  ownRedis?: boolean;
  /**
   * Spawn a private Redis Cluster (3 primaries, 3 replicas: `startOwnedRedisCluster`) and run the
   * containers and the worker on it (`REDIS_CLUSTER=true`, `REDIS_ADAPTER=sharded`). @default false
   */
  redisCluster?: boolean;
  /** @default 0 (free port) */
  lbPort?: number;
  /** Load balancer idle timeout, as the ALB's. @default 60000 */
  idleTimeoutMs?: number;
  /** @default false */
  sticky?: boolean;
  /** @default false */
  allowPolling?: boolean;
  /**
   * The Redis client the containers and the worker run on (their `REDIS_CLIENT`); checked against
   * what each container reports on `/readyz` and the worker in its ready message.
   * @default `env.REDIS_CLIENT`, then process.env.REDIS_CLIENT, then 'ioredis'
   */
  redisClient?: RedisClientKind;
  /** Start the worker process. @default true */
  worker?: boolean;
  /** Extra environment for the containers (PING_INTERVAL_MS, DRAIN_TIMEOUT_MS, JWT_SECRET, ...). */
  env?: Record<string, string>;
  /** Where container and worker output goes. @default discarded */
  log?: (line: string) => void;
  /** @default 1000 */
  healthCheckIntervalMs?: number;
  /**
   * How `stop()` ends the containers and the worker: SIGKILL, or SIGTERM (they drain and exit,
   * e.g. so `--cpu-prof` writes its profile; SIGKILL after 15 s if one has not). @default 'SIGKILL'
   */
  stopSignal?: 'SIGKILL' | 'SIGTERM';
  /**
   * The target group's deregistration delay (see `stopTask`). @default the containers'
   * DRAIN_TIMEOUT_MS rounded up to seconds, as `SyncbellSocketIoService` sets it
   */
  deregistrationDelayMs?: number;
  /** ECS `stopTimeout`: SIGKILL this long after SIGTERM. @default DRAIN_TIMEOUT_MS + 5000, as the construct's */
  stopTimeoutMs?: number;
  /**
   * Give the containers what they need to drain at deregistration (TARGET_GROUP_ARN, the task
   * metadata endpoint, the ELB endpoint of the local stand-in), as the construct does on AWS.
   * `false`: the drain starts on SIGTERM only, after the load balancer has cut everyone.
   * @default true
   */
  drainAtDeregistration?: boolean;
  /**
   * ALB stand-in nodes in their own processes (`nodeUrls`), beside the one in this process
   * (`url`): each tunnel holds two files of its node's process, so 10,000 clients need several.
   * Every node is told of each registration and deregistration, as the ALB's nodes are. @default 0
   */
  loadBalancerNodes?: number;
}

/** One step of `stopTask`, as ECS takes it, with when it happened. */
export interface TaskStopStep {
  step: 'deregistered' | 'unused' | 'SIGTERM' | 'SIGKILL' | 'exited';
  atMs: number;
}

export interface TaskStopReport {
  steps: TaskStopStep[];
  /** Connections the load balancer closed when the deregistration delay ended (none left to the drain). */
  closedByLoadBalancer: number;
  /** How long the target was `draining`. */
  drainingMs: number;
}

export interface LocalContainer {
  readonly id: string;
  readonly url: string;
  readonly port: number;
  /** `GET {metricsUrl}/metrics`: the container's Prometheus listener, not behind the load balancer. */
  readonly metricsUrl: string;
  readonly pid: number | undefined;
  readonly running: boolean;
}

export interface EcsLocalStack {
  readonly url: string;
  readonly redisUrl: string | undefined;
  readonly redisMode: RedisMode;
  /** The client the containers and the worker use (none with the in-memory adapter). */
  readonly redisClient: RedisClientKind | undefined;
  readonly lb: LoadBalancer;
  /** The load balancer's nodes in their own processes (`loadBalancerNodes`); empty by default. */
  readonly nodeUrls: string[];
  /** Their process ids, in the same order. */
  readonly nodePids: number[];
  readonly ownedRedis: OwnedRedis | undefined;
  /** With `redisCluster: true`: its nodes, for tests and chaos that fail over or move slots. */
  readonly ownedRedisCluster: OwnedRedisCluster | undefined;
  containers(): LocalContainer[];
  /**
   * Sends a signal to a container and resolves when it has exited. SIGKILL is a crash (only the
   * health checks notice); SIGTERM is ECS stopping the task, in ECS's order (`stopTask`).
   */
  killContainer(id: string, signal?: NodeJS.Signals): Promise<void>;
  /**
   * Stops a container as ECS stops a task behind a target group: deregister it, wait until the
   * target is `unused` (the deregistration delay, or sooner when no connection is left; the load
   * balancer then closes the ones still open), send SIGTERM, SIGKILL after `stopTimeoutMs`.
   */
  stopTask(id: string): Promise<TaskStopReport>;
  /** Starts a stopped container again on its port (ECS replacing the task). */
  startContainer(id: string): Promise<void>;
  /**
   * Starts one more container (a new task of a deploy or a scale-out), registers it with the load
   * balancer and resolves with its id once the load balancer's health check passes.
   */
  addContainer(): Promise<string>;
  /** The worker process, if one was started. */
  worker(): { pid: number | undefined; running: boolean } | undefined;
  /** Sends a signal to the worker (SIGKILL: ECS stopping it hard, an OOM kill). Resolves when it has exited. */
  killWorker(signal?: NodeJS.Signals): Promise<void>;
  /** Starts a new worker process (ECS replacing the task), once the old one is gone. */
  startWorker(): Promise<void>;
  stop(): Promise<void>;
}

const serverEntry = fileURLToPath(new URL('../container/main.ts', import.meta.url));
const workerEntry = fileURLToPath(new URL('../container/worker-main.ts', import.meta.url));

interface ManagedProcess {
  id: string;
  port: number;
  metricsPort: number;
  child: ChildProcess | undefined;
}

/**
 * Checks the stack's options against the containers' environment before anything starts. What
 * can never work throws `ConfigError`; what only breaks under some traffic is returned as a
 * warning, because the local stack is also the lab where chaos scenarios and benchmarks
 * reproduce those failures on purpose (infra refuses them: infra/lib/config.ts).
 */
export function checkLocalStack(
  options: Pick<EcsLocalOptions, 'containers' | 'sticky' | 'allowPolling' | 'worker' | 'idleTimeoutMs'>,
  containerEnv: Record<string, string | undefined>,
): { warnings: string[] } {
  const worker = options.worker ?? true;
  const config = loadEcsConfig({ ...containerEnv, WORKER_PUBLISH: String(worker) });
  const warnings: string[] = [];
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  if (config.PING_INTERVAL_MS >= idleTimeoutMs) {
    warnings.push(
      `PING_INTERVAL_MS=${config.PING_INTERVAL_MS} is not below the load balancer's idle timeout (${idleTimeoutMs} ms): it will cut idle connections between pings. Lower PING_INTERVAL_MS or raise idleTimeoutMs.`,
    );
  }
  if ((options.allowPolling ?? false) && (options.containers ?? 2) > 1 && !(options.sticky ?? false)) {
    warnings.push(
      'long polling across several containers without sticky sessions: polls land on containers that do not hold the session ("Session ID unknown"). Set sticky: true.',
    );
  }
  return { warnings };
}

async function resolveRedis(
  options: EcsLocalOptions,
): Promise<{ url?: string; mode: RedisMode; owned?: OwnedRedis; cluster?: OwnedRedisCluster }> {
  if (options.redisCluster) {
    const cluster = await startOwnedRedisCluster();
    return { url: cluster.url, mode: 'owned-cluster', cluster };
  }
  if (options.ownRedis) {
    const owned = await startOwnedRedis();
    return { url: owned.url, mode: 'owned', owned };
  }
  const fromEnv = options.redisUrl ?? process.env.REDIS_URL;
  if (fromEnv) return { url: fromEnv, mode: 'env' };
  if (await redisAnswers('127.0.0.1', 6379)) return { url: 'redis://127.0.0.1:6379', mode: 'local-6379' };
  if (redisServerAvailable()) {
    const owned = await startOwnedRedis();
    return { url: owned.url, mode: 'owned', owned };
  }
  return { mode: 'memory' };
}

/**
 * The ECS variant on one machine: N Socket.io containers as separate processes, the
 * worker, Redis, and a load balancer standing in for the ALB. Nothing is simulated inside a
 * process: the fan-out really goes through Redis between processes.
 */
export async function startEcsLocal(options: EcsLocalOptions = {}): Promise<EcsLocalStack> {
  const log = options.log ?? (() => {});
  // Refuse what can never work before starting anything.
  const { warnings } = checkLocalStack(options, { ...process.env, ...options.env });
  for (const warning of warnings) log(`warning: ${warning}`);
  const redis = await resolveRedis(options);
  const containerCount = redis.mode === 'memory' ? 1 : (options.containers ?? 2);
  if (redis.mode === 'memory') {
    log(
      'notice: no Redis answers and redis-server is not installed: running ONE container with the in-memory adapter',
    );
  }
  const baseEnv: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...(redis.url ? { REDIS_URL: redis.url } : {}),
    REDIS_ADAPTER:
      redis.mode === 'memory'
        ? 'memory'
        : (options.env?.REDIS_ADAPTER ?? (redis.cluster ? 'sharded' : 'classic')),
    ...(redis.cluster ? { REDIS_CLUSTER: 'true' } : {}),
    ALLOW_POLLING: String(options.allowPolling ?? false),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    ...options.env,
  };
  const runWorker = (options.worker ?? true) && redis.mode !== 'memory';
  // The containers refuse publishVia "worker" when no worker runs, instead of queueing for nobody.
  baseEnv.WORKER_PUBLISH = String(runWorker);
  // On a cluster node-redis, as the container's own default there (ecs-socketio/src/config.ts).
  const redisClient = (options.redisClient ??
    baseEnv.REDIS_CLIENT ??
    (redis.cluster ? 'node-redis' : 'ioredis')) as RedisClientKind;
  baseEnv.REDIS_CLIENT = redisClient;

  // The figures the construct derives from the drain window (infra/lib/socketio-service.ts).
  const drainTimeoutMs = loadEcsConfig({ ...process.env, ...options.env }).DRAIN_TIMEOUT_MS;
  const deregistrationDelayMs = options.deregistrationDelayMs ?? Math.ceil(drainTimeoutMs / 1000) * 1000;
  const stopTimeoutMs = options.stopTimeoutMs ?? drainTimeoutMs + 5000;
  const targetGroupArn = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/syncbell-local/0';
  let lb: LoadBalancer | undefined;
  let nodes: LoadBalancerNode[] = [];
  // Targets deregistering on any node: `draining` until every node has them `unused` (this
  // process's node, holding no tunnels when the clients go through the others, is at once).
  const deregistering = new Set<string>();
  const controlPlane = await startControlPlane({
    targetGroupArn,
    targetState: (id) => (deregistering.has(id) ? 'draining' : (lb?.targetState(id) ?? 'initial')),
    targets: () => processes.map((p) => ({ id: p.id, ip: '127.0.0.1', port: p.port })),
  });
  if (options.drainAtDeregistration ?? true)
    Object.assign(baseEnv, {
      TARGET_GROUP_ARN: targetGroupArn,
      DEREGISTRATION_DELAY_MS: String(deregistrationDelayMs),
      ELBV2_ENDPOINT: controlPlane.elbEndpoint,
      // The SDK signs every call; the stand-in does not check the signature.
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });

  const processes: ManagedProcess[] = [];
  for (let i = 1; i <= containerCount; i++) {
    const [port, metricsPort] = (await freePorts(2)) as [number, number];
    processes.push({ id: `ecs-${i}`, port, metricsPort, child: undefined });
  }

  // The last lines each process wrote, kept even when `log` drops them: a process that dies
  // during start-up says why in the error instead of only its exit code.
  const lastLines = new Map<string, string[]>();
  const pipeOutput = (child: ChildProcess, id: string) => {
    const kept: string[] = [];
    lastLines.set(id, kept);
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        for (const line of chunk.split('\n')) {
          if (!line.trim()) continue;
          log(`[${id}] ${line}`);
          kept.push(line);
          if (kept.length > 10) kept.shift();
        }
      });
    }
  };
  const diedDuringStartUp = (what: string, id: string, code: number | null) => {
    const said = lastLines.get(id)?.join('\n');
    return new Error(
      `${what} exited during start-up (code ${code})${said ? `; its last output:\n${said}` : ''}`,
    );
  };

  const spawnContainer = (managed: ManagedProcess) =>
    new Promise<void>((resolve, reject) => {
      const child = fork(serverEntry, [], {
        execArgv: ['--import', 'tsx'],
        env: {
          ...baseEnv,
          PORT: String(managed.port),
          METRICS_PORT: String(managed.metricsPort),
          CONTAINER_ID: managed.id,
          ...(baseEnv.TARGET_GROUP_ARN
            ? { ECS_CONTAINER_METADATA_URI_V4: controlPlane.metadataUri(managed.id) }
            : {}),
        },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      managed.child = child;
      pipeOutput(child, managed.id);
      const onExit = (code: number | null) =>
        reject(diedDuringStartUp(`container ${managed.id}`, managed.id, code));
      child.once('exit', onExit);
      child.on('message', (message: { type?: string }) => {
        if (message?.type === 'listening') {
          child.off('exit', onExit);
          resolve();
        }
      });
    });

  // freePort() hands out a port that someone else (a parallel test, another stack) may bind
  // before the container does: the container then dies with EADDRINUSE (seen in CI). Such a
  // start is retried, on fresh ports where nothing points at them yet (before the load balancer
  // exists), else on the same ones (a restart keeps its target's port), after a pause.
  const spawnRetryingPortClash = (managed: ManagedProcess, canMove: boolean) =>
    retryOnPortClash(
      () => spawnContainer(managed),
      async (taken, attempt) => {
        log(`[${managed.id}] port ${taken} taken by another process; starting again`);
        if (taken === managed.metricsPort) managed.metricsPort = await freePort([managed.port]);
        else if (taken === managed.port && canMove) managed.port = await freePort([managed.metricsPort]);
        else await new Promise((r) => setTimeout(r, 200 * attempt));
      },
    );

  let worker: ChildProcess | undefined;
  const spawnWorker = async () => {
    const started = fork(workerEntry, [], {
      execArgv: ['--import', 'tsx'],
      env: { ...baseEnv, CONTAINER_ID: 'local' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    worker = started;
    pipeOutput(started, 'worker');
    await new Promise<void>((resolve, reject) => {
      started.once('exit', (code) => reject(diedDuringStartUp('worker', 'worker', code)));
      started.on('message', (m: { type?: string; redisClient?: string }) => {
        if (m?.type !== 'ready') return;
        if (m.redisClient === redisClient) resolve();
        else reject(new Error(`the worker runs on ${m.redisClient}, not ${redisClient}`));
      });
    });
  };
  // A parent that exits without stop() (the chaos run's time cap calls process.exit, a test
  // runner gives up) must not leave its containers behind: a container told by its closed IPC
  // channel to stop drains first, up to DRAIN_TIMEOUT_MS with thousands of clients, and one
  // whose event loop is saturated by a storm may never get there. The same path as the Redis
  // launcher's and serverless-offline's hooks: stopChild sends SIGKILL synchronously.
  const killOnExit = () => {
    for (const child of [...processes.map((p) => p.child), worker, ...nodes.map((n) => n.child)])
      void stopChild(child, 'SIGKILL');
  };
  process.on('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    await lb?.close();
    await Promise.all(nodes.map((node) => node.stop()));
    const children = [...processes.map((p) => p.child), worker].filter(isRunning);
    await Promise.all(children.map((child) => stopChild(child, options.stopSignal, 15_000)));
    await redis.owned?.stop();
    await redis.cluster?.destroy();
    await controlPlane.close();
  };

  const untilReady = async (managed: ManagedProcess) => {
    // Listening is not ready: the Redis adapter may still be connecting. The ALB would not route yet either.
    const answer = await pWaitFor(
      async () => {
        const ready = await fetch(`http://127.0.0.1:${managed.port}/readyz`).then(
          async (r) => (r.status === 200 ? ((await r.json()) as { redisClient?: string }) : undefined),
          () => undefined,
        );
        return ready ? pWaitFor.resolveWith(ready) : false;
      },
      {
        interval: 50,
        timeout: {
          milliseconds: 15_000,
          message: `container ${managed.id} did not become ready within 15 s`,
        },
      },
    );
    const expected = redis.mode === 'memory' ? 'none' : redisClient;
    if (answer.redisClient !== expected)
      throw new Error(`container ${managed.id} runs on ${answer.redisClient}, not ${expected}`);
  };

  try {
    await Promise.all(processes.map((managed) => spawnRetryingPortClash(managed, true)));
    await Promise.all(processes.map(untilReady));
    if (options.worker ?? true) {
      if (!runWorker) log('notice: the worker needs Redis; not started');
      else {
        await spawnWorker();
      }
    }
    const lbOptions = {
      deregistrationDelayMs,
      targets: processes.map((p) => ({ id: p.id, url: `http://127.0.0.1:${p.port}` })),
      idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
      sticky: options.sticky ?? false,
      healthCheckIntervalMs: options.healthCheckIntervalMs ?? 1000,
      // The construct's target group health check (infra/lib/socketio-service.ts): a 5 s timeout
      // and 3 failures in a row. The interval is shortened here so a stack notices sooner; the
      // timeout and threshold are not, so a target busy with a reconnect storm is taken out of
      // service (or not) by the same lag as on AWS.
      healthCheckTimeoutMs: 5000,
      unhealthyThresholdCount: 3,
    };
    lb = await startLoadBalancer({ ...lbOptions, port: options.lbPort ?? 0 });
    nodes = await Promise.all(
      Array.from({ length: options.loadBalancerNodes ?? 0 }, () => startLoadBalancerNode(lbOptions)),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const balancer = lb;

  const find = (id: string) => {
    const managed = processes.find((p) => p.id === id);
    if (!managed) throw new Error(`no container "${id}" (have ${processes.map((p) => p.id).join(', ')})`);
    return managed;
  };

  async function registerHealthy(managed: ManagedProcess): Promise<void> {
    balancer.register(managed.id, `http://127.0.0.1:${managed.port}`);
    await Promise.all(nodes.map((node) => node.register(managed.id, `http://127.0.0.1:${managed.port}`)));
    // In service only once the load balancer's own health check has passed, as with ECS + ALB.
    await pWaitFor(() => balancer.healthyTargets().includes(managed.id), {
      interval: 50,
      timeout: {
        milliseconds: 15_000,
        message: `container ${managed.id} did not pass the load balancer's health check`,
      },
    });
  }

  async function stopTask(id: string): Promise<TaskStopReport> {
    const child = find(id).child;
    const steps: TaskStopStep[] = [];
    const step = (name: TaskStopStep['step']) => steps.push({ step: name, atMs: Date.now() });
    if (!isRunning(child)) return { steps, closedByLoadBalancer: 0, drainingMs: 0 };
    // ECS developer guide, "Optimize load balancer connection draining parameters": ECS
    // deregisters the task from the target group, waits for the deregistration delay (the target
    // goes from `draining` to `unused`; the load balancer closes what is still open), and only
    // then stops the task.
    step('deregistered');
    deregistering.add(id);
    const results = await Promise.all([balancer.deregister(id), ...nodes.map((node) => node.deregister(id))]);
    deregistering.delete(id);
    const closedByLoadBalancer = results.reduce((sum, r) => sum + r.closedByLoadBalancer, 0);
    const drainingMs = Math.max(...results.map((r) => r.drainingMs));
    step('unused');
    log(
      `[${id}] deregistered: unused after ${drainingMs} ms, ${closedByLoadBalancer} connections closed by the load balancer`,
    );
    // ECS developer guide, "Amazon ECS task definition parameters" (stopTimeout): SIGTERM, then
    // SIGKILL if the container has not exited after stopTimeout (Fargate: 30 s default, 120 s max).
    step('SIGTERM');
    await stopChild(child, 'SIGTERM', stopTimeoutMs);
    if (child.signalCode === 'SIGKILL') step('SIGKILL');
    step('exited');
    return { steps, closedByLoadBalancer, drainingMs };
  }

  return {
    url: balancer.url,
    redisUrl: redis.url,
    redisMode: redis.mode,
    redisClient: redis.mode === 'memory' ? undefined : redisClient,
    lb: balancer,
    nodeUrls: nodes.map((node) => node.url),
    nodePids: nodes.flatMap((node) => (node.child.pid === undefined ? [] : [node.child.pid])),
    ownedRedis: redis.owned,
    ownedRedisCluster: redis.cluster,
    containers: () =>
      processes.map((p) => ({
        id: p.id,
        port: p.port,
        url: `http://127.0.0.1:${p.port}`,
        metricsUrl: `http://127.0.0.1:${p.metricsPort}`,
        pid: p.child?.pid,
        running: isRunning(p.child),
      })),
    async killContainer(id, signal = 'SIGKILL') {
      if (signal === 'SIGTERM') {
        await stopTask(id);
        return;
      }
      // A crash (SIGKILL, an OOM kill) is only noticed by the health checks.
      await stopChild(find(id).child, signal);
    },
    stopTask,
    async addContainer() {
      // The id is taken before the first await: a deploy starts its new tasks at once, and ids
      // read after awaiting ports were all the same (three "ecs-4"s, of which the load balancer
      // registered one, so one new container took every moved client).
      const managed: ManagedProcess = {
        id: `ecs-${processes.length + 1}`,
        port: 0,
        metricsPort: 0,
        child: undefined,
      };
      processes.push(managed);
      [managed.port, managed.metricsPort] = (await freePorts(2)) as [number, number];
      await spawnRetryingPortClash(managed, true);
      await untilReady(managed);
      await registerHealthy(managed);
      return managed.id;
    },
    async startContainer(id) {
      const managed = find(id);
      if (isRunning(managed.child)) return;
      await spawnRetryingPortClash(managed, false);
      await untilReady(managed);
      await registerHealthy(managed);
    },

    worker: () => (worker ? { pid: worker.pid, running: isRunning(worker) } : undefined),
    async killWorker(signal = 'SIGKILL') {
      await stopChild(worker, signal);
    },
    async startWorker() {
      if (isRunning(worker)) return;
      if (!redis.url) throw new Error('the worker needs Redis');
      await spawnWorker();
    },
    stop,
  };
}
