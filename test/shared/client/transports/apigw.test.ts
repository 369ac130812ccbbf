import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  apigwTransport,
  createClient,
  DisconnectCode,
  type DisconnectReason,
  type EventTargetLike,
  ROTATION_GRACE_MS,
  type TransportHandlers,
  type WebSocketLike,
} from '../../../../shared/client/apigw.js';
import { CloseCode, createNotification, ErrorCode } from '../../../../shared/contract/index.js';
import { withCode } from '../../../support/errors.js';
import { ClientErrorCode } from '../../../../shared/client/index.js';

/** A scripted browser-style WebSocket: the transport is under test, not the network. */
class FakeSocket implements WebSocketLike {
  static last: FakeSocket | undefined;
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  closedWith: number | undefined;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.last = this;
  }
  send(data: string) {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(code?: number) {
    this.closedWith = code;
    this.readyState = 3;
  }
  serverOpens() {
    this.readyState = 1;
    this.onopen?.({});
  }
  serverSends(frame: unknown) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  serverCloses(code: number, reason = '') {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

function recordingHandlers() {
  const events = {
    opened: 0,
    notifications: [] as unknown[],
    errors: [] as [string, string][],
    closes: [] as DisconnectReason[],
    positions: [] as unknown[],
  };
  const handlers: TransportHandlers = {
    onOpen: () => {
      events.opened++;
    },
    onNotification: (n) => events.notifications.push(n),
    onServerError: (code, message) => events.errors.push([code, message]),
    onResync: () => {},
    onPosition: (frame) => events.positions.push(frame),
    onClose: (reason) => events.closes.push(reason),
  };
  return { handlers, events };
}

async function openFake(options: Parameters<typeof apigwTransport>[0] = {}, token = 'a.b.c') {
  const { handlers, events } = recordingHandlers();
  const connection = apigwTransport({ WebSocket: FakeSocket, ...options }).open(
    { url: 'wss://example.test/dev', token, connectTimeoutMs: 10_000 },
    handlers,
  );
  return { connection, socket: await nextSocket(), events, handlers };
}

/** The socket the transport opened last (it opens one asynchronously, after resolving `WebSocket`). */
async function nextSocket(): Promise<FakeSocket> {
  await vi.waitFor(() => expect(FakeSocket.last).toBeDefined());
  const socket = FakeSocket.last as FakeSocket;
  FakeSocket.last = undefined;
  return socket;
}

/** A scripted `window` / `document`: counts its listeners so a test can see them removed. */
class FakeEventTarget implements EventTargetLike {
  readonly listeners = new Map<string, Set<() => void>>();
  visibilityState = 'visible';
  addEventListener(type: string, listener: () => void) {
    const set = this.listeners.get(type) ?? new Set();
    set.add(listener);
    this.listeners.set(type, set);
  }
  removeEventListener(type: string, listener: () => void) {
    this.listeners.get(type)?.delete(listener);
  }
  fire(type: string) {
    for (const listener of [...(this.listeners.get(type) ?? [])]) listener();
  }
  get count() {
    return [...this.listeners.values()].reduce((sum, set) => sum + set.size, 0);
  }
}

const pings = (socket: FakeSocket) => socket.sent.filter((frame) => frame.action === 'ping').length;

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('apigwTransport', () => {
  it('puts the token in the query string and resumes with a correlated request', async () => {
    const { connection, socket, events } = await openFake({}, 'tok en');
    expect(socket.url).toBe('wss://example.test/dev?token=tok%20en');
    socket.serverOpens();
    expect(events.opened).toBe(1);
    const answer = connection.resume('01ARZ3NDEKTSV4RRFFQ69G5FAV');
    const request = socket.sent[0];
    expect(request).toMatchObject({ action: 'resume', after: '01ARZ3NDEKTSV4RRFFQ69G5FAV' });
    const n1 = createNotification({ type: 'sync.complete', userId: 'u', jobId: 'a' });
    const n2 = createNotification({ type: 'sync.complete', userId: 'u', jobId: 'b' });
    // A replay split over two frames (API Gateway's 128 KB message cap), plus a stale answer to ignore.
    socket.serverSends({ type: 'replay', requestId: 'other', notifications: [n2], truncated: false });
    socket.serverSends({
      type: 'replay',
      requestId: request?.requestId,
      notifications: [n1],
      truncated: false,
      more: true,
    });
    socket.serverSends({
      type: 'replay',
      requestId: request?.requestId,
      notifications: [n2],
      truncated: false,
      cursor: n2.id,
    });
    expect(await answer).toEqual({ notifications: [n1, n2], truncated: false, cursor: n2.id });
  });

  it('hands live notifications over as they came (the client validates them) and reports frames that break the contract', async () => {
    const { socket, events } = await openFake();
    socket.serverOpens();
    const n = createNotification({ type: 'sync.failed', userId: 'u', jobId: 'j' });
    const malformed = { ...n, userId: '' };
    socket.serverSends({ type: 'notification', notification: n });
    socket.serverSends({ type: 'notification', notification: malformed });
    socket.onmessage?.({ data: 'not json' });
    socket.serverSends({ type: 'pong' }); // a known frame type without its fields
    socket.serverSends({ type: 'error', code: ErrorCode.UnknownAction, message: 'nope' });
    expect(events.notifications).toEqual([n, malformed]);
    expect(events.errors.map(([code]) => code)).toEqual([
      ErrorCode.BadRequest,
      ErrorCode.BadRequest,
      ErrorCode.UnknownAction,
    ]);
  });

  it('tolerates a newer server: extra frame fields pass, unknown frame types are ignored, replay entries reach the client as sent', async () => {
    const { connection, socket, events } = await openFake();
    socket.serverOpens();
    const n = createNotification({ type: 'sync.complete', userId: 'u', jobId: 'a' });
    const newer = {
      ...n,
      id: createNotification({ type: 'sync.complete', userId: 'u', jobId: 'b' }).id,
      type: 'export.ready',
      v: 2,
      priority: 'high',
    };
    const corrupt = { id: n.id.replace(/.$/, 'Z'), userId: 'u', type: 42 };
    socket.serverSends({ type: 'notification', notification: newer, region: 'eu-west-1' });
    socket.serverSends({ type: 'presence', users: 3 });
    const answer = connection.resume(undefined);
    socket.serverSends({
      type: 'replay',
      requestId: socket.sent[0]?.requestId,
      notifications: [n, corrupt, newer],
      truncated: false,
      shard: 7,
    });
    expect(await answer).toEqual({ notifications: [n, corrupt, newer], truncated: false });
    expect(events.notifications).toEqual([newer]);
    expect(events.errors).toEqual([]);
  });

  it('rejects the resume when the server answers it with an error frame', async () => {
    const { connection, socket } = await openFake();
    socket.serverOpens();
    const answer = connection.resume(undefined);
    socket.serverSends({
      type: 'error',
      requestId: socket.sent[0]?.requestId,
      code: ErrorCode.InvalidToken,
      message: 'no',
    });
    await expect(answer).rejects.toMatchObject({ code: ErrorCode.InvalidToken });
  });

  it('rejects the resume at once when a newer server answers with an error code this version does not know', async () => {
    const { connection, socket } = await openFake();
    socket.serverOpens();
    const answer = connection.resume(undefined);
    socket.serverSends({
      type: 'error',
      requestId: socket.sent[0]?.requestId,
      code: 'quota_exceeded',
      message: 'over quota',
    });
    // Not "a frame that does not match the contract" and a resume timeout: the server's own words.
    await expect(answer).rejects.toMatchObject({
      code: ErrorCode.Internal,
      message: 'over quota (error code "quota_exceeded" from a newer server)',
    });
  });

  // API Gateway's own frame when a route's Lambda failed (threw, timed out, was throttled): its
  // requestId is API Gateway's, so the transport cannot tell which request it answers.
  const gatewayError = {
    message: 'Internal server error',
    connectionId: 'Zq0lpfIyliACGbQ=',
    requestId: 'Zq1LaGLQliAFsbA=',
  };
  const resumes = (socket: FakeSocket) => socket.sent.filter((frame) => frame.action === 'resume');

  it("reports API Gateway's error frame as internal, and a waiting resume keeps its deadline and takes its answer", async () => {
    vi.useFakeTimers();
    const { connection, socket, events } = await openFake({ resumeTimeoutMs: 10_000 });
    socket.serverOpens();
    const answer = connection.resume('01J00000000000000000000000');
    socket.serverSends(gatewayError);
    // Reported as what it is, not as a frame that breaks the contract.
    expect(events.errors).toEqual([[ErrorCode.Internal, 'API Gateway: Internal server error']]);
    await vi.advanceTimersByTimeAsync(5_000);
    // Not sent again: the one request stays the one answer awaited (a late answer still completes it).
    const [only] = resumes(socket);
    expect(resumes(socket)).toHaveLength(1);
    const n = createNotification({ type: 'sync.complete', userId: 'u', jobId: 'j' });
    socket.serverSends({ type: 'replay', requestId: only?.requestId, notifications: [n], truncated: false });
    await expect(answer).resolves.toMatchObject({ notifications: [n], truncated: false });
    connection.close();
  });

  it('hands the pong’s log position to the client as it came, and reads a pong with a malformed one as a pong', async () => {
    const { socket, events } = await openFake();
    socket.serverOpens();
    const older = createNotification({ type: 'sync.complete', userId: 'u', jobId: 'i' }).id;
    const latest = createNotification({ type: 'sync.complete', userId: 'u', jobId: 'j' }).id;
    const pongs = [
      { type: 'pong', serverTimeMs: 1, latest, recent: [latest, older] },
      { type: 'pong', serverTimeMs: 2, latest: { from: 'a newer server' }, recent: 'also newer' },
      { type: 'pong', serverTimeMs: 3, latest }, // a server from before `recent`
      { type: 'pong', serverTimeMs: 4 }, // an older server
    ];
    for (const pong of pongs) socket.serverSends(pong);
    expect(events.positions).toEqual(pongs);
    expect(events.errors).toEqual([]);
  });

  it('pings on the keep-alive interval, asks to move before the connection cap, and closes for an immediate reconnect a grace later', async () => {
    vi.useFakeTimers();
    const { socket, events, handlers } = await openFake({
      keepAliveIntervalMs: 1000,
      pongTimeoutMs: 900,
      maxConnectionAgeMs: 3500,
    });
    let moveRequests = 0;
    handlers.onMoveRequested = () => moveRequests++;
    socket.serverOpens();
    for (let i = 0; i < 3; i++) {
      vi.advanceTimersByTime(1000);
      socket.serverSends({ type: 'pong', serverTimeMs: Date.now() });
    }
    expect(socket.sent.filter((f) => f.action === 'ping')).toHaveLength(3);
    expect(events.closes).toEqual([]);
    vi.advanceTimersByTime(500);
    // Make before break: the client opens its successor now; this connection stays for the grace.
    expect(moveRequests).toBe(1);
    expect(events.closes).toEqual([]);
    // The grace: the connection is still kept alive (each ping answered) until it ends.
    for (let i = 1; i < ROTATION_GRACE_MS / 1000; i++) {
      vi.advanceTimersByTime(1000);
      socket.serverSends({ type: 'pong', serverTimeMs: Date.now() });
    }
    vi.advanceTimersByTime(999);
    expect(events.closes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(events.closes).toEqual([
      expect.objectContaining({ code: 'planned_rotation', reconnect: true, immediate: true }),
    ]);
    expect(socket.closedWith).toBe(1000);
    const pingsBefore = socket.sent.filter((f) => f.action === 'ping').length;
    vi.advanceTimersByTime(5000);
    expect(socket.sent.filter((f) => f.action === 'ping')).toHaveLength(pingsBefore);
  });

  it('closes as dropped (pong_timeout, reconnect after backoff) when a ping goes unanswered', async () => {
    vi.useFakeTimers();
    const { socket, events } = await openFake({ keepAliveIntervalMs: 1000, pongTimeoutMs: 300 });
    socket.serverOpens();
    vi.advanceTimersByTime(1000);
    expect(pings(socket)).toBe(1);
    vi.advanceTimersByTime(299);
    expect(events.closes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(events.closes).toEqual([expect.objectContaining({ code: 'pong_timeout', reconnect: true })]);
    expect(events.closes[0]?.immediate).toBeFalsy();
    expect(socket.closedWith).toBe(1000);
    vi.advanceTimersByTime(5000);
    expect(pings(socket)).toBe(1);
  });

  it('stays open while every ping is answered, by its pong or by any other frame, and only then', async () => {
    vi.useFakeTimers();
    const { socket, events } = await openFake({ keepAliveIntervalMs: 1000, pongTimeoutMs: 300 });
    socket.serverOpens();
    vi.advanceTimersByTime(1100);
    socket.serverSends({ type: 'pong', serverTimeMs: Date.now() });
    vi.advanceTimersByTime(1000);
    const n = createNotification({ type: 'sync.complete', userId: 'u', jobId: 'busy' });
    socket.serverSends({ type: 'notification', notification: n });
    vi.advanceTimersByTime(1000);
    socket.serverSends({ type: 'pong', serverTimeMs: Date.now() });
    vi.advanceTimersByTime(200);
    expect(pings(socket)).toBe(3);
    expect(events.closes).toEqual([]);
    vi.advanceTimersByTime(1100); // the fourth ping goes unanswered
    expect(events.closes).toEqual([expect.objectContaining({ code: 'pong_timeout' })]);
  });

  it('probes at once on online, offline and the page becoming visible, with the same pong deadline', async () => {
    vi.useFakeTimers();
    const network = new FakeEventTarget();
    const visibility = new FakeEventTarget();
    const { socket, events } = await openFake({
      keepAliveIntervalMs: 60_000,
      pongTimeoutMs: 500,
      livenessSignals: { network, visibility },
    });
    expect(network.count + visibility.count).toBe(0);
    socket.serverOpens();
    network.fire('online');
    expect(pings(socket)).toBe(1);
    network.fire('offline'); // a ping already waits for its answer: no second one
    expect(pings(socket)).toBe(1);
    socket.serverSends({ type: 'pong', serverTimeMs: 1 });
    visibility.visibilityState = 'hidden';
    visibility.fire('visibilitychange');
    expect(pings(socket)).toBe(1);
    network.fire('offline');
    expect(pings(socket)).toBe(2);
    socket.serverSends({ type: 'pong', serverTimeMs: 2 });
    visibility.visibilityState = 'visible';
    visibility.fire('visibilitychange');
    expect(pings(socket)).toBe(3);
    vi.advanceTimersByTime(500);
    expect(events.closes).toEqual([expect.objectContaining({ code: 'pong_timeout', reconnect: true })]);
    expect(network.count + visibility.count).toBe(0);
  });

  // Every other test here runs in Node (no globalThis.addEventListener, no document) with the default.
  it('listens on globalThis and document by default, and stops when the app closes', async () => {
    const network = new FakeEventTarget();
    const visibility = new FakeEventTarget();
    vi.stubGlobal('addEventListener', network.addEventListener.bind(network));
    vi.stubGlobal('removeEventListener', network.removeEventListener.bind(network));
    vi.stubGlobal('document', visibility);
    const { connection, socket } = await openFake({ keepAliveIntervalMs: 60_000 });
    socket.serverOpens();
    expect([network.count, visibility.count]).toEqual([2, 1]);
    visibility.fire('visibilitychange');
    expect(pings(socket)).toBe(1);
    connection.close();
    expect(network.count + visibility.count).toBe(0);
  });

  it.each([
    [{ keepAliveIntervalMs: 600_000 }, ['keepAliveIntervalMs']],
    [{ keepAliveIntervalMs: 20_000, pongTimeoutMs: 20_000 }, ['pongTimeoutMs', 'keepAliveIntervalMs']],
    [{ keepAliveIntervalMs: 5000, pongTimeoutMs: 6000 }, ['pongTimeoutMs', 'keepAliveIntervalMs']],
    [{ pongTimeoutMs: 0 }, ['pongTimeoutMs']],
    [{ keepAliveIntervalMs: -1 }, ['keepAliveIntervalMs']],
    [{ resumeTimeoutMs: Number.NaN }, ['resumeTimeoutMs']],
    [{ maxConnectionAgeMs: 30 * 86_400_000 }, ['maxConnectionAgeMs']],
  ])(
    'refuses impossible timing %j with a ConfigError at construction, naming the options',
    (options, names) => {
      expect(() => apigwTransport(options)).toThrow(
        withCode(ClientErrorCode.InvalidOption, 'apigwTransport', ...names),
      );
    },
  );

  it('reports a resume that gets no answer as resume_failed (as the socket.io transport does) and reconnects', async () => {
    vi.useFakeTimers();
    const reasons: DisconnectReason[] = [];
    const client = createClient({
      transport: apigwTransport({ WebSocket: FakeSocket, resumeTimeoutMs: 500 }),
      url: 'wss://example.test/dev',
      token: 't',
    });
    client.on('state', ({ reason }) => {
      if (reason) reasons.push(reason);
    });
    (await nextSocket()).serverOpens();
    await vi.advanceTimersByTimeAsync(500);
    expect(reasons).toEqual([
      expect.objectContaining({
        code: DisconnectCode.ResumeFailed,
        reason: 'resume failed: no replay answer within 500 ms',
        reconnect: true,
      }),
    ]);
    expect(client.state).toBe('connecting');
    client.close();
  });

  it('lets the client reconnect and resume after the last notification when the peer went silent', async () => {
    vi.useFakeTimers();
    const states: string[] = [];
    const client = createClient({
      transport: apigwTransport({ WebSocket: FakeSocket, keepAliveIntervalMs: 1000, pongTimeoutMs: 300 }),
      url: 'wss://example.test/dev',
      token: 't',
      random: () => 0,
    });
    client.on('state', ({ newState, reason }) =>
      states.push(`${newState}${reason ? `:${reason.code}` : ''}`),
    );
    const first = await nextSocket();
    first.serverOpens();
    const n = createNotification({ type: 'sync.complete', userId: 'u', jobId: 'seen' });
    first.serverSends({
      type: 'replay',
      requestId: first.sent[0]?.requestId,
      notifications: [n],
      truncated: false,
    });
    await vi.waitFor(() => expect(client.state).toBe('connected'));
    vi.advanceTimersByTime(1300); // ping at 1000 ms, no answer by 1300 ms
    const second = await nextSocket();
    second.serverOpens();
    expect(second.sent[0]).toMatchObject({ action: 'resume', after: n.id });
    expect(states).toEqual(['connecting', 'connected', 'connecting:pong_timeout']);
    client.close();
  });

  it('reports a 1009 close and reconnects', async () => {
    const { socket, events } = await openFake();
    socket.serverOpens();
    socket.serverCloses(CloseCode.MessageTooBig, 'Message too big');
    expect(events.errors.map(([code]) => code)).toEqual([ErrorCode.PayloadTooLarge]);
    expect(events.closes).toEqual([expect.objectContaining({ code: 1009, reconnect: true })]);
  });

  it('does not call onClose after the app closed the connection', async () => {
    const { connection, socket, events } = await openFake();
    socket.serverOpens();
    connection.close();
    socket.serverCloses(1000);
    expect(events.closes).toEqual([]);
  });
});

describe('apigwTransport with the ws package (Node has no global WebSocket)', () => {
  it('can be closed while the handshake is still pending, without an uncaught error', async () => {
    // Accepts TCP and never answers the upgrade: the socket stays CONNECTING.
    const accepted: Socket[] = [];
    // Count a socket once its upgrade request has arrived: the client is then surely CONNECTING.
    const server = createTcpServer((socket) => socket.once('data', () => accepted.push(socket)));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const { handlers, events } = recordingHandlers();
    const connection = apigwTransport().open(
      { url: `ws://127.0.0.1:${port}`, token: 't', connectTimeoutMs: 10_000 },
      handlers,
    );
    await vi.waitFor(() => expect(accepted).toHaveLength(1));
    connection.close();
    await once(accepted[0] as Socket, 'close');
    expect(events.closes).toEqual([]);
    server.close();
  });

  it('reports a refused upgrade (HTTP 403) as invalid_token without retry', async () => {
    const server = createHttpServer((_request, response) => response.writeHead(403).end());
    server.on('upgrade', (_request, socket) =>
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n'),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const { handlers, events } = recordingHandlers();
    apigwTransport().open(
      { url: `ws://127.0.0.1:${port}`, token: 'a.b.c', connectTimeoutMs: 10_000 },
      handlers,
    );
    await vi.waitFor(() => expect(events.closes).toHaveLength(1));
    expect(events.closes[0]).toMatchObject({ code: ErrorCode.InvalidToken, reconnect: false });
    server.close();
  });
});
