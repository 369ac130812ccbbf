import type { RedisLike } from '../../src/redis-client.js';
import { sendJson } from './respond.js';
import type { Route } from './router.js';

export interface HealthRoutesOptions {
  containerId: string;
  isDraining(): boolean;
  /** The adapter's connections; none without Redis. */
  redis: { pub: RedisLike; sub: RedisLike } | undefined;
}

/**
 * `GET /healthz` (the process answers) and `GET /readyz` (it should get traffic: not draining, and
 * both Redis connections ready, so the load balancer stops sending clients that would miss publishes).
 */
export function healthRoutes({ containerId, isDraining, redis }: HealthRoutesOptions): Route[] {
  return [
    {
      method: 'GET',
      path: '/healthz',
      handle: (_req, res) => sendJson(res, 200, { status: 'ok', containerId }),
    },
    {
      method: 'GET',
      path: '/readyz',
      handle(_req, res) {
        const draining = isDraining();
        const redisReady = !redis || (redis.pub.isReady && redis.sub.isReady);
        const ready = !draining && redisReady;
        sendJson(res, ready ? 200 : 503, {
          ready,
          draining,
          redis: redis ? (redisReady ? 'ready' : 'down') : 'none',
          redisClient: redis?.pub.kind ?? 'none',
          containerId,
        });
      },
    },
  ];
}
