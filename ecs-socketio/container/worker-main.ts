/** The worker process's entry point (a separate ECS service, or `npm start` locally). */
import { loadWorkerConfig } from '../src/config.js';
import { createLogger } from './logger.js';
import { createRedis } from './redis-connection.js';
import { publisherAdapter } from '../src/socketio-publisher.js';
import { startWorker } from './worker.js';
import { startMetricsListener } from './worker-metrics.js';

const config = loadWorkerConfig();
const workerId = `worker-${config.CONTAINER_ID}`;
const logger = createLogger('syncbell-worker', config.LOG_LEVEL, workerId);
const redis = createRedis({
  url: config.REDIS_URL,
  authToken: config.REDIS_AUTH_TOKEN,
  name: `${workerId}:cmd`,
  client: config.REDIS_CLIENT,
  cluster: config.REDIS_CLUSTER,
});
const queueRedis = redis.duplicate(`${workerId}:queue`);
for (const client of [redis, queueRedis])
  client.on('error', (error) => logger.warn({ err: error.message }, 'redis error'));
const worker = startWorker({
  redis,
  adapter: publisherAdapter(config.REDIS_ADAPTER),
  queueRedis,
  logger,
  workerId,
  replayMaxLen: config.REPLAY_MAX_LEN,
  replayTtlSeconds: config.REPLAY_TTL_SECONDS,
  visibilityTimeoutMs: config.JOB_VISIBILITY_TIMEOUT_MS,
});
const metricsListener =
  config.WORKER_METRICS_PORT === undefined
    ? undefined
    : await startMetricsListener(worker.metrics.registry, config.WORKER_METRICS_PORT);
logger.info(
  { consumer: worker.consumer, metricsPort: metricsListener?.port, redisClient: redis.kind },
  'worker started',
);
process.send?.({
  type: 'ready',
  workerId,
  consumer: worker.consumer,
  metricsPort: metricsListener?.port,
  redisClient: redis.kind,
});

const stop = () => {
  metricsListener?.server.close();
  worker
    .stop()
    .then(() => Promise.all([redis.quit(), queueRedis.quit()]))
    .then(
      () => process.exit(0),
      () => process.exit(1),
    );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
