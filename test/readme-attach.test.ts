import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from 'redis';
import { afterEach, expect, it } from 'vitest';
import { socketIoTransport } from '@syncbell/client/socketio';
import { DEV_JWT_SECRET, signToken } from '@syncbell/server';
import type { SyncbellAttachment } from '../ecs-socketio/src/attach/attach.js';
import { createSocketIoPublisher } from '@syncbell/socketio/publisher';
import { uniqueUser } from './support/unique-user.js';
import { TEST_JWT_KEY } from './ecs-socketio/support/harness.js';
import { readmeExample, runExample } from './support/readme.js';
import { type RecordingClient, recordingClient } from './support/recorder.js';

// Runs docs/ATTACH.md's example as written (node-redis clients, the app's own path),
// on a free port, then connects a client from @syncbell/client/socketio and publishes to it with a
// publisher of its own, on its own connection.
const clients: RecordingClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

it('runs the attach example: a client on its path gets what a separate publisher publishes', async () => {
  const code = readmeExample('attach');
  expect(code).toContain("from '@syncbell/socketio'");
  const saved = { PORT: process.env.PORT, JWT_SECRET: process.env.JWT_SECRET };
  process.env.PORT = '0';
  process.env.JWT_SECRET = DEV_JWT_SECRET;
  const { exports } = await runExample('attach', code).finally(() => {
    process.env.PORT = saved.PORT;
    process.env.JWT_SECRET = saved.JWT_SECRET;
    if (saved.PORT === undefined) delete process.env.PORT;
    if (saved.JWT_SECRET === undefined) delete process.env.JWT_SECRET;
  });
  const syncbell = exports.syncbell as SyncbellAttachment;
  const stop = exports.stop as () => Promise<void>;
  const publisherRedis = createClient({ url: process.env.REDIS_URL });
  try {
    const http = syncbell.namespace.server.httpServer as HttpServer;
    if (!http.listening) await new Promise((resolve) => http.once('listening', resolve));
    const userId = uniqueUser('readme-attach');
    const recorder = recordingClient({
      transport: socketIoTransport({ path: '/custom/socket.io' }),
      url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
      token: await signToken({ userId, key: TEST_JWT_KEY }),
    });
    clients.push(recorder);
    const resumed = recorder.nextResume();
    recorder.client.connect();
    await resumed;

    await publisherRedis.connect();
    const { id } = await createSocketIoPublisher({ redis: publisherRedis }).publish({
      userId,
      type: 'sync.complete',
      jobId: 'readme-attach',
    });

    await recorder.waitForCount(1);
    expect(recorder.received[0]?.notification).toMatchObject({ id, userId, jobId: 'readme-attach' });
  } finally {
    if (publisherRedis.isOpen) await publisherRedis.close();
    await stop();
  }
});
