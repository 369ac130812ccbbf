import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../shared/contract/index.js';
import { signToken } from '../../../../shared/server/index.js';
import { loadEcsConfig } from '../../../../ecs-socketio/src/config.js';
import { createLogger } from '../../../../ecs-socketio/container/logger.js';
import { createEcsServer, type EcsServer } from '../../../../ecs-socketio/container/server.js';
import { postRaw } from '../../../support/post-raw.js';
import { uniqueUser } from '../../../support/unique-user.js';
import { TEST_JWT_KEY } from '../../support/harness.js';

// POST /jobs/sync on a container reached directly (no load balancer in front, which would keep
// only the first of two Authorization headers): the headers as the container receives them.
const servers: EcsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(): Promise<string> {
  const config = loadEcsConfig({
    REDIS_ADAPTER: 'memory',
    PORT: '0',
    METRICS_PORT: 'off',
    CONTAINER_ID: 'jobs',
  });
  const server = await createEcsServer({
    config,
    logger: createLogger('test', 'silent', 'c'),
    jwtKey: TEST_JWT_KEY,
  });
  servers.push(server);
  return `http://127.0.0.1:${await server.listen(0)}/jobs/sync`;
}

describe('POST /jobs/sync credentials (container)', () => {
  it('refuses two Authorization headers with invalid_token (401), even when both hold a valid token', async () => {
    const url = await start();
    const token = await signToken({ userId: uniqueUser('jobs'), key: TEST_JWT_KEY });
    const one = await postRaw(url, { authorization: `bearer ${token}` }, '{"durationMs":0}');
    const two = await postRaw(
      url,
      { authorization: [`Bearer ${token}`, `Bearer ${token}`] },
      '{"durationMs":0}',
    );
    expect(one.status).toBe(202);
    expect(two).toMatchObject({ status: 401, body: { code: ErrorCode.InvalidToken } });
  });
});
