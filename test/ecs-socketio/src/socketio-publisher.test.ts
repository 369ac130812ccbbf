import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { publishCompletion } from '../../../ecs-socketio/container/jobs.js';
import { ADAPTER_KEY } from '../../../ecs-socketio/src/adapter.js';
import type { RedisLike } from '../../../ecs-socketio/src/redis-client.js';
import { replayLogKey } from '../../../ecs-socketio/src/replay-log.js';
import { userRoom } from '../../../ecs-socketio/src/rooms.js';
import { createSocketIoPublisher } from '../../../ecs-socketio/src/socketio-publisher.js';
import { createNotification, ErrorCode, type Notification } from '../../../shared/contract/index.js';
import { uniqueUser } from '../../support/unique-user.js';
import { createTestRedis } from '../support/harness.js';

// The socket.io publisher at the Redis level (delivery to real servers, both adapters, is the
// publisher suite in socketio-publisher.test.ts). `redis` reads what the publisher wrote; the
// publisher runs on the suite's client (TEST_REDIS_CLIENT).
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const client = createTestRedis();
afterAll(() => {
  redis.disconnect();
  client.disconnect();
});

/** The suite's client, counting the commands it sends. */
function counting(inner: RedisLike): RedisLike & { commands: string[] } {
  const commands: string[] = [];
  return {
    ...inner,
    kind: inner.kind,
    client: inner.client,
    isReady: inner.isReady,
    commands,
    call(command, ...args) {
      commands.push(command);
      return inner.call(command, ...args);
    },
    transaction(batch) {
      commands.push('MULTI');
      return inner.transaction(batch);
    },
  };
}

const loggedIds = async (userId: string) =>
  (await redis.xrange(replayLogKey(userId), '-', '+')).map(
    ([, fields]) => (JSON.parse(fields[1] ?? '{}') as Notification).id,
  );

it('logs and publishes in one command, the log entry written before the publish', async () => {
  const userId = uniqueUser('one-trip');
  const connection = counting(client);
  const publisher = createSocketIoPublisher({ redis: connection });
  const subscriber = redis.duplicate();
  const channel = `${ADAPTER_KEY}#/#${userRoom(userId)}#`;
  await subscriber.subscribe(channel);
  const loggedWhenPublished = new Promise<number>((resolve) =>
    subscriber.on('message', () => void redis.xlen(replayLogKey(userId)).then(resolve)),
  );
  try {
    const { id } = await publisher.publish({ userId, type: 'sync.complete', jobId: 'j' });
    expect(connection.commands).toEqual(['EVAL']);
    expect(await loggedWhenPublished).toBe(1);
    expect(await loggedIds(userId)).toEqual([id]);
  } finally {
    subscriber.disconnect();
  }
});

it('publishes a job completed twice under one id, logs it once and sends it once', async () => {
  const userId = uniqueUser('twice');
  const publisher = createSocketIoPublisher({ redis: client });
  const job = { jobId: `job-${userId}`, userId, outcome: 'complete', durationMs: 0 } as const;
  const published: unknown[] = [];
  const publish = async (completion: Parameters<typeof publisher.publish>[0]) =>
    published.push(await publisher.publish(completion));
  // Two attempts (a recovered worker job, a hand-off that raced the container's own publish): the
  // second ran elsewhere (`ranOn` differs), a conflict that means "already published".
  expect(await publishCompletion(publish, job, 'a')).toBe(true);
  expect(await publishCompletion(publish, job, 'b')).toBe(false);
  const [first] = published as { id: string }[];
  expect(published).toEqual([{ id: first?.id, duplicate: false }]);
  expect(await loggedIds(userId)).toEqual([first?.id]);
});

it('logs every envelope published without an idempotency key', async () => {
  const userId = uniqueUser('progress');
  const publisher = createSocketIoPublisher({ redis: client });
  const a = createNotification({ type: 'sync.progress', userId, jobId: 'same' });
  const b = createNotification({ type: 'sync.progress', userId, jobId: 'same' });
  await publisher.publishEnvelope(a);
  await publisher.publishEnvelope(b);
  expect(await loggedIds(userId)).toEqual([a.id, b.id]);
});

it('answers a claim a newer version stored as stored', async () => {
  const userId = uniqueUser('newer');
  const publisher = createSocketIoPublisher({ redis: client });
  // A field this version does not know, and no payload hash (claims stored before hashes were kept).
  const stored = { ...createNotification({ type: 'sync.complete', userId, jobId: 'j' }), priority: 'high' };
  await redis.set(`syncbell:job-done:{${userId}}:j`, JSON.stringify(stored));
  const receipt = await publisher.publish({ userId, type: 'sync.complete', jobId: 'j' });
  expect(receipt).toEqual({ id: stored.id, duplicate: true });
  expect(await loggedIds(userId)).toEqual([]);
});

it('checks a claim stored without a payload hash against its stored notification: another payload is a conflict', async () => {
  const userId = uniqueUser('legacy');
  const publisher = createSocketIoPublisher({ redis: client });
  const stored = createNotification({ type: 'sync.complete', userId, jobId: 'j', data: { rows: 1 } });
  await redis.set(`syncbell:job-done:{${userId}}:j`, JSON.stringify(stored));
  const same = await publisher.publish({ userId, type: 'sync.complete', jobId: 'j', data: { rows: 1 } });
  const other = publisher.publish({ userId, type: 'sync.complete', jobId: 'j', data: { rows: 2 } });
  expect(same).toEqual({ id: stored.id, duplicate: true });
  await expect(other).rejects.toMatchObject({ code: ErrorCode.Conflict, claimedId: stored.id });
  expect(await loggedIds(userId)).toEqual([]);
});
