import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import pWaitFor from 'p-wait-for';
import { expect, it, vi } from 'vitest';
import { startEcsLocal } from '../ecs-socketio/local/stack.js';
import { createSocketIoPublisher } from '@syncbell/socketio/publisher';
import { positionKey } from '@syncbell/client';
import { signToken } from '../shared/server/auth/index.js';
import { uniqueUser } from './support/unique-user.js';
import { TEST_JWT_KEY } from './ecs-socketio/support/harness.js';
import { importExample, readmeExample } from './support/readme.js';
import { MapStorage } from './support/storage.js';

// Runs docs/CLIENT.md's example as written, with its two URLs pointed at a local ECS stack and
// a local token endpoint (what "your backend" is in the example), for a fresh user, with a
// browser's sessionStorage stood in by a Map (Node has none).
it('runs the client SDK example: it connects with the fetched token, logs the notification live and stores its position', async () => {
  const code = readmeExample('client');
  const userId = uniqueUser('readme-client');
  const sessionStorage = new MapStorage();
  vi.stubGlobal('sessionStorage', sessionStorage);
  const token = await signToken({ userId, key: TEST_JWT_KEY });
  const stack = await startEcsLocal({ containers: 1, worker: false });
  const tokens = createServer(async (_req, res) => {
    res.end(token);
  });
  await new Promise<void>((resolve) => tokens.listen(0, '127.0.0.1', resolve));
  const tokenUrl = `http://127.0.0.1:${(tokens.address() as AddressInfo).port}/syncbell-token`;
  const redis = new Redis(stack.redisUrl as string);
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  let client: { close(): void } | undefined;
  try {
    const local = `${code
      .replace("'https://notify.example.com'", `'${stack.url}'`)
      .replace("'https://api.example.com/syncbell-token'", `'${tokenUrl}'`)}\nexport { client };\n`;
    expect(local).not.toContain('example.com');
    client = (await importExample('client', local)).client as { close(): void };
    await pWaitFor(() => log.mock.calls.some((call) => call[0] === 'connected'), { timeout: 15_000 });
    // Connected is not resumed: publish once the resume is answered, so the notification is live.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const receipt = await createSocketIoPublisher({ redis }).publish({
      userId,
      type: 'sync.complete',
      jobId: 'readme-job',
    });
    await pWaitFor(() => log.mock.calls.some((call) => call[0] === 'readme-job'), { timeout: 15_000 });
    const delivered = log.mock.calls.find((call) => call[0] === 'readme-job');
    expect(delivered?.[1]).toEqual(expect.any(Number));
    expect(['live', 'replayed']).toContain(delivered?.[2]);
    expect(log.mock.calls.map((call) => call[0])).toContain('connecting');
    // What a reloaded page would resume after: this notification, under the documented key.
    expect(sessionStorage.items.get(positionKey(stack.url, token) as string)).toBe(receipt.id);
  } finally {
    client?.close();
    log.mockRestore();
    vi.unstubAllGlobals();
    redis.disconnect();
    tokens.close();
    await stack.stop();
  }
});
