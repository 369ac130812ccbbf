import { type Notification, SocketEvent } from '../../shared/contract/index.js';
import type { ReplayLog } from './replay-log.js';
import { userRoom } from './rooms.js';

/** Anything that can emit to a room: a socket.io `Server` (in-container) or a redis `Emitter` (worker). */
export interface RoomEmitter {
  to(room: string): { emit(event: string, ...args: unknown[]): unknown };
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
  emitter.to(userRoom(published.userId)).emit(SocketEvent.Notification, published);
  return published;
}
