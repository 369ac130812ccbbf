import { randomUUID } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { asRedisLike } from '../../../ecs-socketio/src/redis-client.js';
import { createTestRedis, TEST_REDIS_CLIENT } from '../support/harness.js';

// The one interface the replay log, the job queue and the worker use, on the suite's client.
const redis = createTestRedis();
afterAll(() => redis.disconnect());

it(`runs raw commands with RESP2 replies (${TEST_REDIS_CLIENT})`, async () => {
  const key = `test:redis-client:${randomUUID()}`;
  expect(redis.kind).toBe(TEST_REDIS_CLIENT);
  const id = (await redis.call('XADD', key, '*', 'n', 'one')) as string;
  expect(await redis.call('XRANGE', key, '-', '+', 'COUNT', 10)).toEqual([[id, ['n', 'one']]]);
  expect(await redis.call('EVAL', 'return {ARGV[1], tonumber(ARGV[2])}', 0, 'a', 2)).toEqual(['a', 2]);
  expect(
    await redis.transaction([
      ['XLEN', key],
      ['DEL', key],
    ]),
  ).toEqual([1, 1]);
});

it('rejects a transaction with the failed command’s own error', async () => {
  const key = `test:redis-client:${randomUUID()}`;
  await redis.call('SET', key, 'a string');
  await expect(
    redis.transaction([
      ['GET', key],
      ['XADD', key, '*', 'n', 'x'],
    ]),
  ).rejects.toThrow(/^WRONGTYPE/);
  await redis.call('DEL', key);
});

it('wraps a client once and passes a wrapped one through', () => {
  expect(asRedisLike(redis)).toBe(redis);
  expect(asRedisLike(redis.client)).toBe(asRedisLike(redis.client));
  expect(asRedisLike(redis.client).kind).toBe(TEST_REDIS_CLIENT);
});
