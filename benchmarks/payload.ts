import { createNotification, type Notification } from '../shared/contract/index.js';
import { nowUs } from './load/protocol.js';

/**
 * The one payload every contender carries: a `sync.complete` envelope of about 300 bytes.
 * `data.sentAtUs` is the publisher's timestamp in microseconds: `createdAtMs` is the contract's
 * integer milliseconds, too coarse for sub-millisecond goals; both are stamped at the same moment.
 */
export function benchNotification(userId: string, sequence: number): Notification {
  return createNotification({
    type: 'sync.complete',
    userId,
    jobId: `job-${sequence}`,
    data: { calendar: 'primary', provider: 'google', eventsSynced: 40 + (sequence % 60), sentAtUs: nowUs() },
  });
}

/** A seeded PRNG (mulberry32): every contender sees the same sequence of target users. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export const userIdOf = (index: number, prefix = 'u') => `${prefix}-${index}`;
