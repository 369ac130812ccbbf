import { once } from 'node:events';
import { Redis } from 'ioredis';
import { createReplayLog, type ReplayLog, replayLogKey } from '../../ecs-socketio/src/replay-log.js';
import type { Notification, ReplayResult } from '../../shared/contract/index.js';

/**
 * Per-user Redis channels for the hand-written contenders (raw ws, SSE, long polling).
 *
 * Per-user channels, not one shared channel: a server SUBSCRIBEs `bench:user:{id}` while it holds
 * at least one connection of that user, so Redis sends each notification only to the servers that
 * can deliver it. With one shared channel every server would receive and parse every
 * notification and drop most of them: cost grows with total traffic times servers instead of
 * with what a server actually delivers. Redis handles hundreds of thousands of channels easily.
 */
export const userChannel = (userId: string) => `bench:user:${userId}`;

/** A raw JSON notification as it came off Redis: handed on without re-serialising. */
export type RawListener = (raw: string) => void;

export interface Bus {
  /** Adds a local listener for a user; subscribes the channel on the first one. */
  listen(userId: string, listener: RawListener): () => void;
  /** The user's missed notifications after `after` (the resume protocol). */
  replay(userId: string, after: string | undefined): Promise<ReplayResult>;
  /** The newest id in the user's log: a cursor for clients that have seen nothing yet. */
  latestId(userId: string): Promise<string | undefined>;
  close(): Promise<void>;
}

export interface BusOptions {
  /** `redis://...`; undefined runs an in-process bus (the baseline: no Redis hop). */
  redisUrl: string | undefined;
}

export async function createBus({
  redisUrl,
}: BusOptions): Promise<Bus & { publishLocal(notification: Notification): void }> {
  const listeners = new Map<string, Set<RawListener>>();
  const dispatch = (userId: string, raw: string) => {
    for (const listener of listeners.get(userId) ?? []) listener(raw);
  };
  const commands = redisUrl
    ? new Redis(redisUrl, { enableAutoPipelining: true, maxRetriesPerRequest: null })
    : undefined;
  const subscriber = commands?.duplicate();
  const log: ReplayLog | undefined = commands ? createReplayLog({ redis: commands }) : undefined;
  // SUBSCRIBE issued before the connection's ready check (INFO) puts it in subscriber mode and the
  // check fails ("only subscriber commands may be used"), leaving a dead subscription: wait first.
  await Promise.all(
    [commands, subscriber].map((client) =>
      client && client.status !== 'ready' ? once(client, 'ready') : undefined,
    ),
  );
  subscriber?.on('message', (channel: string, raw: string) =>
    dispatch(channel.slice('bench:user:'.length), raw),
  );
  return {
    listen(userId, listener) {
      let set = listeners.get(userId);
      if (!set) {
        set = new Set();
        listeners.set(userId, set);
        void subscriber?.subscribe(userChannel(userId));
      }
      set.add(listener);
      return () => {
        const current = listeners.get(userId);
        if (!current) return;
        current.delete(listener);
        if (current.size === 0) {
          listeners.delete(userId);
          void subscriber?.unsubscribe(userChannel(userId));
        }
      };
    },
    async replay(userId, after) {
      if (!log) return { notifications: [], truncated: after !== undefined };
      return log.read(userId, after);
    },
    async latestId(userId) {
      if (!commands) return undefined;
      const entries = await commands.xrevrange(`syncbell:log:{${userId}}`, '+', '-', 'COUNT', 1);
      const raw = entries[0]?.[1][1];
      return raw === undefined ? undefined : (JSON.parse(raw) as Notification).id;
    },
    publishLocal(notification) {
      dispatch(notification.userId, JSON.stringify(notification));
    },
    async close() {
      await Promise.all([commands?.quit().catch(() => undefined), subscriber?.quit().catch(() => undefined)]);
    },
  };
}

/** The backend side for these contenders: replay log first, then PUBLISH on the user's channel. */
export function createBusPublisher(redisUrl: string): {
  publish(notification: Notification): Promise<void>;
  close(): Promise<void>;
} {
  const redis = new Redis(redisUrl, { enableAutoPipelining: true, maxRetriesPerRequest: null });
  return {
    async publish(notification) {
      // The log entry as syncbell's publisher script writes it (its only writer in the product:
      // ecs-socketio/src/socketio-publisher.ts), in one MULTI as this contender always did.
      const key = replayLogKey(notification.userId);
      await redis
        .multi()
        .xadd(key, 'MAXLEN', '~', 1000, '*', 'n', JSON.stringify(notification))
        .expire(key, 86_400)
        .exec();
      await redis.publish(userChannel(notification.userId), JSON.stringify(notification));
    },
    async close() {
      await redis.quit().catch(() => undefined);
    },
  };
}
