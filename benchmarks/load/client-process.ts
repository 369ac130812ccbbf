/**
 * A load-generator process: opens connections of one kind, records every receipt, answers the
 * harness over IPC. Runs apart from the servers so the client's CPU does not colour the server's
 * figures, and several of them spread the 20,000-file limit.
 */
import { Agent, get, type ClientRequest, type IncomingMessage, request } from 'node:http';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { resolveJwtSecret, signToken } from '../../shared/server/auth/index.js';
import { backoff } from '../../shared/contract/backoff.js';
import { apigwTransport, type WebSocketConstructorLike } from '../../shared/client/apigw.js';
import { createClient, DisconnectCode, type SyncbellClient } from '../../shared/client/index.js';
import { socketIoTransport } from '../../shared/client/socketio.js';
import { createLatencyHistogram, encodeHistogram, recordMs } from '../histogram.js';
import { discardReported, reportEvents } from './report-events.js';
import {
  type ChildMessage,
  nowUs,
  type OpenSpec,
  parentMessageSchema,
  type Receipt,
  SDK_CLIENT_KINDS,
} from './protocol.js';

interface Connection {
  /** The `open` session it belongs to: callbacks of an earlier session's stragglers are ignored. */
  session: number;
  index: number;
  userId: string;
  /** Its name in the parent's reports (`OpenSpec.labels`). */
  label: string | undefined;
  url: string;
  localAddress: string;
  lastSeenId: string | undefined;
  open: boolean;
  closedByUs: boolean;
  lastActivityMs: number;
  attempt: number;
  /**
   * Bumped by every open and every close: a transport instance reports up, down and notifications
   * only while it is the current one. Without it, a closed SSE request fired both `error` and
   * `close`, each scheduling a reconnect: two live streams per client after a drop (duplicates).
   */
  generation: number;
  /** Driven by the SDK (`OpenSpec.sdk`): it owns reconnects, and no watchdog second-guesses it. */
  sdk: boolean;
  close?: () => void;
}

const send = (message: ChildMessage) => process.send?.(message);
let spec: OpenSpec | undefined;
let session = 0;
const stale = (connection: Connection) => connection.session !== session || connection.closedByUs;
const connections: Connection[] = [];
let histogram = createLatencyHistogram();
let receipts = new Map<string, Receipt>();
let received = 0;
let duplicates = 0;
let disconnectsAtMs: number[] = [];
let reconnectsAtMs: number[] = [];
let failures = 0;
let failureSamples: string[] = [];
let sessionsOpened = 0;
const seenPerConnection = new Map<number, Set<string>>();
let key = resolveJwtSecret().key;

function fail(reason: string): void {
  failures++;
  if (failureSamples.length < 5) failureSamples.push(reason);
}

/** Every notification, whatever the transport, ends here. */
function onNotification(connection: Connection, raw: unknown): void {
  const atUs = nowUs();
  if (connection.session !== session) return;
  const n = raw as { id?: string; createdAtMs?: number; data?: { sentAtUs?: number } };
  if (typeof n?.id !== 'string') return;
  connection.lastActivityMs = Date.now();
  let seen = seenPerConnection.get(connection.index);
  if (!seen) {
    seen = new Set();
    seenPerConnection.set(connection.index, seen);
  }
  if (seen.has(n.id)) {
    duplicates++;
    return;
  }
  seen.add(n.id);
  connection.lastSeenId = n.id;
  received++;
  const sentAtUs = n.data?.sentAtUs;
  if (typeof sentAtUs === 'number') recordMs(histogram, (atUs - sentAtUs) / 1000);
  // A deployed stack (--target) publishes its own envelopes: only the contract's integer ms stamp.
  else if (typeof n.createdAtMs === 'number') recordMs(histogram, atUs / 1000 - n.createdAtMs);
  const receipt = receipts.get(n.id);
  if (receipt) {
    receipt.count++;
    receipt.lastUs = atUs;
  } else receipts.set(n.id, { count: 1, firstUs: atUs, lastUs: atUs });
}

