import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../shared/server/auth/index.js';
import { socketIoTransport } from '../../shared/client/transports/socketio.js';
import { type EcsLocalStack, startEcsLocal } from '../../ecs-socketio/local/stack.js';
import { createSocketIoPublisher, type SocketIoAdapterKind } from '@syncbell/socketio/publisher';
import { type PublisherHarness, runPublisherSuite } from '../contract/publisher-suite.js';
import { uniqueUser } from '../support/unique-user.js';
import { connectRecorder, type RecordingClient, recordingClient } from '../support/recorder.js';
import { createTestRedis, TEST_JWT_KEY, TEST_REDIS_CLIENT } from './support/harness.js';

const token = (userId: string) => signToken({ userId, key: TEST_JWT_KEY });

async function startStack(adapter: SocketIoAdapterKind, worker: boolean): Promise<EcsLocalStack> {
  return startEcsLocal({
    containers: 2,
    worker,
    // A worker gets its own Redis: the job stream is shared by every worker on a Redis, and a
    // classic-adapter worker of another test file would take this stack's jobs.
    ownRedis: worker,
    redisClient: TEST_REDIS_CLIENT,
    env: { REDIS_ADAPTER: adapter },
  });
}

for (const adapter of ['classic', 'sharded'] as const) {
  // Published from this process, which has no socket.io server: the notification reaches the
  // client on container 1 only through the adapter's Redis channel.
  runPublisherSuite(`socket.io, ${adapter} adapter`, async (): Promise<PublisherHarness> => {
    const stack = await startStack(adapter, false);
    const redis = createTestRedis(stack.redisUrl);
    const container = stack.containers()[0];
    if (!container) throw new Error('no container');
    return {
      name: 'ecs-socketio',
      url: container.url,
      transport: () => socketIoTransport(),
      token,
      publisher: createSocketIoPublisher({ redis, adapter }),
      async stop() {
        redis.disconnect();
        await stack.stop();
      },
    };
  });
}

describe('the worker on the sharded adapter', () => {
  let stack: EcsLocalStack;
  beforeAll(async () => {
    stack = await startStack('sharded', true);
  });
  afterAll(() => stack?.stop());

  it('delivers a worker job’s completion to a client on per-user channels', async () => {
    const userId = uniqueUser('sharded-worker');
    const recorder = recordingClient({
      transport: socketIoTransport(),
      url: stack.url,
      token: await token(userId),
    });
    const resumed = recorder.nextResume();
    recorder.client.connect();
    await resumed;
    try {
      const response = await fetch(`${stack.url}/jobs/sync`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await token(userId)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ durationMs: 0, publishVia: 'worker' }),
      });
      expect(response.status).toBe(202);
      const { jobId } = (await response.json()) as { jobId: string };
      await recorder.waitForCount(1);
      expect(recorder.received[0]?.notification).toMatchObject({ jobId, userId, type: 'sync.complete' });
      expect(recorder.received[0]?.meta.replayed).toBe(false);
    } finally {
      recorder.close();
    }
  });
});

for (const adapter of ['classic', 'sharded'] as const) {
  describe(`resyncAll on the ${adapter} adapter`, () => {
    let stack: EcsLocalStack;
    const recorders: RecordingClient[] = [];
    beforeAll(async () => {
      stack = await startStack(adapter, false);
    });
    afterAll(async () => {
      for (const recorder of recorders) recorder.close();
      await stack?.stop();
    });

    it('asks every client on every container to resume, from a process with no socket.io server', async () => {
      const users = [uniqueUser('resync'), uniqueUser('resync')];
      for (const userId of users)
        await connectRecorder(
          { url: stack.url, transport: () => socketIoTransport(), token },
          recorders,
          userId,
        );
      // Round robin: one client on each container, so the broadcast must cross both.
      expect(new Set(recorders.map((r) => r.client.servedBy)).size).toBe(2);
      const redis = createTestRedis(stack.redisUrl);
      try {
        const resumed = Promise.all(recorders.map((r) => r.nextResume()));
        await createSocketIoPublisher({ redis, adapter }).resyncAll();
        await resumed;
      } finally {
        redis.disconnect();
      }
    });
  });
}
