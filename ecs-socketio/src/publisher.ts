import { Emitter } from '@socket.io/redis-emitter';
import { type AnyRedis, asRedisLike } from './redis-client.js';

/** Anything that can emit to a room. Notifications go through the publisher (socketio-publisher.ts). */
export interface RoomEmitter {
  to(room: string): { emit(event: string, ...args: unknown[]): unknown };
}

/** A `RoomEmitter` that can also emit to every socket of every container (`syncbell:resync`). */
export interface BroadcastEmitter extends RoomEmitter {
  emit(event: string, ...args: unknown[]): unknown;
}

/** The adapter's key (its PUBLISH channel prefix), shared by the servers' adapter and every emitter. */
export const ADAPTER_KEY = 'syncbell';

/**
 * @socket.io/redis-emitter (a PUBLISH to the classic adapter's channel, from any process) on either
 * Redis client, whose `emit` resolves when Redis acknowledged the PUBLISH and rejects if it failed.
 * The emitter itself fires `client.publish(...)` and drops the promise: on node-redis a PUBLISH
 * that fails while Redis is down then becomes an unhandled rejection, which ends a Node process,
 * and on either client the caller never learns that the publish failed. Used for the broadcasts
 * to every socket (`syncbell:resync`); it reaches classic-adapter servers only.
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
