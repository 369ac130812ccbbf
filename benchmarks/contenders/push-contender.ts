import { startLoadBalancer } from '../../ecs-socketio/local/load-balancer.js';
import type { ClientKind, ContenderStartOptions, RunningContender } from './contender.js';
import { createHttpPublisher } from './http-publisher.js';
import { createBusPublisher } from '../servers/bus.js';
import { startPushServer } from './push-server-process.js';

export type PushServerKind = 'ws' | 'sse' | 'long-polling' | 'baseline';

const clientKindOf: Record<PushServerKind, ClientKind> = {
  ws: 'ws',
  sse: 'sse',
  'long-polling': 'long-polling',
  baseline: 'ws',
};

/** Sums a per-server figure; unknown when any server cannot say. */
async function sumOver<T>(
  items: readonly T[],
  figure: (item: T) => Promise<number | undefined>,
): Promise<number | undefined> {
  let total = 0;
  for (const item of items) {
    const value = await figure(item);
    if (value === undefined) return undefined;
    total += value;
  }
  return total;
}

/**
 * Starts `containers` hand-written servers of one kind. With more than one, the ALB stand-in goes
 * in front (round robin per HTTP request, optional stickiness) exactly as for socket.io.
 */
export async function startPushContender(
  kind: PushServerKind,
  options: ContenderStartOptions,
): Promise<RunningContender> {
  const log = options.log ?? (() => {});
  const env: Record<string, string> = {
    ...options.env,
    BENCH_SERVER_KIND: kind,
    HEARTBEAT_INTERVAL_MS: String(options.heartbeat.intervalMs),
    HEARTBEAT_TIMEOUT_MS: String(options.heartbeat.timeoutMs),
    POLL_HOLD_MS: String(options.heartbeat.intervalMs),
    ...(kind === 'baseline' ? {} : { REDIS_URL: options.redisUrl }),
  };
  const servers = await Promise.all(
    Array.from({ length: options.containers ?? 1 }, () => startPushServer(env, log)),
  );
  const first = servers[0];
  if (!first) throw new Error('no server started');
  const balancer =
    servers.length > 1
      ? await startLoadBalancer({
          targets: servers.map((s, i) => ({ id: `${kind}-${i + 1}`, url: s.url })),
          sticky: options.sticky ?? false,
          idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
        })
      : undefined;
  const publisher =
    kind === 'baseline' ? createHttpPublisher(`${first.url}/publish`) : createBusPublisher(options.redisUrl);
  return {
    clientKind: clientKindOf[kind],
    urls: [balancer?.url ?? first.url],
    directUrl: first.url,
    serverPids: () => servers.map((s) => s.pid),
    serverConnections: () => sumOver(servers, (server) => server.connections()),
    serverClosedTotal: () => sumOver(servers, (server) => server.closedTotal()),
    publish: (notification) => publisher.publish(notification),
    async stop() {
      await balancer?.close();
      await publisher.close();
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}
