/**
 * How much server-side work a broadcast costs per local socket, with syncbell's outgoing hook as
 * shipped and with no hook at all (issue 16, section 3). One ECS server in this process (in-memory
 * adapter), N socket.io clients of one user in a child process, then `io.to(room).emit` timed
 * around the synchronous part (encode once, then for each socket: outgoing listeners, write).
 * Machine-dependent: read the ratio, not the microseconds.
 *
 *   npx tsx benchmarks/broadcast-cost.ts [sockets=2000] [broadcasts=300]
 */
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { stopChild } from '../dev-tools/index.js';
import { loadEcsConfig } from '../ecs-socketio/src/config.js';
import { createLogger } from '../ecs-socketio/container/logger.js';
import { userRoom } from '../ecs-socketio/src/rooms.js';
import { createEcsServer } from '../ecs-socketio/container/server.js';
import { resolveJwtSecret, signToken } from '../shared/server/auth/index.js';
import { createNotification, SocketEvent } from '../shared/contract/index.js';

const sockets = Number(process.argv[2] ?? 2000);
const broadcasts = Number(process.argv[3] ?? 300);

if (process.env.BROADCAST_COST_CLIENTS) {
  // The child: N clients, one user, that only receive.
  const { io } = await import('socket.io-client');
  const url = process.env.BROADCAST_COST_CLIENTS;
  const token = process.env.BROADCAST_COST_TOKEN as string;
  let connected = 0;
  for (let i = 0; i < sockets; i++) {
    const socket = io(url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      auth: { token },
    });
    socket.on('connect', () => ++connected === sockets && process.send?.('connected'));
    socket.on('connect_error', (e) => process.stderr.write(`${e.message}\n`));
  }
} else {
  const config = loadEcsConfig({
    REDIS_ADAPTER: 'memory',
    PORT: '0',
    CONTAINER_ID: 'cost-1',
    LOG_LEVEL: 'silent',
    MAX_CONNECTIONS_PER_ADDRESS: '1000000',
  });
  const key = resolveJwtSecret().key;
  const server = await createEcsServer({
    config,
    logger: createLogger('cost', 'silent', 'cost-1'),
    jwtKey: key,
  });
  const port = await server.listen(0);
  const child = fork(fileURLToPath(import.meta.url), process.argv.slice(2), {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      BROADCAST_COST_CLIENTS: `http://127.0.0.1:${port}`,
      BROADCAST_COST_TOKEN: await signToken({ userId: 'fan', key, expiresInSeconds: 600 }),
    },
  });
  await new Promise((resolve) => child.once('message', resolve));
  const room = server.io.to(userRoom('fan'));
  const all = [...server.io.of('/').sockets.values()];
  const hook = all[0]?.listenersAnyOutgoing()[0];
  if (!hook) throw new Error('the server registered no outgoing hook');
  const setHook = (on: boolean) => {
    for (const socket of all) on ? socket.onAnyOutgoing(hook) : socket.offAnyOutgoing(hook);
  };
  // Shipped and bare alternate broadcast by broadcast, so the machine's load hits both alike.
  const timed: Record<'shipped' | 'bare', number[]> = { shipped: [], bare: [] };
  for (let i = 0; i < broadcasts * 2; i++) {
    const variant = i % 2 === 0 ? 'shipped' : 'bare';
    setHook(variant === 'shipped');
    const notification = createNotification({ type: 'sync.complete', userId: 'fan', jobId: `job_${i}` });
    const start = performance.now();
    room.emit(SocketEvent.Notification, notification);
    if (i >= 20) timed[variant].push(performance.now() - start); // the first 20: warm-up
    await new Promise((resolve) => setTimeout(resolve, 20)); // let the writes drain
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  const shipped = median(timed.shipped);
  const bare = median(timed.bare);
  // The hook alone, without the writes: what the outgoing listeners cost each socket of a broadcast.
  const notify = all as unknown as { notifyOutgoingListeners(packet: unknown): void }[];
  const hookAlone: number[] = [];
  for (let i = 0; i < broadcasts; i++) {
    const notification = createNotification({ type: 'sync.complete', userId: 'fan', jobId: `hook_${i}` });
    const packet = { type: 2, nsp: '/', data: [SocketEvent.Notification, notification] };
    const start = performance.now();
    for (const socket of notify) socket.notifyOutgoingListeners(packet);
    hookAlone.push(performance.now() - start);
  }
  const hook_ = median(hookAlone);
  const us = (ms: number) => `${((ms * 1000) / sockets).toFixed(2)} us per socket`;
  const observed = (await server.metrics.deliveryLatency.get()).values.find((v) =>
    v.metricName?.endsWith('_count'),
  )?.value;
  process.stdout.write(
    `${sockets} sockets, median of ${broadcasts} broadcasts each: as shipped ${shipped.toFixed(2)} ms (${us(shipped)}), no outgoing hook ${bare.toFixed(2)} ms (${us(bare)}), ratio ${(shipped / bare).toFixed(2)}x; the hook alone ${hook_.toFixed(3)} ms (${us(hook_)}); latency observations ${observed} for ${broadcasts * 2} broadcasts\n`,
  );
  await stopChild(child);
  await server.close();
  process.exit(0);
}
