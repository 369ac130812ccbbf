import { Emitter } from '@socket.io/redis-emitter';
import { type Notification, SocketEvent } from '../../shared/contract/index.js';
import { type AnyRedis, asRedisLike } from './redis-client.js';
import type { ReplayLog } from './replay-log.js';
import { userRoom } from './rooms.js';

/** Anything that can emit to a room: a socket.io `Server` (in-container) or a redis `Emitter` (worker). */
export interface RoomEmitter {
  to(room: string): { emit(event: string, ...args: unknown[]): unknown };
}

/** A `RoomEmitter` that can also emit to every socket of every container (`syncbell:resync`). */
export interface BroadcastEmitter extends RoomEmitter {
  emit(event: string, ...args: unknown[]): unknown;
}

/**
 * The one publish path. The log is written first: a client that resumes after this point finds
 * the notification in the log; one connected before it receives it live (it joined its room at
 * connect, before asking to resume). Either way it is not lost; at worst it is seen twice and
 * the SDK drops the repeat.
 */
export interface PublishOptions {
  /**
   * One notification per `notification.jobId` (a job's completion): a repeat publishes the
   * notification the first attempt logged, under the same id, and logs nothing. @default false
   */
  oncePerJob?: boolean;
}

/** Resolves with the notification published: `notification`, or the job's earlier one (`oncePerJob`). */
export async function publishNotification(
  log: ReplayLog,
  emitter: RoomEmitter,
  notification: Notification,
  { oncePerJob = false }: PublishOptions = {},
): Promise<Notification> {
  const published = oncePerJob ? await log.appendOnce(notification) : notification;
  if (!oncePerJob) await log.append(notification);
  // A socket.io `Server` answers `true`; `redisEmitter` a promise of Redis's reply to the PUBLISH.
  await emitter.to(userRoom(published.userId)).emit(SocketEvent.Notification, published);
  return published;
}

/** The adapter's key (its PUBLISH channel prefix), shared by the servers' adapter and every emitter. */
export const ADAPTER_KEY = 'syncbell';

/**
 * @socket.io/redis-emitter (a PUBLISH to the classic adapter's channel, from any process) on either
 * Redis client, whose `emit` resolves when Redis acknowledged the PUBLISH and rejects if it failed.
 * The emitter itself fires `client.publish(...)` and drops the promise: on node-redis a PUBLISH
 * that fails while Redis is down then becomes an unhandled rejection, which ends a Node process,
 * and on either client the caller never learns that the publish failed. `publishNotification`
 * awaits it, so the worker leaves a job whose publish failed unacknowledged, and it is retried.
 */
export function redisEmitter(redis: AnyRedis): BroadcastEmitter {
  const connection = asRedisLike(redis);
  let lastPublish: Promise<unknown> = Promise.resolve();
  const client = {
    // The emitter calls this synchronously inside `emit`.
    publish(channel: string, message: string | Buffer) {
      lastPublish = connection.call('PUBLISH', channel, message);
      return lastPublish;
    },
  };
  const emitter = new Emitter(client, { key: ADAPTER_KEY });
  return {
    to: (room) => ({
      emit(event, ...args) {
        emitter.to(room).emit(event, ...args);
        return lastPublish;
      },
    }),
    emit(event, ...args) {
      emitter.emit(event, ...args);
      return lastPublish;
    },
  };
}
