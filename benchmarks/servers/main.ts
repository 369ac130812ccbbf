/**
 * Process entry for the hand-written contender servers (raw ws, SSE, long polling, baseline).
 * Configured through the environment; tells its parent the port over IPC.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { resolveJwtSecret } from '../../shared/server/auth/index.js';
import { notificationSchema } from '../../shared/contract/index.js';
import { createBus } from './bus.js';
import { type PushServerConfig, sendJson } from './common.js';
import { createLongPollingHandler } from './long-polling-server.js';
import { createSseHandler } from './sse-server.js';
import { attachWsServer } from './ws-server.js';

const envSchema = z.object({
  BENCH_SERVER_KIND: z.enum(['ws', 'sse', 'long-polling', 'baseline']),
  PORT: z.coerce.number().int().min(0).max(65_535).default(0),
  /** Absent for the baseline: notifications come in over `POST /publish`, no Redis hop. */
  REDIS_URL: z.string().optional(),
  HEARTBEAT_INTERVAL_MS: z.coerce.number().int().positive().default(25_000),
  HEARTBEAT_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
  POLL_HOLD_MS: z.coerce.number().int().positive().default(25_000),
});

async function main(): Promise<void> {
  const env = envSchema.parse(process.env);
  const baseline = env.BENCH_SERVER_KIND === 'baseline';
  const bus = await createBus({ redisUrl: baseline ? undefined : env.REDIS_URL });
  const config: PushServerConfig = {
    jwtKey: baseline ? undefined : resolveJwtSecret().key,
    heartbeatIntervalMs: env.HEARTBEAT_INTERVAL_MS,
    heartbeatTimeoutMs: env.HEARTBEAT_TIMEOUT_MS,
    pollHoldMs: env.POLL_HOLD_MS,
  };
  const http = createServer();
  // An idle keep-alive socket between polls must not be reaped before the client's next poll.
  http.keepAliveTimeout = 65_000;
  http.requestTimeout = 0;
  let connections = () => 0;
  let closedTotal: (() => number) | undefined;
  let handle:
    | ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void)
    | undefined;
  if (env.BENCH_SERVER_KIND === 'ws' || baseline)
    ({ connections, closedTotal } = attachWsServer(http, bus, config));
  if (env.BENCH_SERVER_KIND === 'sse') ({ handle, connections, closedTotal } = createSseHandler(bus, config));
  if (env.BENCH_SERVER_KIND === 'long-polling')
    ({ handle, connections } = createLongPollingHandler(bus, config));

  http.on('request', (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    // Long polling has no connection to lose: `closedTotal` is absent for it.
    if (path === '/stats')
      return sendJson(res, 200, { connections: connections(), closedTotal: closedTotal?.() ?? null });
    if (path === '/readyz') return sendJson(res, 200, { ready: true });
    if (baseline && req.method === 'POST' && path === '/publish') {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const parsed = notificationSchema.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        if (!parsed.success)
          return sendJson(res, 400, { code: 'bad_request', message: 'not a notification' });
        bus.publishLocal(parsed.data);
        sendJson(res, 202, { ok: true });
      });
      return;
    }
    if (handle && (path === '/events' || path === '/poll')) return handle(req, res);
    if (!res.headersSent && path !== '/') sendJson(res, 404, { code: 'bad_request', message: 'not found' });
  });
  await new Promise<void>((resolve) => http.listen(env.PORT, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  process.send?.({ type: 'listening', port });
  const stop = () => {
    http.closeAllConnections();
    http.close();
    void bus.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