function onUp(connection: Connection, wasReconnect: boolean): void {
  if (stale(connection)) return;
  connection.open = true;
  connection.attempt = 0;
  connection.lastActivityMs = Date.now();
  sessionsOpened++;
  if (wasReconnect) reconnectsAtMs.push(Date.now());
}

/** The one disconnect path: record, then reconnect with full-jitter backoff if asked to. */
function onDown(connection: Connection, reason: string): void {
  if (stale(connection)) return;
  const wasOpen = connection.open;
  connection.open = false;
  connection.generation++;
  connection.close?.();
  connection.close = undefined;
  if (wasOpen) disconnectsAtMs.push(Date.now());
  else fail(reason);
  if (!spec?.reconnect) return;
  const delayMs = backoff(connection.attempt++, spec.reconnectMinMs, spec.reconnectMaxMs);
  setTimeout(
    () => {
      if (!stale(connection)) void openConnection(connection, true);
    },
    Math.max(spec.reconnectMinMs, delayMs),
  ).unref();
}

const withToken = (url: string, token: string, after: string | undefined, path: string, userId: string) => {
  const u = new URL(path, url);
  u.searchParams.set('token', token);
  // Read only by the baseline server, which has no auth; every real contender takes the token's subject.
  u.searchParams.set('user', userId);
  if (after) u.searchParams.set('after', after);
  return u.toString();
};

/**
 * The SDK users get, one client per connection: the load generator only watches its events. It
 * reconnects, resumes and dedupes by itself; `spec.reconnect: false` closes it at its first drop.
 */
function openSdkConnection(connection: Connection): void {
  const s = spec as OpenSpec;
  const { localAddress } = connection;
  // Node-only knobs a browser does not have: the source address (ephemeral ports are per address)
  // and no compression (as the raw clients, so wire figures compare).
  class BoundWebSocket extends WebSocket {
    constructor(url: string) {
      super(url, { localAddress, perMessageDeflate: false });
    }
  }
  const transport =
    s.kind === 'apigw'
      ? apigwTransport({
          WebSocket: BoundWebSocket as unknown as WebSocketConstructorLike,
          // No keep-alive asked for (the idle-timeout scenario): the longest API Gateway allows.
          keepAliveIntervalMs:
            s.sdkTransport?.keepAliveIntervalMs ??
            (s.keepAlive ? s.heartbeatIntervalMs : SDK_QUIET_KEEPALIVE_MS),
          // The SDK wants each pong before the next ping is due; the quick profile's timeout is
          // twice its interval, so it is capped there (detection stays within interval + timeout).
          // An interval of the caller's own goes with the transport's default pong timeout.
          ...(s.sdkTransport?.pongTimeoutMs !== undefined || s.sdkTransport?.keepAliveIntervalMs === undefined
            ? {
                pongTimeoutMs:
                  s.sdkTransport?.pongTimeoutMs ??
                  (s.keepAlive
                    ? Math.min(s.heartbeatTimeoutMs, s.heartbeatIntervalMs - 1)
                    : SDK_QUIET_KEEPALIVE_MS / 2),
              }
            : {}),
          ...(s.sdkTransport?.resumeTimeoutMs === undefined
            ? {}
            : { resumeTimeoutMs: s.sdkTransport.resumeTimeoutMs }),
        })
      : socketIoTransport({
          ioOptions: { localAddress },
          ...s.sdkTransport,
          ...(connection.label === undefined ? {} : { query: { chaos: connection.label } }),
        });
  let everConnected = false;
  let failureCounted = false;
  const client: SyncbellClient = createClient({
    transport,
    url: connection.url,
    token: () => tokenFor(connection.userId),
    minReconnectDelayMs: s.reconnectMinMs,
    maxReconnectDelayMs: s.reconnectMaxMs,
    connectTimeoutMs: s.connectTimeoutMs ?? 20_000,
    // The load generator counts duplicates itself; the SDK's dedupe is what it measures.
    dedupeCapacity: 10_000,
  });
  if (s.report && connection.label !== undefined) reportEvents(client, connection.label);
  connection.close = () => client.close();
  client.on('notification', ({ notification }) => onNotification(connection, notification));
  client.on('state', ({ oldState, newState, reason }) => {
    if (stale(connection)) return;
    if (newState === 'connected') {
      onUp(connection, everConnected);
      everConnected = true;
      return;
    }
    if (oldState === 'connected') {
      connection.open = false;
      disconnectsAtMs.push(Date.now());
      if (!s.reconnect) client.close();
      return;
    }
    if (!everConnected && !failureCounted && reason && reason.code !== DisconnectCode.ClientClose) {
      failureCounted = true;
      fail(`sdk: ${reason.reason}`);
    }
  });
}

