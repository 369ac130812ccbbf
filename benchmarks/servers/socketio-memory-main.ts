/**
 * The single-container socket.io contender with the in-memory adapter: the real ECS server
 * (auth, metrics, rate limits) with no Redis at all. A backend job in this shape publishes in
 * process, so a side port stands in for the job: `POST /publish` emits to the user's room.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadEcsConfig } from '../../ecs-socketio/src/config.js';
import { createLogger } from '../../ecs-socketio/container/logger.js';
import { userRoom } from '../../ecs-socketio/src/rooms.js';
import { createEcsServer } from '../../ecs-socketio/container/server.js';
import { resolveJwtSecret } from '../../shared/server/auth/index.js';
import { notificationSchema, SocketEvent } from '../../shared/contract/index.js';

async function main(): Promise<void> {
  const config = loadEcsConfig({
    ...process.env,
    REDIS_ADAPTER: 'memory',
    PORT: '0',
    METRICS_PORT: '0',
    CONTAINER_ID: 'memory-1',
  });
  const logger = createLogger('syncbell-bench-memory', config.LOG_LEVEL, config.CONTAINER_ID);
  const server = await createEcsServer({ config, logger, jwtKey: resolveJwtSecret().key });
  const port = await server.listen(0);
  const metricsPort = await server.listenMetrics(0);
  const side = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const parsed = notificationSchema.safeParse(
        JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null'),
      );
      if (req.url !== '/publish' || !parsed.success) {
        res.writeHead(400).end();
        return;
      }
      server.io.to(userRoom(parsed.data.userId)).emit(SocketEvent.Notification, parsed.data);
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => side.listen(0, '127.0.0.1', resolve));
  process.send?.({ type: 'listening', port, metricsPort, publishPort: (side.address() as AddressInfo).port });
  process.on('disconnect', () => process.exit(0));
}

main().catch((error: unknown) => {
  process.stderr.write(`socketio-memory: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
