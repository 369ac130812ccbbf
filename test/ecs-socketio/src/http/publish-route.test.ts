import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, ErrorCode } from '../../../../shared/contract/index.js';
import { signToken } from '../../../../shared/server/index.js';
import { socketIoTransport } from '../../../../shared/client/socketio.js';
import { loadEcsConfig } from '../../../../ecs-socketio/src/config.js';
import { PUBLISH_PATH } from '../../../../ecs-socketio/src/http/publish-route.js';
import { createLogger } from '../../../../ecs-socketio/src/logger.js';
import { createEcsServer, type EcsServer } from '../../../../ecs-socketio/src/server.js';
import { uniqueUser } from '../../../contract/suite.js';
import { connectRecorder, type RecordingClient } from '../../../support/recorder.js';
import { TEST_JWT_KEY, TEST_REDIS_CLIENT } from '../../harness.js';

// POST /v1/publish on a real container (in process) on the suite's Redis client.
const KEY = 'test-publish-key-0123456789abcdef0123456789';
const servers: EcsServer[] = [];
const clients: RecordingClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(env: Record<string, string> = {}) {
  const config = loadEcsConfig({
    REDIS_URL: process.env.REDIS_URL,
    REDIS_CLIENT: TEST_REDIS_CLIENT,
    PORT: '0',
    METRICS_PORT: 'off',
    CONTAINER_ID: 'publish-route',
    PUBLISH_API_KEYS: `other-key-${'x'.repeat(32)},${KEY}`,
    ...env,
  });
  const server = await createEcsServer({
    config,
    logger: createLogger('test', 'silent', 'c'),
    jwtKey: TEST_JWT_KEY,
  });
  servers.push(server);
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
  return { url, publish, connect };
}

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

  it('refuses an end user’s valid token (403 forbidden), as a bearer or in place of the key: only a server key publishes', async () => {
    const { publish } = await start();
    const userId = uniqueUser('http');
    const token = await signToken({ userId, key: TEST_JWT_KEY });
    const input = { userId, type: 'sync.complete', jobId: 'j' };
    expect(await publish(input, { authorization: `Bearer ${token}` })).toMatchObject({
      status: 403,
      body: { code: ErrorCode.Forbidden },
    });
    expect(await publish(input, { 'x-api-key': token })).toMatchObject({
      status: 401,
      body: { code: ErrorCode.InvalidToken },
    });
  });

  it.each([
    ['no credential', {}],
    ['a wrong key', { 'x-api-key': KEY.replace('0', '1') }],
    ['the key in Authorization', { authorization: KEY }],
  ])('refuses %s (401)', async (_what, credential: Record<string, string>) => {
    const { publish } = await start();
    expect((await publish({ userId: 'u', type: 'sync.complete', jobId: 'j' }, credential)).status).toBe(401);
  });

  it.each([
    ['a body that is not JSON', '{nope'],
    ['an unknown type', { userId: 'u', type: 'nope', jobId: 'j' }],
    ['a missing jobId', { userId: 'u', type: 'sync.complete' }],
    ['an unknown field', { userId: 'u', type: 'sync.complete', jobId: 'j', room: 'everyone' }],
  ])('refuses %s with bad_request (400)', async (_what, body) => {
    const { publish } = await start();
    expect(await publish(body)).toMatchObject({ status: 400, body: { code: ErrorCode.BadRequest } });
  });

  it('refuses a body over the notification limit with payload_too_large (413)', async () => {
    const { publish } = await start();
    const big = { userId: 'u', type: 'sync.complete', jobId: 'j', data: { blob: 'x'.repeat(40_000) } };
    expect(await publish(big)).toMatchObject({ status: 413, body: { code: ErrorCode.PayloadTooLarge } });
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

  it('is off (404) when no key is configured', async () => {
    const { publish } = await start({ PUBLISH_API_KEYS: '' });
    expect((await publish({ userId: 'u', type: 'sync.complete', jobId: 'j' })).status).toBe(404);
  });
});

describe('PUBLISH_API_KEYS', () => {
  it('refuses a short key, and keys with REDIS_ADAPTER=memory, at start-up', () => {
    expect(() => loadEcsConfig({ PUBLISH_API_KEYS: 'short' })).toThrow(ConfigError);
    expect(() => loadEcsConfig({ PUBLISH_API_KEYS: KEY, REDIS_ADAPTER: 'memory' })).toThrow(ConfigError);
  });
});
