import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import { socketIoTransport } from '../../../../shared/client/socketio.js';
import type { DisconnectReason } from '../../../../shared/client/transport.js';
import { ErrorCode } from '../../../../shared/contract/index.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A real socket.io server that refuses every handshake with `data`. */
async function refusingServer(data: unknown): Promise<string> {
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'] });
  io.use((_socket, next) => next(Object.assign(new Error('refused'), { data })));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => io.close(() => r())));
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

function openAndWaitForClose(url: string): Promise<DisconnectReason> {
  return new Promise((resolve) => {
    socketIoTransport().open(
      { url, token: 't', connectTimeoutMs: 5000 },
      {
        onOpen: () => undefined,
        onNotification: () => undefined,
        onServerError: () => undefined,
        onResync: () => undefined,
        onClose: resolve,
      },
    );
  });
}

describe('socketIoTransport', () => {
  it("passes a refused connect's retryAfterMs hint on to the client", async () => {
    const url = await refusingServer({ code: ErrorCode.RateLimited, message: 'busy', retryAfterMs: 1234 });
    expect(await openAndWaitForClose(url)).toEqual({
      code: ErrorCode.RateLimited,
      reason: 'busy',
      reconnect: true,
      retryAfterMs: 1234,
    });
  });

  it('ignores a malformed hint: the body is then not a contract error body', async () => {
    const url = await refusingServer({ code: ErrorCode.RateLimited, message: 'busy', retryAfterMs: -1 });
    const reason = await openAndWaitForClose(url);
    expect(reason).toMatchObject({ code: 'connect_error', reconnect: true });
    expect(reason.retryAfterMs).toBeUndefined();
  });
});
