import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplayLog, replayLogKey, type ReplayLog } from '../../../ecs-socketio/src/replay-log.js';
import {
  createNotification,
  RECENT_POSITIONS,
  type SkippedLogEntry,
} from '../../../shared/contract/index.js';
import { newerServerRows } from '../../support/newer-server.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let redis: Redis;
let log: ReplayLog;
const skipped: SkippedLogEntry[] = [];
let counter = 0;
const user = () => `replay-log-${process.pid}-${Date.now().toString(36)}-${++counter}`;

beforeAll(() => {
  redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  log = createReplayLog({ redis, onSkipped: (entry) => skipped.push(entry) });
});
afterAll(() => redis.disconnect());

describe('replay log read (a newer version wrote some entries)', () => {
  it('serves entries a newer version wrote as stored, and skips only the unreadable one with a report', async () => {
    const userId = user();
    const { seen, newer, corrupt } = newerServerRows(userId);
    await redis.xadd(replayLogKey(userId), '*', 'n', JSON.stringify(seen));
    await redis.xadd(replayLogKey(userId), '*', 'n', JSON.stringify(newer));
    await redis.xadd(replayLogKey(userId), '*', 'n', JSON.stringify(corrupt));
    const garbageId = await redis.xadd(replayLogKey(userId), '*', 'n', '{not json');
    skipped.length = 0;

    const result = await log.read(userId, seen.id);

    expect(result.notifications).toEqual([newer, corrupt]);
    expect(result.truncated).toBe(false);
    expect(skipped).toEqual([{ userId, reason: 'unreadable', key: garbageId }]);
  });

  it('never serves an entry of another user found in this user’s log', async () => {
    const userId = user();
    const seen = createNotification({ type: 'sync.complete', userId, jobId: 'seen' });
    const foreign = createNotification({ type: 'sync.complete', userId: `${userId}-other`, jobId: 'x' });
    await redis.xadd(replayLogKey(userId), '*', 'n', JSON.stringify(seen));
    const foreignKey = await redis.xadd(replayLogKey(userId), '*', 'n', JSON.stringify(foreign));
    skipped.length = 0;

    const result = await log.read(userId, seen.id);

    expect(result.notifications).toEqual([]);
    expect(skipped).toEqual([{ userId, reason: 'another_user', key: foreignKey, id: foreign.id }]);
  });
});

describe('replay log read of a long log (what a resume reads)', () => {
  /** `count` notifications of one user, written (and trimmed) as the publisher's script writes them, oldest first. */
  const fill = async (userId: string, count: number, maxLen = 1000) => {
    const written = Array.from({ length: count }, (_, i) =>
      createNotification({ type: 'sync.complete', userId, jobId: `job-${i}` }),
    );
    const pipeline = redis.pipeline();
    for (const notification of written)
      pipeline.xadd(replayLogKey(userId), 'MAXLEN', '~', maxLen, '*', 'n', JSON.stringify(notification));
    await pipeline.exec();
    return written;
  };

  it('reads back only as far as the cursor: an unreadable entry older than it is not even read', async () => {
    const userId = user();
    const oldGarbage = await redis.xadd(replayLogKey(userId), '*', 'n', '{not json');
    const written = await fill(userId, 600);
    skipped.length = 0;

    // A keep-alive's catch-up: the 2 newest were missed.
    const caughtUp = await log.read(userId, written.at(-3)?.id);
    expect(caughtUp.notifications).toEqual(written.slice(-2));
    expect(caughtUp).toMatchObject({ truncated: false, cursor: written.at(-1)?.id });
    // Across pages (16, 64, then 256 entries): everything after the cursor, in order.
    const far = await log.read(userId, written[300]?.id);
    expect(far.notifications).toEqual(written.slice(301));
    expect(far.truncated).toBe(false);
    // Neither read reached the log's oldest entry.
    expect(skipped).toEqual([]);

    // A cursor the log no longer holds reads the whole log: everything newer, truncated, and the
    // old unreadable entry reported.
    const trimmed = createNotification({ type: 'sync.complete', userId, jobId: 'trimmed' });
    const gone = await log.read(userId, trimmed.id);
    expect(gone.notifications).toEqual(written.filter((n) => n.id > trimmed.id));
    expect(gone.truncated).toBe(true);
    expect(skipped).toEqual([{ userId, reason: 'unreadable', key: oldGarbage }]);
  });

  it('serves the newest entries of a log longer than its bound, as approximate trimming leaves it', async () => {
    // The publisher's script trims with `XADD ... MAXLEN ~ maxLen`, which removes whole stream
    // nodes only (at most 100 entries or 4 KiB each, Redis's defaults): with maxLen 10 the log
    // keeps more than maxLen x 2 of these entries (25 here).
    const userId = user();
    const written = await fill(userId, 50, 10);
    expect(await redis.xlen(replayLogKey(userId))).toBeGreaterThan(20);
    const small = createReplayLog({ redis, maxLen: 10 });

    // A keep-alive's catch-up after the 3rd newest: the 2 newest (an oldest-first read of
    // maxLen x 2 entries never reached them, and served nothing).
    expect((await small.read(userId, written.at(-3)?.id)).notifications).toEqual(written.slice(-2));
    // A cursor trimmed away: the newest maxLen x 2, marked truncated.
    const result = await small.read(userId, written[0]?.id);
    expect(result.notifications).toEqual(written.slice(-20));
    expect(result.truncated).toBe(true);
  });
});

describe('replay log position (the keep-alive’s `latest` and `recent`)', () => {
  // Written as the publisher's script writes them (XADD of the envelope in `n`): it is the log's one writer.
  const append = (notification: { userId: string }) =>
    redis.xadd(replayLogKey(notification.userId), '*', 'n', JSON.stringify(notification));

  it('is the newest entries’ ids, newest first and at most RECENT_POSITIONS, and none for an empty log', async () => {
    const userId = user();
    expect(await log.recent(userId)).toEqual([]);
    const written = Array.from({ length: 6 }, (_, i) =>
      createNotification({ type: 'sync.complete', userId, jobId: `job-${i}` }),
    );
    for (const notification of written) await append(notification);

    expect(await log.recent(userId)).toEqual(
      written
        .slice(-RECENT_POSITIONS)
        .reverse()
        .map((n) => n.id),
    );
  });

  it('never names another user’s entry, and does not report it on every keep-alive', async () => {
    const userId = user();
    const own = createNotification({ type: 'sync.complete', userId, jobId: 'own' });
    await append(own);
    const foreign = createNotification({ type: 'sync.complete', userId: `${userId}-other`, jobId: 'x' });
    await redis.xadd(replayLogKey(userId), '*', 'n', JSON.stringify(foreign));
    skipped.length = 0;

    expect(await log.recent(userId)).toEqual([own.id]);
    expect(skipped).toEqual([]);
  });
});
