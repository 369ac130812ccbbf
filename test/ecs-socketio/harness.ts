import { Emitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import { DEV_JWT_SECRET, signToken } from '../../shared/auth/index.js';
import { socketIoTransport } from '../../shared/client/index.js';
import { createNotification, type Notification } from '../../shared/contract/index.js';
import { type EcsLocalOptions, type EcsLocalStack, startEcsLocal } from '../../ecs-socketio/local/stack.js';
import { publishNotification } from '../../ecs-socketio/src/publisher.js';
import { createReplayLog, replayLogKey } from '../../ecs-socketio/src/replay-log.js';
import type { VariantHarness } from '../contract/harness.js';

export const TEST_JWT_KEY = new TextEncoder().encode(DEV_JWT_SECRET);

export interface EcsHarness extends VariantHarness {
  stack: EcsLocalStack;
  redis: Redis;
  /** Only with `ownRedis: true`. */
  ownedRedisStop(): Promise<void>;
  ownedRedisStart(): Promise<void>;
}

/** The ECS variant as the contract suite sees it: 2 container processes behind the local load balancer. */
export async function createEcsHarness(options: EcsLocalOptions = {}): Promise<EcsHarness> {
  const stack = await startEcsLocal({ containers: 2, worker: false, ...options });
  if (!stack.redisUrl) throw new Error('the ECS harness needs Redis');
  const redis = new Redis(stack.redisUrl, { maxRetriesPerRequest: null });
  const emitter = new Emitter(redis, { key: 'syncbell' });
  const log = createReplayLog({ redis });
  return {
    name: 'ecs-socketio',
    stack,
    redis,
    url: stack.url,
    jobsUrl: stack.url,
    transport: () => socketIoTransport(),
    token: (userId, opts) =>
      signToken({
        userId,
        key: TEST_JWT_KEY,
        ...(opts?.expiresInSeconds === undefined ? {} : { expiresInSeconds: opts.expiresInSeconds }),
      }),
    async publish(userId, overrides = {}) {
      // The worker's path: replay log, then @socket.io/redis-emitter through Redis pub/sub.
      const notification = createNotification({
        type: overrides.type ?? 'sync.complete',
        userId,
        jobId: overrides.jobId ?? 'job',
        ...(overrides.data ? { data: overrides.data } : {}),
      });
      await publishNotification(log, emitter, notification);
      return notification;
    },
    async publishAsNewerServer(envelope) {
      // A newer server runs this same publish path with a wider Notification type.
      await publishNotification(log, emitter, envelope as unknown as Notification);
    },
    async writeLogEntry(userId, entry) {
      await redis.xadd(
        replayLogKey(userId),
        '*',
        'n',
        typeof entry === 'string' ? entry : JSON.stringify(entry),
      );
    },
    rawSocketUrl: (token) =>
      `${stack.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket&token=${encodeURIComponent(token)}`,
    async ownedRedisStop() {
      if (!stack.ownedRedis) throw new Error('start the harness with ownRedis: true');
      await stack.ownedRedis.stop();
    },
    async ownedRedisStart() {
      if (!stack.ownedRedis) throw new Error('start the harness with ownRedis: true');
      await stack.ownedRedis.start();
    },
    async stop() {
      redis.disconnect();
      await stack.stop();
    },
  };
}
