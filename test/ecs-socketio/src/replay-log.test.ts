import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplayLog, replayLogKey, type ReplayLog } from '../../../ecs-socketio/src/replay-log.js';
import { createNotification, type SkippedLogEntry } from '../../../shared/contract/index.js';
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

describe('replay log position (the keep-alive’s `latest`)', () => {
  // Written as the publisher's script writes them (XADD of the envelope in `n`): it is the log's one writer.
  const append = (notification: { userId: string }) =>
    redis.xadd(replayLogKey(notification.userId), '*', 'n', JSON.stringify(notification));

  it('is the newest entry’s id, and undefined for an empty log', async () => {
    const userId = user();
    expect(await log.latest(userId)).toBeUndefined();
    await append(createNotification({ type: 'sync.complete', userId, jobId: 'older' }));
    const newest = createNotification({ type: 'sync.complete', userId, jobId: 'newest' });
    await append(newest);

    expect(await log.latest(userId)).toBe(newest.id);
  });

  it('never names another user’s entry, and does not report it on every keep-alive', async () => {
    const userId = user();
    await append(createNotification({ type: 'sync.complete', userId, jobId: 'own' }));
    const foreign = createNotification({ type: 'sync.complete', userId: `${userId}-other`, jobId: 'x' });
    await redis.xadd(replayLogKey(userId), '*', 'n', JSON.stringify(foreign));
    skipped.length = 0;

    expect(await log.latest(userId)).toBeUndefined();
    expect(skipped).toEqual([]);
  });
});