/**
 * Each user's token, signed once and reused while it has more than half its hour to live, as an
 * app keeps the token its backend issued: signing one per connect cost a storm's client process
 * about 0.35 ms a connect (7 % of its CPU through a 10,000-client rolling deploy, profiled), work
 * that is the app's, not the transport's being measured.
 */
const TOKEN_LIFETIME_S = 3600;
const tokens = new Map<string, { token: Promise<string>; renewAtMs: number }>();
function tokenFor(userId: string): Promise<string> {
  const cached = tokens.get(userId);
  if (cached && Date.now() < cached.renewAtMs) return cached.token;
  const token = signToken({ userId, key, expiresInSeconds: TOKEN_LIFETIME_S });
  tokens.set(userId, { token, renewAtMs: Date.now() + (TOKEN_LIFETIME_S * 1000) / 2 });
  // A failed signing is not kept: the next connect signs again.
  token.catch(() => tokens.delete(userId));
  return token;
}

async function openConnection(connection: Connection, isReconnect: boolean): Promise<void> {
  const s = spec as OpenSpec;
  const token = await tokenFor(connection.userId);
  // Closed (or its session ended) while the token was being signed: do not open a straggler.
  if (stale(connection)) return;
  const after = s.resume ? connection.lastSeenId : undefined;
  const generation = ++connection.generation;
  const isCurrent = () => connection.generation === generation;
  const up = () => {
    if (isCurrent()) onUp(connection, isReconnect);
  };
  const down = (reason: string) => {
    if (isCurrent()) onDown(connection, reason);
  };
  const notify = (n: unknown) => {
    if (isCurrent()) onNotification(connection, n);
  };
  switch (s.kind) {
    case 'socketio':
    case 'socketio-polling': {
      const socket: Socket = io(connection.url, {
        transports: s.kind === 'socketio' ? ['websocket'] : ['polling'],
        reconnection: false,
        forceNew: true,
        auth: { token },
        localAddress: connection.localAddress,
        withCredentials: true,
        timeout: 20_000,
      } as Parameters<typeof io>[1]);
      connection.close = () => {
        socket.removeAllListeners();
        socket.disconnect();
      };
      socket.on('notification', (n: unknown) => notify(n));
      socket.on('connect', () => {
        socket
          .timeout(10_000)
          .emitWithAck('resume', after ? { after } : {})
          .then((answer: { notifications?: unknown[] }) => {
            for (const n of answer?.notifications ?? []) notify(n);
            up();
          })
          .catch(() => down('resume failed'));
      });
      // engine.io hides the transport's own error in `description` ("websocket error" alone does not
      // say whether the server refused, reset or timed out).
      socket.on('connect_error', (error: Error & { description?: unknown }) => {
        const cause = error.description as { message?: string; code?: string; error?: Error } | undefined;
        const detail = cause?.error?.message ?? cause?.message ?? cause?.code;
        down(`connect_error: ${error.message}${detail ? ` (${detail})` : ''}`);
      });
      socket.on('disconnect', (reason: string) => down(`disconnect: ${reason}`));
      return;
    }
    case 'ws':
    case 'apigw': {
      const url = withToken(
        connection.url.replace(/^http/, 'ws'),
        token,
        s.kind === 'ws' ? after : undefined,
        // '' keeps the URL's own path: a deployed API Gateway stage is wss://{host}/{stage}.
        s.kind === 'apigw' ? '' : '/',
        connection.userId,
      );
      const ws = new WebSocket(url, { localAddress: connection.localAddress, perMessageDeflate: false });
      let keepAlive: NodeJS.Timeout | undefined;
      connection.close = () => {
        clearInterval(keepAlive);
        ws.removeAllListeners();
        ws.on('error', () => {});
        ws.terminate();
      };
      ws.on('ping', () => {
        connection.lastActivityMs = Date.now();
      });
      ws.on('open', () => {
        if (s.kind === 'apigw') {
          // API Gateway sends no pings: the client keeps the connection alive and checks it.
          if (s.keepAlive) keepAlive = setInterval(() => ws.send('{"action":"ping"}'), s.heartbeatIntervalMs);
          ws.send(JSON.stringify(after ? { action: 'resume', after } : { action: 'resume' }));
        } else if (!after) up();
      });
      ws.on('message', (data) => {
        connection.lastActivityMs = Date.now();
        let frame: { type?: string; notification?: unknown; notifications?: unknown[]; more?: boolean };
        try {
          frame = JSON.parse(data.toString());
        } catch {
          return;
        }
        if (frame.type === 'notification') notify(frame.notification);
        else if (frame.type === 'replay') {
          for (const n of frame.notifications ?? []) notify(n);
          if (!frame.more && !connection.open) up();
        }
      });
      ws.on('unexpected-response', (_req: ClientRequest, res: IncomingMessage) =>
        down(`http ${res.statusCode}`),
      );
      ws.on('error', (error) => down(`ws error: ${error.message}`));
      ws.on('close', (code) => down(`ws close ${code}`));
      return;
    }
    case 'sse': {
      const req = get(
        withToken(connection.url, token, after, '/events', connection.userId),
        { localAddress: connection.localAddress, agent: false },
        (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            down(`http ${res.statusCode}`);
            return;
          }
          up();
          res.setEncoding('utf8');
          let buffer = '';
          res.on('data', (chunk: string) => {
            connection.lastActivityMs = Date.now();
            buffer += chunk;
            let end = buffer.indexOf('\n\n');
            while (end >= 0) {
              const event = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              const data = event.split('\n').find((line) => line.startsWith('data: '));
              if (data) notify(JSON.parse(data.slice(6)));
              end = buffer.indexOf('\n\n');
            }
          });
          res.on('close', () => down('sse stream ended'));
        },
      );
      req.on('error', (error) => down(`sse error: ${error.message}`));
      connection.close = () => req.destroy();
      return;
    }
    case 'long-polling': {
      // One kept-alive socket per client, bound to its source address, like a browser tab.
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      let stopped = false;
      let current: ClientRequest | undefined;
      connection.close = () => {
        stopped = true;
        current?.destroy();
        agent.destroy();
      };
      let cursor = after;
      let handshake = after === undefined;
      const poll = () => {
        if (stopped) return;
        const req = request(
          withToken(connection.url, token, cursor, '/poll', connection.userId),
          {
            agent,
            localAddress: connection.localAddress,
            timeout: s.heartbeatIntervalMs + s.heartbeatTimeoutMs,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              if (!isCurrent()) return;
              if (res.statusCode !== 200) return down(`http ${res.statusCode}`);
              const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
                notifications: unknown[];
                cursor: string | null;
              };
              connection.lastActivityMs = Date.now();
              for (const n of body.notifications) notify(n);
              cursor = body.cursor ?? cursor;
              if (s.resume) connection.lastSeenId = cursor;
              // Without a cursor the first poll is the handshake (answered at once): connected now.
              if (handshake) {
                handshake = false;
                up();
              }
              poll();
            });
          },
        );
        // No answer within hold + grace: the path is dead (the long-polling heartbeat).
        req.on('timeout', () => req.destroy(new Error('poll timed out')));
        req.on('error', (error) => down(`poll error: ${error.message}`));
        current = req;
        req.end();
      };
      poll();
      // With a cursor a poll answers only when there is news (or at the hold): the client is
      // "connected" once its first poll is in flight, as a browser tab would consider itself;
      // nothing can be missed, the cursor covers it.
      if (!handshake) up();
      return;
    }
  }
}

