import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type OwnedRedisCluster, startOwnedRedisCluster } from '../dev-tools/index.js';
import type { SyncbellAttachment } from '../ecs-socketio/src/attach/attach.js';
import { socketIoTransport } from '@syncbell/client/socketio';
import { DEV_JWT_SECRET, signToken } from '@syncbell/server';
import { uniqueUser } from './support/unique-user.js';
import { TEST_JWT_KEY } from './ecs-socketio/support/harness.js';
import { readmeExample, runExample } from './support/readme.js';
import { recordingClient } from './support/recorder.js';

// Runs docs/ATTACH.md's cluster example as written on a local Redis Cluster, connects a client and
// publishes to it through the attachment's publisher (the cluster client's script in the user's slot).
let cluster: OwnedRedisCluster;
beforeAll(async () => {
  cluster = await startOwnedRedisCluster();
});
afterAll(async () => {
  await cluster?.destroy();
});

it('runs the cluster example: a client gets what the publisher publishes through the cluster', async () => {
  const code = readmeExample('cluster');
  expect(code).toContain("from '@syncbell/socketio'");
  const saved = {
    PORT: process.env.PORT,
    JWT_SECRET: process.env.JWT_SECRET,
    REDIS_URL: process.env.REDIS_URL,
  };
  Object.assign(process.env, { PORT: '0', JWT_SECRET: DEV_JWT_SECRET, REDIS_URL: cluster.url });
  const { exports } = await runExample('cluster', code).finally(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  const syncbell = exports.syncbell as SyncbellAttachment;
  const stop = exports.stop as () => Promise<void>;
  const userId = uniqueUser('readme-cluster');
  let close = () => {};
  try {
    const http = syncbell.namespace.server.httpServer as HttpServer;
    if (!http.listening) await new Promise((resolve) => http.once('listening', resolve));
    const connected = recordingClient({
      transport: socketIoTransport(),
      url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
      token: await signToken({ userId, key: TEST_JWT_KEY }),
    });
    close = () => connected.close();
    const resumed = connected.nextResume();
    connected.client.connect();
    await resumed;
    const { id } = await (syncbell.publisher as NonNullable<SyncbellAttachment['publisher']>).publish({
      userId,
      type: 'sync.complete',
      jobId: 'readme-cluster',
    });
    await connected.waitForCount(1);
    expect(connected.received[0]?.notification).toMatchObject({ id, userId, jobId: 'readme-cluster' });
  } finally {
    close();
    await stop();
  }
});
