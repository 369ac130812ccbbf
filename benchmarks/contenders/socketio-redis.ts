import { createRedis } from '../../ecs-socketio/container/redis-connection.js';
import { startEcsLocal } from '../../ecs-socketio/local/stack.js';
import { createSocketIoPublisher, publisherAdapter } from '../../ecs-socketio/src/socketio-publisher.js';
import {
  BENCH_MAX_CONNECTIONS_PER_ADDRESS,
  type Contender,
  type ContenderStartOptions,
  type RunningContender,
} from './contender.js';
import { startExtraBalancers, stopExtraBalancers } from './extra-balancers.js';
import { socketIoClosedTotal, socketIoConnections } from './http-publisher.js';

/** Starts the ECS variant as shipped: K containers behind the ALB stand-in, Redis adapter, replay log, metrics, auth. */
export async function startSocketIoStack(
  options: ContenderStartOptions,
  polling: boolean,
): Promise<RunningContender> {
  const stack = await startEcsLocal({
    containers: options.containers ?? 2,
    redisUrl: options.redisUrl,
    worker: false, // the harness publishes exactly as the worker does (the socket.io publisher)
    idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
    sticky: options.sticky ?? false,
    allowPolling: polling,
    ...(options.gracefulStop ? { stopSignal: 'SIGTERM' as const } : {}),
    env: {
      ...options.env,
      // A cluster runs the sharded adapter only, on node-redis (the cluster containers' default
      // client; ioredis also passes the failover scenarios: ecs-socketio/src/redis.ts,
      // clusterSubscriberProblem).
      ...(options.redisCluster
        ? { REDIS_CLUSTER: 'true', REDIS_ADAPTER: 'sharded', REDIS_CLIENT: 'node-redis' }
        : {}),
      PING_INTERVAL_MS: String(options.heartbeat.intervalMs),
      PING_TIMEOUT_MS: String(options.heartbeat.timeoutMs),
      LOG_LEVEL: 'warn',
      // The load generator has a handful of source addresses where real users have one each:
      // the per-address flood guard (default 200) would cap a container at 200 x addresses.
      MAX_CONNECTIONS_PER_ADDRESS: String(BENCH_MAX_CONNECTIONS_PER_ADDRESS),
    },
    ...(options.log ? { log: options.log } : {}),
  });
  const targets = stack.containers().map((c) => ({ id: c.id, url: c.url }));
  const extra = await startExtraBalancers(targets, options);
  // The publisher is ioredis (auto-pipelined, queueing while disconnected) on either topology.
  const redis = createRedis({
    url: options.redisUrl,
    name: 'syncbell:bench:publisher',
    cluster: options.redisCluster ?? false,
  });
  redis.on('error', () => undefined);
  const publisher = createSocketIoPublisher({
    redis,
    adapter: options.redisCluster ? 'sharded' : publisherAdapter(options.env?.REDIS_ADAPTER),
  });
  const first = stack.containers()[0];
  if (!first) throw new Error('the ECS stack started no container');
  return {
    clientKind: polling ? 'socketio-polling' : 'socketio',
    urls: [stack.url, ...extra.map((e) => e.url)],
    directUrl: first.url,
    serverPids: () =>
      stack
        .containers()
        .map((c) => c.pid)
        .filter((pid): pid is number => pid !== undefined),
    serverConnections: () => socketIoConnections(stack.containers().map((c) => c.metricsUrl)),
    serverClosedTotal: () => socketIoClosedTotal(stack.containers().map((c) => c.metricsUrl)),
    async publish(notification) {
      await publisher.publishEnvelope(notification);
    },
    blackhole: (durationMs) => stack.lb.blackhole(() => true, durationMs),
    async stop() {
      await stopExtraBalancers(extra);
      await redis.quit().catch(() => undefined);
      await stack.stop();
    },
  };
}

/** The ECS variant: socket.io + Redis adapter, 2 containers behind the local load balancer. */
export const socketIoRedis: Contender = {
  id: 'socketio-redis',
  label: 'Socket.io + Redis adapter, 2 containers behind the load balancer',
  optionId: 'ecs-socketio',
  emulated: false,
  baseline: false,
  resume: true,
  multiContainer: true,
  // Classic (every container hears every notification) against per-user channels.
  scaleAdapters: ['classic', 'sharded'],
  scaleCluster: true,
  // The section-3 overhead goals are its unicast figures over plain socket.io's, same run.
  unicastInterleavedWith: 'socketio-plain',
  start: (options) => startSocketIoStack(options, false),
};