/** What the SDK's API Gateway keep-alive is set to when a scenario asks for none: just under the 10-minute idle timeout. */
const SDK_QUIET_KEEPALIVE_MS = 590_000;

/**
 * Client-side dead-peer detection for the raw clients of transports without a built-in one
 * (socket.io has its own; an SDK connection has the SDK's).
 */
const watchdog = setInterval(() => {
  if (!spec || spec.kind === 'socketio' || spec.kind === 'socketio-polling' || spec.kind === 'long-polling')
    return;
  const deadBeforeMs = Date.now() - spec.heartbeatIntervalMs - spec.heartbeatTimeoutMs;
  for (const connection of connections) {
    if (connection.open && !connection.sdk && connection.lastActivityMs < deadBeforeMs)
      onDown(connection, 'heartbeat missed');
  }
}, 100);
watchdog.unref();

async function openAll(s: OpenSpec): Promise<void> {
  spec = s;
  key = resolveJwtSecret(
    s.jwtSecret === undefined ? process.env : { ...process.env, JWT_SECRET: s.jwtSecret },
  ).key;
  // Another stack, another secret: the tokens signed with the last one are no good.
  tokens.clear();
  // Counters belong to this session only (the process is pooled across scenarios).
  failures = 0;
  failureSamples = [];
  sessionsOpened = 0;
  // A pooled process kept the last session's disconnects: the idle-timeout scenario (no reset)
  // read them as its own and reported negative detection times.
  disconnectsAtMs = [];
  reconnectsAtMs = [];
  const gapMs = 1000 / s.rampPerSecond;
  const startMs = Date.now();
  for (let i = 0; i < s.userIds.length; i++) {
    const connection: Connection = {
      session,
      index: connections.length,
      userId: s.userIds[i] as string,
      label: s.labels?.[i],
      url: s.urls[i % s.urls.length] as string,
      localAddress: s.localAddresses[i % s.localAddresses.length] as string,
      lastSeenId: undefined,
      open: false,
      closedByUs: false,
      lastActivityMs: Date.now(),
      attempt: 0,
      generation: 0,
      sdk: s.sdk === true && SDK_CLIENT_KINDS.has(s.kind),
    };
    connections.push(connection);
    if (connection.sdk) openSdkConnection(connection);
    else void openConnection(connection, false);
    // Ramp at the set rate: sleep until this connection's slot.
    const waitMs = startMs + (i + 1) * gapMs - Date.now();
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    if (i % 200 === 0) send({ type: 'progress', connected: connections.filter((c) => c.open).length });
  }
  // Wait until every connection is up or failed for good (bounded).
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && connections.filter((c) => c.open).length + failures < connections.length) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  send({
    type: 'opened',
    connected: connections.filter((c) => c.open).length,
    failed: failures,
    failureSamples,
  });
}

