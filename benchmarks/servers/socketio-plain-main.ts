/**
 * The reference syncbell's socket.io variant is held against (issue 16, section 3): socket.io and
 * the classic `@socket.io/redis-adapter` as the straightforward implementation would use them, with
 * nothing of syncbell's: no token check, no replay log, no metrics, no rate limits, no per-address
 * guard, socket.io's own defaults otherwise. What syncbell costs on top is the gap to this.
 * `REDIS_ADAPTER=sharded` runs the sharded adapter with per-room channels (`subscriptionMode:
 * 'dynamic'`), as the scale scenario compares both adapters on both contenders.
 * Configured through the environment; tells its parent the port over IPC.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { decodeJwt } from 'jose';
import { Server } from 'socket.io';
import { z } from 'zod';
import { PLAIN_SOCKETIO_KEY, plainUserRoom, sendJson } from './common.js';

const envSchema = z.object({
  REDIS_URL: z.string(),
  PING_INTERVAL_MS: z.coerce.number().int().positive().default(25_000),
  PING_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
  REDIS_ADAPTER: z.enum(['classic', 'sharded']).default('classic'),
});

async function main(): Promise<void> {
  const env = envSchema.parse(process.env);
  const pub = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  const sub = pub.duplicate();
  const http = createServer();
  const io = new Server(http, {
    // The load generator's socket.io clients use the WebSocket transport only, as against syncbell.
    transports: ['websocket'],
    pingInterval: env.PING_INTERVAL_MS,
    pingTimeout: env.PING_TIMEOUT_MS,
    serveClient: false,
    adapter:
      env.REDIS_ADAPTER === 'sharded'
        ? createShardedAdapter(pub, sub, { channelPrefix: PLAIN_SOCKETIO_KEY, subscriptionMode: 'dynamic' })
        : createAdapter(pub, sub, { key: PLAIN_SOCKETIO_KEY }),
  });
  let closedTotal = 0;
  // No auth: the user is the subject of the token the load generator sends anyway, read without
  // checking its signature (a plain implementation has to learn the user somehow).
  io.use((socket, next) => {
    try {
      const userId = decodeJwt(String(socket.handshake.auth?.token)).sub;
      if (!userId) throw new Error('no subject');
      socket.data.userId = userId;
      next();
    } catch {
      next(new Error('a token with a subject is needed to know the user'));
    }
  });
  io.on('connection', (socket) => {
    socket.join(plainUserRoom(socket.data.userId as string));
    // No replay log: a resume is answered with nothing, so the client counts itself connected.
    socket.on('resume', (...args: unknown[]) => {
      const ack = args.at(-1);
      if (typeof ack === 'function') ack({ notifications: [], truncated: false });
    });
    socket.on('disconnect', () => closedTotal++);
  });
  http.on('request', (req, res) => {
    if (req.url?.startsWith('/socket.io')) return; // socket.io answers these
    const path = (req.url ?? '/').split('?')[0];
    // The harness's probes (the load balancer's health check, connection counts), not metrics.
    if (path === '/stats') return sendJson(res, 200, { connections: io.engine.clientsCount, closedTotal });
    if (path === '/readyz') return sendJson(res, 200, { ready: true });
    sendJson(res, 404, { code: 'bad_request', message: 'not found' });
  });
  // The ECS server's accept backlog, so a connect ramp measures socket.io and not the kernel queue.
  await new Promise<void>((resolve) => http.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  process.send?.({ type: 'listening', port: (http.address() as AddressInfo).port });
  const stop = () => {
    io.close();
    void Promise.all([pub.quit(), sub.quit()]).finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`socketio-plain: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
