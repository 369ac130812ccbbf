import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createClient,
  DisconnectCode,
  type DisconnectReason,
  type TransportHandlers,
} from '../../../../shared/client/index.js';
import { socketIoTransport } from '../../../../shared/client/socketio.js';
import { createNotification, ErrorCode, SocketEvent } from '../../../../shared/contract/index.js';
import { withCode } from '../../../support/errors.js';
import { ClientErrorCode } from '../../../../shared/client/index.js';

/** A bare socket.io server standing in for syncbell's: it answers (or not) the keep-alive as each test says. */
async function startServer(onKeepAlive: (args: unknown[]) => void) {
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'] });
  io.on('connection', (socket) =>
    socket.on(SocketEvent.KeepAlive, (...args: unknown[]) => onKeepAlive(args)),
  );
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((resolve) => io.close(() => resolve())) };
}

function recording() {
  const events = { positions: [] as unknown[], closes: [] as DisconnectReason[], errors: [] as string[] };
  const waiters = new Set<() => void>();
  const poke = () => {
    for (const waiter of [...waiters]) waiter();
  };
  const handlers: TransportHandlers = {
    onOpen: poke,
    onNotification: () => {},
    onServerError: (code) => {
      events.errors.push(code);
      poke();
    },
    onResync: () => {},
    onPosition: (frame) => {
      events.positions.push(frame);
      poke();
    },
    onClose: (reason) => {
      events.closes.push(reason);
      poke();
    },
  };
  const until = (predicate: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!predicate()) return;
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
    });
  return { handlers, events, until };
}

/** Short, so the tests are quick; the deadline generous, so a loaded machine does not trip it. */
const TIMING = { keepAliveIntervalMs: 500, pongTimeoutMs: 450 };
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

describe('socketIoTransport keep-alive', () => {
  it('asks for the log position with {} on an ack and hands the answer’s `latest` and `recent` to the client', async () => {
    const older = createNotification({ type: 'sync.complete', userId: 'u', jobId: 'i' }).id;
    const latest = createNotification({ type: 'sync.complete', userId: 'u', jobId: 'j' }).id;
    const requests: unknown[][] = [];
    const server = await startServer((args) => {
      requests.push(args.slice(0, -1));
      (args.at(-1) as (answer: unknown) => void)({
        serverTimeMs: Date.now(),
        latest,
        recent: [latest, older],
      });
    });
    stops.push(server.close);
    const { handlers, events, until } = recording();
    const connection = socketIoTransport(TIMING).open(
      { url: server.url, token: 't', connectTimeoutMs: 5000 },
      handlers,
    );
    stops.push(async () => connection.close());

    await until(() => events.positions.length >= 2);

    const answer = { serverTimeMs: expect.any(Number), latest, recent: [latest, older] };
    expect(events.positions.slice(0, 2)).toEqual([answer, answer]);
    expect(requests.slice(0, 2)).toEqual([[{}], [{}]]);
    expect(events.closes).toEqual([]);
  });

  it('takes an error answer (a server older than the keep-alive) as alive, without a position or an error', async () => {
    let requests = 0;
    let fourthRequest: () => void = () => {};
    const fourth = new Promise<void>((resolve) => {
      fourthRequest = resolve;
    });
    const server = await startServer((args) => {
      // The SDK asks again only once the previous answer is in: a 4th request means 3 answers were read.
      if (++requests === 4) fourthRequest();
      (args.at(-1) as (answer: unknown) => void)({ code: ErrorCode.UnknownAction, message: 'unknown event' });
    });
    stops.push(server.close);
    const { handlers, events } = recording();
    const connection = socketIoTransport(TIMING).open(
      { url: server.url, token: 't', connectTimeoutMs: 5000 },
      handlers,
    );
    stops.push(async () => connection.close());

    await fourth;

    expect(events.positions).toEqual([]);
    expect(events.errors).toEqual([]);
    expect(events.closes).toEqual([]);
  });

  it('closes as dropped (pong_timeout, reconnect) when a keep-alive goes unanswered', async () => {
    const server = await startServer(() => {}); // never acks
    stops.push(server.close);
    const { handlers, events, until } = recording();
    socketIoTransport({ keepAliveIntervalMs: 100, pongTimeoutMs: 50 }).open(
      { url: server.url, token: 't', connectTimeoutMs: 5000 },
      handlers,
    );

    await until(() => events.closes.length > 0);

    expect(events.closes).toEqual([expect.objectContaining({ code: 'pong_timeout', reconnect: true })]);
  });

  it('refuses timings that cannot work with a ConfigError', () => {
    expect(() => socketIoTransport({ keepAliveIntervalMs: 1000, pongTimeoutMs: 1000 })).toThrow(
      withCode(ClientErrorCode.InvalidOption, 'pongTimeoutMs'),
    );
    expect(() => socketIoTransport({ keepAliveIntervalMs: 0 })).toThrow(
      withCode(ClientErrorCode.InvalidOption, 'keepAliveIntervalMs'),
    );
  });
});

/** A real socket.io server that refuses every handshake with `data`. */
async function refusingServer(data: unknown): Promise<string> {
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'] });
  io.use((_socket, next) => next(Object.assign(new Error('refused'), { data })));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  stops.push(() => new Promise((r) => io.close(() => r())));
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
        onPosition: () => undefined,
        onClose: resolve,
      },
    );
  });
}

describe('socketIoTransport resume', () => {
  it('reports a resume that gets no answer as resume_failed (as the API Gateway transport does) and reconnects', async () => {
    const server = await startServer(() => {}); // never answers the resume
    stops.push(server.close);
    const client = createClient({
      transport: socketIoTransport({ ...TIMING, resumeTimeoutMs: 200 }),
      url: server.url,
      token: 't',
      minReconnectDelayMs: 60_000,
      maxReconnectDelayMs: 60_000,
    });
    stops.push(async () => client.close());
    const reason = await new Promise<DisconnectReason | undefined>((resolve) =>
      client.on('state', (change) => {
        if (change.reason) resolve(change.reason);
      }),
    );
    expect(reason).toEqual(
      expect.objectContaining({
        code: DisconnectCode.ResumeFailed,
        reason: 'resume failed: no replay answer within 200 ms',
        reconnect: true,
      }),
    );
    expect(client.state).toBe('connecting');
  });
});

describe('socketIoTransport refusals', () => {
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
    expect(reason).toMatchObject({ code: DisconnectCode.ConnectError, reconnect: true });
    expect(reason.retryAfterMs).toBeUndefined();
  });
});
