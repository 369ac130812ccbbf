import { CURSOR_SKEW_MARGIN_MS, type ReplayResult, ulidFloor } from '@syncbell/contract';
import type { RedisLike } from '../redis-client.js';
import type { ReplayLog } from '../replay-log.js';

export interface OutageRecoveryOptions {
  /** The adapter's subscriber connection, watched for going down and coming back. */
  subscriber: RedisLike;
  replayLog: ReplayLog | undefined;
  /** The users with a socket on this server right now. */
  localUsers(): Iterable<string>;
  /** Tells every local socket to resume (`syncbell:resync`, local only). */
  resyncLocal(): void;
  /** Pushes `notification` to the user's sockets on this server only. */
  deliverLocal(userId: string, notification: ReplayResult['notifications'][number]): void;
  onRestored(outcome: { users: number; redelivered: number }): void;
  onFailed(error: Error): void;
  /** @default Date.now */
  nowMs?: () => number;
}

export interface OutageRecovery {
  /** Resolves when the recovery under way (if any) has finished. */
  settled(): Promise<void>;
  /** Stops reacting to the subscriber's events (its listeners stay: RedisLike has no `off`). */
  stop(): void;
}

/**
 * While the subscriber was down, publishes from other servers went nowhere for our clients, but
 * their sockets stayed open, so nothing makes them resume. When the subscription is back, tell
 * local clients to resume. The PING is queued behind the client's own re-SUBSCRIBE (ioredis sends
 * it on `ready`; node-redis 5 before it reports `ready`), so when it answers the subscription is
 * in place and any later publish arrives live.
 *
 * A resume "after the last id seen" is not enough on its own: once the subscription is back, a
 * notification published after the gap can arrive live before the client resumes, moving its
 * last-seen id past the ones lost in the gap (found by the chaos Redis-outage scenario). So the
 * server also pushes, to its own sockets, every logged notification since the subscriber went
 * down (minus the clock-skew margin); the SDK drops the ones it already has.
 */
export function watchSubscriber({
  subscriber,
  replayLog,
  localUsers,
  resyncLocal,
  deliverLocal,
  onRestored,
  onFailed,
  nowMs = Date.now,
}: OutageRecoveryOptions): OutageRecovery {
  let downSinceMs: number | undefined;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();

  async function redeliverSince(sinceMs: number): Promise<void> {
    const users = [...new Set(localUsers())];
    let redelivered = 0;
    if (replayLog) {
      const cursor = ulidFloor(sinceMs - CURSOR_SKEW_MARGIN_MS);
      for (const userId of users) {
        const { notifications } = await replayLog.read(userId, cursor);
        for (const notification of notifications) deliverLocal(userId, notification);
        redelivered += notifications.length;
      }
    }
    onRestored({ users: users.length, redelivered });
  }

  subscriber.on('down', () => {
    if (!stopped) downSinceMs ??= nowMs();
  });
  subscriber.on('ready', () => {
    if (stopped || downSinceMs === undefined) return;
    const sinceMs = downSinceMs;
    downSinceMs = undefined;
    running = subscriber
      .call('PING')
      .catch(() => undefined)
      .then(async () => {
        if (stopped) return;
        resyncLocal();
        await redeliverSince(sinceMs);
      })
      .catch((error: unknown) => onFailed(error as Error));
  });

  return {
    settled: () => running,
    stop() {
      stopped = true;
    },
  };
}
