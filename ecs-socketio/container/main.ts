/**
 * The ECS task's entry point: `node main` (bundled) or `tsx ecs-socketio/src/main.ts`.
 * Reads the environment, starts the server, drains on SIGTERM (ECS sends it on scale-in and
 * deploys, then SIGKILL after `stopTimeout`).
 */
import { jwtKeyFromEnv, SyncbellError } from '@syncbell/server';
import { loadEcsConfig } from '../src/config.js';
import { createLogger } from './logger.js';
import { createEcsServer } from './server.js';

async function main(): Promise<void> {
  const config = loadEcsConfig();
  const logger = createLogger('syncbell-ecs', config.LOG_LEVEL, config.CONTAINER_ID);
  const secret = jwtKeyFromEnv((message) => logger.warn(message));
  if (config.REDIS_ADAPTER === 'memory')
    logger.warn('in-memory adapter: notifications reach only clients of this container');
  const server = await createEcsServer({ config, logger, jwtKey: secret.key });
  const port = await server.listen();
  const metricsPort = await server.listenMetrics();
  logger.info(
    {
      port,
      metricsPort: metricsPort ?? 'off',
      adapter: config.REDIS_ADAPTER,
      redisClient: config.REDIS_CLIENT,
    },
    'listening',
  );
  // Machine-readable line for whoever spawned us (the local stack waits for it).
  process.send?.({ type: 'listening', port, metricsPort, containerId: config.CONTAINER_ID });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    server.drain().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: (error as Error).message }, 'drain failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // Spawned by the local stack: if it dies, do not linger as an orphan holding a port.
  process.on('disconnect', () => stop('parent exited'));
  process.on('unhandledRejection', (error) => logger.error({ err: String(error) }, 'unhandled rejection'));
}

main().catch((error: unknown) => {
  // The code first (docs/ERRORS.md): what a log filter or an alarm matches, whatever the wording.
  const code = error instanceof SyncbellError ? `${error.code}: ` : '';
  process.stderr.write(`syncbell-ecs: ${code}${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
