import { createNotification, type Notification } from '../../shared/contract/index.js';

/**
 * What a log holds after a newer server wrote to it, for the log-read tests of both variants: an
 * envelope this version wrote (`seen`), one of a type and `v` this version does not know
 * (`newer`), and one with a readable id but a broken `type` (`corrupt`), all of `userId`.
 */
export function newerServerRows(userId: string): {
  seen: Notification;
  newer: Record<string, unknown> & { id: string };
  corrupt: { id: string; userId: string; type: number };
} {
  return {
    seen: createNotification({ type: 'sync.complete', userId, jobId: 'seen' }),
    newer: {
      ...createNotification({ type: 'sync.complete', userId, jobId: 'n' }),
      type: 'export.ready',
      v: 2,
    },
    corrupt: {
      id: createNotification({ type: 'sync.complete', userId, jobId: 'c' }).id,
      userId,
      type: 42,
    },
  };
}
