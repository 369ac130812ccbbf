import type { Redis } from 'ioredis';
import {
  type Notification,
  notificationSchema,
  type ReplayResult,
  selectMissed,
} from '../../shared/contract/index.js';

export interface ReplayLogOptions {
  redis: Redis;
  /** Entries kept per user (approximate trim: Redis trims whole macro-nodes). @default 1000 */
  maxLen?: number;
  /** The user's log expires this long after its last append. @default 86400 */
  ttlSeconds?: number;
  /** @default 'syncbell:log:' */
  keyPrefix?: string;
}

export interface ReplayLog {
  append(notification: Notification): Promise<void>;
  read(userId: string, after: string | undefined): Promise<ReplayResult>;
}

/**
 * A per-user Redis Stream of notifications. The @socket.io/redis-adapter cannot recover missed
 * packets (no connection state recovery), so replay lives here: written before every publish,
 * read on every resume.
 */
export function createReplayLog({
  redis,
  maxLen = 1000,
  ttlSeconds = 86_400,
  keyPrefix = 'syncbell:log:',
}: ReplayLogOptions): ReplayLog {
  const keyOf = (userId: string) => `${keyPrefix}{${userId}}`;
  return {
    async append(notification) {
      const key = keyOf(notification.userId);
      await redis
        .multi()
        .xadd(key, 'MAXLEN', '~', String(maxLen), '*', 'n', JSON.stringify(notification))
        .expire(key, ttlSeconds)
        .exec()
        .then((results) => {
          const failed = results?.find(([error]) => error);
          if (failed?.[0]) throw failed[0];
        });
    },
    async read(userId, after) {
      // A first connect only needs the newest entry (for the cursor); a resume reads the whole log.
      const entries =
        after === undefined
          ? await redis.xrevrange(keyOf(userId), '+', '-', 'COUNT', 1)
          : await redis.xrange(keyOf(userId), '-', '+', 'COUNT', maxLen * 2);
      const log: Notification[] = [];
      for (const [, fields] of entries) {
        const raw = fields[1];
        if (raw === undefined) continue;
        const parsed = notificationSchema.safeParse(JSON.parse(raw));
        // Defence in depth: a row that is not this user's never leaves the log.
        if (parsed.success && parsed.data.userId === userId) log.push(parsed.data);
      }
      return selectMissed(log, after);
    },
  };
}
