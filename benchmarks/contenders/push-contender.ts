import { fileURLToPath } from 'node:url';
import { Emitter } from '@socket.io/redis-emitter';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { startLoadBalancer } from '../../ecs-socketio/local/load-balancer.js';
import { SocketEvent } from '../../shared/contract/index.js';
import { createBusPublisher } from '../servers/bus.js';
import { PLAIN_SOCKETIO_KEY, plainUserRoom } from '../servers/common.js';
import type { ClientKind, ContenderStartOptions, RunningContender } from './contender.js';
import { startExtraBalancers, stopExtraBalancers } from './extra-balancers.js';
import { createHttpPublisher } from './http-publisher.js';
import { startPushServer } from './push-server-process.js';

export type PushServerKind = 'ws' | 'sse' | 'long-polling' | 'baseline' | 'socketio-plain';

const clientKindOf: Record<PushServerKind, ClientKind> = {
  ws: 'ws',
  sse: 'sse',
  'long-polling': 'long-polling',
  baseline: 'ws',
  'socketio-plain': 'socketio',
};

const plainSocketIoEntry = fileURLToPath(new URL('../servers/socketio-plain-main.ts', import.meta.url));

/**
 * Publishes as the straightforward socket.io backend does, straight to the user's room: the emitter
 * on the classic adapter; on the sharded one (the emitter only PUBLISHes) a headless `Server` whose
 * sharded adapter SPUBLISHes on the room's own channel.
 */
function createPlainSocketIoPublisher(
  redisUrl: string,
  adapter: string | undefined,
): {
  publish(notification: import('../../shared/contract/index.js').Notification): Promise<void>;
  close(): Promise<void>;
} {
  const redis = new Redis(redisUrl, { enableAutoPipelining: true, maxRetriesPerRequest: null });
  if (adapter === 'sharded') {
    const sub = redis.duplicate();
    const io = new Server({
      adapter: createShardedAdapter(redis, sub, {
        channelPrefix: PLAIN_SOCKETIO_KEY,
        subscriptionMode: 'dynamic',
      }),
    });
    return {
      async publish(notification) {
        io.to(plainUserRoom(notification.userId)).emit(SocketEvent.Notification, notification);
      },
      async close() {
        // A headless Server has no engine for io.close() to close, and the adapter's close() sends
        // SUNSUBSCRIBEs whose promises nobody holds: closing its connection unsubscribes it.
        await Promise.all([redis.quit(), sub.quit()]).catch(() => undefined);
      },
    };
  }
  const emitter = new Emitter(redis, { key: PLAIN_SOCKETIO_KEY });
  return {
    async publish(notification) {
      emitter.to(plainUserRoom(notification.userId)).emit(SocketEvent.Notification, notification);
    },
    async close() {
      await redis.quit().catch(() => undefined);
    },
  };
}

function publisherFor(kind: PushServerKind, options: ContenderStartOptions, firstUrl: string) {
  if (kind === 'baseline') return createHttpPublisher(`${firstUrl}/publish`);
  if (kind === 'socketio-plain')
    return createPlainSocketIoPublisher(options.redisUrl, options.env?.REDIS_ADAPTER);
  return createBusPublisher(options.redisUrl);
}

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
 * Starts `containers` servers of one kind (@default `defaultContainers`). With more than one, the
 * ALB stand-in goes in front (round robin per HTTP request, optional stickiness, plus
 * `extraBalancers` processes) exactly as for socket.io.
 */
export async function startPushContender(
  kind: PushServerKind,
  options: ContenderStartOptions,
  defaultContainers = 1,
): Promise<RunningContender> {
  const log = options.log ?? (() => {});
  const env: Record<string, string> = {
    ...options.env,
    BENCH_SERVER_KIND: kind,
    HEARTBEAT_INTERVAL_MS: String(options.heartbeat.intervalMs),
    HEARTBEAT_TIMEOUT_MS: String(options.heartbeat.timeoutMs),
    POLL_HOLD_MS: String(options.heartbeat.intervalMs),
    PING_INTERVAL_MS: String(options.heartbeat.intervalMs),
    PING_TIMEOUT_MS: String(options.heartbeat.timeoutMs),
    ...(kind === 'baseline' ? {} : { REDIS_URL: options.redisUrl }),
  };
  const servers = await Promise.all(
    Array.from({ length: options.containers ?? defaultContainers }, () =>
      startPushServer(
        env,
        log,
        kind === 'socketio-plain' ? plainSocketIoEntry : undefined,
        options.gracefulStop,
      ),
    ),
  );
  const first = servers[0];
  if (!first) throw new Error('no server started');
  const targets = servers.map((s, i) => ({ id: `${kind}-${i + 1}`, url: s.url }));
  const balancer =
    servers.length > 1
      ? await startLoadBalancer({
          targets,
          sticky: options.sticky ?? false,
          idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
        })
      : undefined;
  const extra = balancer ? await startExtraBalancers(targets, options) : [];
  const publisher = publisherFor(kind, options, first.url);
  return {
    clientKind: clientKindOf[kind],
    urls: [balancer?.url ?? first.url, ...extra.map((e) => e.url)],
    directUrl: first.url,
    serverPids: () => servers.map((s) => s.pid),
    serverConnections: () => sumOver(servers, (server) => server.connections()),
    serverClosedTotal: () => sumOver(servers, (server) => server.closedTotal()),
    publish: (notification) => publisher.publish(notification),
    ...(balancer ? { blackhole: (durationMs: number) => balancer.blackhole(() => true, durationMs) } : {}),
    async stop() {
      await stopExtraBalancers(extra);
      await balancer?.close();
      await publisher.close();
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}
