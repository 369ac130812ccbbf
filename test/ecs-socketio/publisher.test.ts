import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { completionFor } from '../../ecs-socketio/src/jobs.js';
import { publishNotification, type RoomEmitter } from '../../ecs-socketio/src/publisher.js';
import { createReplayLog } from '../../ecs-socketio/src/replay-log.js';
import type { Notification } from '../../shared/contract/index.js';
import { uniqueUser } from '../contract/suite.js';
import { createTestRedis } from './harness.js';

// `redis` reads what the log wrote; the log runs on the suite's client (TEST_REDIS_CLIENT).
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const client = createTestRedis();
afterAll(() => {
  redis.disconnect();
  client.disconnect();
});

/** Records what would go to each room (the socket.io side is not under test here). */
function recordingEmitter(): RoomEmitter & { sent: Notification[] } {
  const sent: Notification[] = [];
  return { sent, to: () => ({ emit: (_event, notification) => sent.push(notification as Notification) }) };
}

it('publishes a job completed twice under one id and logs it once', async () => {
  const userId = uniqueUser('twice');
  const log = createReplayLog({ redis: client });
  const emitter = recordingEmitter();
  const job = { jobId: `job-${userId}`, userId, outcome: 'complete', durationMs: 0 } as const;

  // Two attempts (a recovered worker job, a hand-off that raced the container's own publish):
  // each builds its own envelope, with its own ULID.
  const first = await publishNotification(log, emitter, completionFor(job, 'a'), { oncePerJob: true });
  const second = await publishNotification(log, emitter, completionFor(job, 'b'), { oncePerJob: true });

  expect(second).toEqual(first);
  expect(emitter.sent.map((n) => n.id)).toEqual([first.id, first.id]); // the SDK drops the repeat by id
  const logged = await redis.xrange(`syncbell:log:{${userId}}`, '-', '+');
  expect(logged.map(([, fields]) => (JSON.parse(fields[1] ?? '{}') as Notification).id)).toEqual([first.id]);
});

it('keeps publishing every notification of a job when not asked for one per job', async () => {
  const userId = uniqueUser('progress');
  const log = createReplayLog({ redis: client });
  const emitter = recordingEmitter();
  const job = { jobId: `job-${userId}`, userId, outcome: 'complete', durationMs: 0 } as const;

  await publishNotification(log, emitter, completionFor(job, 'a'));
  await publishNotification(log, emitter, completionFor(job, 'a'));

  expect(new Set(emitter.sent.map((n) => n.id)).size).toBe(2);
  expect(await redis.xlen(`syncbell:log:{${userId}}`)).toBe(2);
});