process.on('message', (raw: unknown) => {
  const message = parentMessageSchema.parse(raw);
  switch (message.type) {
    case 'open':
      // A spec the SDK refuses (a ConfigError from a transport) is answered, not left hanging.
      openAll(message.spec).catch((error: unknown) =>
        send({
          type: 'opened',
          connected: 0,
          failed: message.spec.userIds.length,
          failureSamples: [
            error instanceof Error
              ? `${(error as { code?: string }).code ?? error.name}: ${error.message}`
              : String(error),
          ],
        }),
      );
      return;
    case 'reset':
      histogram = createLatencyHistogram();
      receipts = new Map();
      received = 0;
      duplicates = 0;
      disconnectsAtMs = [];
      reconnectsAtMs = [];
      failures = 0;
      failureSamples = [];
      sessionsOpened = 0;
      seenPerConnection.clear();
      return;
    case 'collect':
      send({
        type: 'collected',
        histogram: encodeHistogram(histogram),
        received,
        duplicates,
        connected: connections.filter((c) => c.open).length,
        disconnectsAtMs,
        reconnectsAtMs,
        receipts: message.withReceipts ? Object.fromEntries(receipts) : {},
        failures,
        failureSamples,
        sessionsOpened,
      });
      return;
    case 'close-all':
      for (const connection of connections) {
        connection.closedByUs = true;
        connection.close?.();
      }
      // The process goes back to the harness's pool: the next `open` starts from nothing.
      connections.length = 0;
      seenPerConnection.clear();
      // What the closes just reported belongs to no one: the next session's parent must not see it.
      discardReported();
      spec = undefined;
      session++;
      send({ type: 'closed' });
      return;
    case 'exit':
      process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
