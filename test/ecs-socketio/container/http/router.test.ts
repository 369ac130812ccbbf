import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HttpRequestError, sendJson } from '../../../../ecs-socketio/container/http/respond.js';
import { createRouter, type Route } from '../../../../ecs-socketio/container/http/router.js';
import { ErrorCode } from '../../../../shared/contract/index.js';

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function serve(routes: Route[], skip?: (url: string) => boolean) {
  const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const server = createServer(createRouter({ routes, logger, skip: skip && ((req) => skip(req.url ?? '')) }));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = async (method: string, path: string) => {
    const response = await fetch(`${base}${path}`, { method });
    return { status: response.status, body: await response.json(), allow: response.headers.get('allow') };
  };
  return { call, logger };
}

describe('createRouter', () => {
  const ok: Route = { method: 'GET', path: '/ok', handle: (_req, res) => sendJson(res, 200, { ok: true }) };

  it('serves a route by method and exact path, ignoring the query', async () => {
    const { call } = await serve([ok]);
    expect(await call('GET', '/ok?x=1')).toMatchObject({ status: 200, body: { ok: true } });
  });

  it('answers 405 with Allow for a known path and another method, 404 for an unknown path', async () => {
    const { call } = await serve([ok]);
    expect(await call('POST', '/ok')).toMatchObject({
      status: 405,
      allow: 'GET',
      body: { code: ErrorCode.BadRequest },
    });
    expect(await call('GET', '/nope')).toMatchObject({ status: 404 });
  });

  it('answers a thrown HttpRequestError with its code and status', async () => {
    const { call } = await serve([
      {
        method: 'GET',
        path: '/limited',
        handle: () => {
          throw new HttpRequestError(ErrorCode.RateLimited, 'slow down');
        },
      },
    ]);
    expect(await call('GET', '/limited')).toEqual({
      status: 429,
      allow: null,
      body: { code: ErrorCode.RateLimited, message: 'slow down' },
    });
  });

  it('answers any other failure internal_error (500) and logs it', async () => {
    const { call, logger } = await serve([
      {
        method: 'GET',
        path: '/boom',
        handle: async () => {
          throw new Error('boom');
        },
      },
    ]);
    expect(await call('GET', '/boom')).toMatchObject({ status: 500, body: { code: ErrorCode.Internal } });
    expect(logger.error).toHaveBeenCalledOnce();
  });
});
