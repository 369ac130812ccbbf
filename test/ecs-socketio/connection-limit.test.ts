import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ErrorCode } from '@syncbell/contract';
import { uniqueUser } from '../support/unique-user.js';
import { createEcsHarness, type EcsHarness } from './support/harness.js';

let harness: EcsHarness;
const sockets: Socket[] = [];

beforeAll(async () => {
  // One container, so every connection from this test's address lands on the same limit.
  harness = await createEcsHarness({ containers: 1, env: { MAX_CONNECTIONS_PER_ADDRESS: '3' } });
});
afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  await harness?.stop();
});

async function attempt(): Promise<{ ok: true; socket: Socket } | { ok: false; data: unknown }> {
  const socket = ioClient(harness.url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: { token: await harness.token(uniqueUser('flood')) },
  });
  sockets.push(socket);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ ok: true, socket }));
    socket.once('connect_error', (error: Error & { data?: unknown }) =>
      resolve({ ok: false, data: error.data }),
    );
  });
}

it('refuses connections past the per-address limit with rate_limited, and admits again when one leaves', async () => {
  const results = [];
  for (let i = 0; i < 5; i++) results.push(await attempt());
  expect(results.map((r) => r.ok)).toEqual([true, true, true, false, false]);
  expect(results[3]).toMatchObject({ ok: false, data: { code: ErrorCode.RateLimited } });

  const first = results[0];
  if (!first?.ok) throw new Error('unreachable');
  const gone = new Promise((resolve) => first.socket.once('disconnect', resolve));
  first.socket.disconnect();
  await gone;
  // The server releases the slot when it sees the close; wait for that, then try again.
  let next = await attempt();
  for (let i = 0; !next.ok && i < 20; i++) {
    await new Promise((r) => setTimeout(r, 50));
    next = await attempt();
  }
  expect(next.ok).toBe(true);
});
