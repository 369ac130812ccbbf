import { describe, expect, it } from 'vitest';
import { createNotification, isUlidFloor, selectMissed, ulidTimeMs } from '../../../shared/contract/index.js';

const log = [1, 2, 3, 4].map((i) =>
  createNotification({ type: 'sync.complete', userId: 'u', jobId: `j${i}` }, 1_000_000 + i),
);
const ids = log.map((n) => n.id);

describe('selectMissed', () => {
  it('returns nothing to replay on a first connect, and the newest id as the cursor', () => {
    expect(selectMissed(log, undefined)).toEqual({ notifications: [], truncated: false, cursor: ids[3] });
  });

  it('returns the entries after a known id, in log order', () => {
    expect(selectMissed(log, ids[1]).notifications.map((n) => n.id)).toEqual(ids.slice(2));
    expect(selectMissed(log, ids[1]).truncated).toBe(false);
  });

  it('follows log order, not id order, when publishers’ ids interleave', () => {
    const shuffled = [log[0], log[2], log[1], log[3]] as typeof log;
    expect(selectMissed(shuffled, ids[2]).notifications.map((n) => n.id)).toEqual([ids[1], ids[3]]);
  });

  it('flags an unknown id as truncated and returns everything newer than it', () => {
    const result = selectMissed(log.slice(2), ids[0]);
    expect(result.truncated).toBe(true);
    expect(result.notifications.map((n) => n.id)).toEqual(ids.slice(2));
  });

  it('treats a time cursor as a position, not a lost entry', () => {
    const first = selectMissed([], undefined, 2_000_000);
    expect(isUlidFloor(first.cursor ?? '')).toBe(true);
    expect(ulidTimeMs(first.cursor ?? '')).toBe(2_000_000 - 5000);
    const later = [createNotification({ type: 'sync.complete', userId: 'u', jobId: 'late' }, 2_000_100)];
    expect(selectMissed(later, first.cursor)).toMatchObject({ truncated: false, notifications: later });
  });
});
