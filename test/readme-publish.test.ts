import { afterEach, expect, it } from 'vitest';
import { localPublisherOptions, silentTelemetry } from '../apigw-websocket/local/publisher.js';
import { startEcsLocal } from '../ecs-socketio/local/stack.js';
import { signToken } from '../shared/server/auth/index.js';
import { socketIoTransport } from '../shared/client/transports/socketio.js';
import { createApigwHarness } from './apigw-websocket/harness.js';
import { uniqueUser } from './contract/suite.js';
import { TEST_JWT_KEY } from './ecs-socketio/harness.js';
import { readmeExample, runExample } from './support/readme.js';
import { type RecordingClient, recordingClient } from './support/recorder.js';

// Runs README's "Publish from your backend" examples as written, with one change each: the user
// is a fresh one, and (API Gateway) the options point at the local stack instead of a deployed one.
const clients: RecordingClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

async function connected(options: Parameters<typeof recordingClient>[0]): Promise<RecordingClient> {
  const recorder = recordingClient(options);
  clients.push(recorder);
  const resumed = recorder.nextResume();
  recorder.client.connect();
  await resumed;
  return recorder;
}

it('runs the socket.io publisher example: the connected user gets the notification it logged', async () => {
  const code = readmeExample('socketio-publisher');
  expect(code).toContain("userId: 'alice'");
  const stack = await startEcsLocal({ containers: 1, worker: false });
  try {
    const userId = uniqueUser('readme');
    const recorder = await connected({
      transport: socketIoTransport(),
      url: stack.url,
      token: await signToken({ userId, key: TEST_JWT_KEY }),
    });
    const previousUrl = process.env.REDIS_URL;
    process.env.REDIS_URL = stack.redisUrl;
    const { logged } = await runExample(
      'socketio',
      code.replace("userId: 'alice'", `userId: '${userId}'`),
    ).finally(() => {
      process.env.REDIS_URL = previousUrl;
    });
    await recorder.waitForCount(1);
    expect(recorder.received[0]?.notification).toMatchObject({
      userId,
      type: 'sync.complete',
      jobId: 'calendar-sync-42',
      data: { calendar: 'primary' },
    });
    expect(logged).toEqual([[recorder.received[0]?.notification.id, false]]);
  } finally {
    await stack.stop();
  }
});

it('runs the API Gateway publisher example: the connected user gets the notification it logged', async () => {
  const code = readmeExample('apigw-publisher');
  const options = /createApiGwPublisher\((\{[\s\S]*?\})\)/.exec(code);
  expect(options?.[1]).toMatch(/managementEndpoint: '[^']+'/);
  const harness = await createApigwHarness();
  try {
    const userId = uniqueUser('readme');
    const recorder = await connected({
      transport: harness.transport(),
      url: harness.url,
      token: await harness.token(userId),
    });
    (globalThis as Record<string, unknown>).__readmeApigwOptions = {
      ...localPublisherOptions(harness.stack),
      telemetry: silentTelemetry(),
    };
    const local = code
      .replace(options?.[1] ?? '', '(globalThis as any).__readmeApigwOptions')
      .replace("userId: 'alice'", `userId: '${userId}'`);
    const { logged } = await runExample('apigw', local);
    await recorder.waitForCount(1);
    expect(recorder.received[0]?.notification).toMatchObject({ userId, jobId: 'calendar-sync-42' });
    expect(logged).toEqual([[recorder.received[0]?.notification.id, false]]);
  } finally {
    delete (globalThis as Record<string, unknown>).__readmeApigwOptions;
    await harness.stop();
  }
});
