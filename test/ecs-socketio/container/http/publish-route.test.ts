import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../shared/contract/index.js';
import { signToken } from '../../../../shared/server/index.js';
import { socketIoTransport } from '../../../../shared/client/socketio.js';
import { loadEcsConfig } from '../../../../ecs-socketio/src/config.js';
import { PUBLISH_PATH } from '../../../../ecs-socketio/container/http/publish-route.js';
import { createLogger } from '../../../../ecs-socketio/container/logger.js';
import { createEcsServer, type EcsServer } from '../../../../ecs-socketio/container/server.js';
import { runPublishRouteSuite } from '../../../contract/publish-route-suite.js';
import { uniqueUser } from '../../../support/unique-user.js';
import { connectRecorder, type RecordingClient } from '../../../support/recorder.js';
import { TEST_JWT_KEY, TEST_REDIS_CLIENT } from '../../support/harness.js';
import { withCode } from '../../../support/errors.js';
import { ServerErrorCode } from '../../../../shared/server/index.js';

// POST /v1/publish on a real container (in process) on the suite's Redis client.
const KEY = 'test-publish-key-0123456789abcdef0123456789';
const OTHER_KEY = `other-key-${'x'.repeat(32)}`;
const servers: EcsServer[] = [];
const clients: RecordingClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(env: Record<string, string> = {}, closeAfterEach = true) {
  const config = loadEcsConfig({
    REDIS_URL: process.env.REDIS_URL,
    REDIS_CLIENT: TEST_REDIS_CLIENT,
    PORT: '0',
    METRICS_PORT: 'off',
    CONTAINER_ID: 'publish-route',
    PUBLISH_API_KEYS: `${OTHER_KEY},${KEY}`,
    ...env,
  });
  const server = await createEcsServer({
    config,
    logger: createLogger('test', 'silent', 'c'),
    jwtKey: TEST_JWT_KEY,
  });
  if (closeAfterEach) servers.push(server);
  const url = `http://127.0.0.1:${await server.listen(0)}`;
  const publish = async (body: unknown, credential: Record<string, string> = { 'x-api-key': KEY }) => {
    const response = await fetch(`${url}${PUBLISH_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...credential },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const connect = (userId: string) =>
    connectRecorder(
      {
        url,
        transport: () => socketIoTransport(),
        token: (id) => signToken({ userId: id, key: TEST_JWT_KEY }),
      },
      clients,
      userId,
    );
  return { url, server, publish, connect };
}

runPublishRouteSuite('socket.io', async () => {
  const { url, server } = await start({}, false);
  return {
    publishUrl: `${url}${PUBLISH_PATH}`,
    apiKey: KEY,
    userToken: (userId) => signToken({ userId, key: TEST_JWT_KEY }),
    stop: () => server.close(),
  };
});

describe('POST /v1/publish', () => {
  it('publishes with a server key: the connected user gets it, and a retry is a duplicate with the same id', async () => {
    const { publish, connect } = await start();
    const userId = uniqueUser('http');
    const recorder = await connect(userId);
    const input = { userId, type: 'sync.complete', jobId: 'http-1', data: { calendar: 'primary' } };

    const first = await publish(input);
    const retry = await publish(input);

    expect(first).toEqual({ status: 200, body: { id: expect.any(String), duplicate: false } });
    expect(retry).toEqual({ status: 200, body: { id: first.body.id, duplicate: true } });
    await recorder.waitForCount(1);
    expect(recorder.received.map((r) => r.notification)).toEqual([
      expect.objectContaining({ id: first.body.id, userId, jobId: 'http-1', data: { calendar: 'primary' } }),
    ]);
  });

  it('refuses an end user’s valid token in place of the key (401): only a server key publishes', async () => {
    const { publish } = await start();
    const userId = uniqueUser('http');
    const token = await signToken({ userId, key: TEST_JWT_KEY });
    expect(
      await publish({ userId, type: 'sync.complete', jobId: 'j' }, { 'x-api-key': token }),
    ).toMatchObject({
      status: 401,
      body: { code: ErrorCode.InvalidToken },
    });
  });

  it('accepts every key of PUBLISH_API_KEYS, and the older PUBLISH_API_KEY beside them (rotation)', async () => {
    const older = `older-key-${'o'.repeat(32)}`;
    const { publish } = await start({ PUBLISH_API_KEY: older });
    const userId = uniqueUser('http');
    const answers = [];
    for (const key of [KEY, OTHER_KEY, older])
      answers.push(
        (await publish({ userId, type: 'sync.complete', jobId: key.slice(0, 5) }, { 'x-api-key': key }))
          .status,
      );
    expect(answers).toEqual([200, 200, 200]);
  });

  it('answers rate_limited (429) past PUBLISH_MAX_PER_SECOND', async () => {
    const { publish } = await start({ PUBLISH_MAX_PER_SECOND: '1' });
    const userId = uniqueUser('http');
    const statuses: number[] = [];
    for (const jobId of ['a', 'b'])
      statuses.push((await publish({ userId, type: 'sync.complete', jobId })).status);
    // Two requests in one window (a window is a second; these are sent back to back).
    expect(statuses).toEqual([200, 429]);
  });

  it('checks the credential before the budget: a flood without a key leaves a keyed backend no 429', async () => {
    const { publish } = await start({ PUBLISH_MAX_PER_SECOND: '1' });
    const userId = uniqueUser('http');
    const flood: number[] = [];
    for (let i = 0; i < 30; i++)
      flood.push((await publish({ userId, type: 'sync.complete', jobId: `f-${i}` }, {})).status);
    // Right after the flood, in its window: one keyed publish, within a budget of one per second.
    const keyed = await publish({ userId, type: 'sync.complete', jobId: 'keyed' });
    expect(new Set(flood)).toEqual(new Set([401]));
    expect(keyed.status).toBe(200);
  });

  it('is off (404) when no key is configured', async () => {
    const { publish } = await start({ PUBLISH_API_KEYS: '' });
    expect((await publish({ userId: 'u', type: 'sync.complete', jobId: 'j' })).status).toBe(404);
  });
});

describe('PUBLISH_API_KEYS', () => {
  it('refuses a short key, and keys with REDIS_ADAPTER=memory, at start-up', () => {
    expect(() => loadEcsConfig({ PUBLISH_API_KEYS: 'short' })).toThrow(
      withCode(ServerErrorCode.InvalidConfig),
    );
    expect(() => loadEcsConfig({ PUBLISH_API_KEYS: KEY, REDIS_ADAPTER: 'memory' })).toThrow(
      withCode(ServerErrorCode.InvalidConfig),
    );
  });
});
