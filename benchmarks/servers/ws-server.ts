import type { Server } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';
import { ErrorCode } from '../../shared/contract/index.js';
import type { Bus } from './bus.js';
import { authenticate, authFailure, type PushServerConfig, resumeCursor } from './common.js';

/** Frames use the API Gateway variant's JSON shapes (`{type:'notification', notification}`). */
const notificationFrame = (raw: string) => `{"type":"notification","notification":${raw}}`;

/**
 * Raw `ws` contender: token checked before the upgrade completes, one per-user channel
 * subscription per user, replay of `?after=` on connect, server pings with a dead-peer timeout.
 */
export function attachWsServer(
  http: Server,
  bus: Bus,
  config: PushServerConfig,
): { connections(): number; closedTotal(): number } {
  let closedTotal = 0;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024, perMessageDeflate: false });
  const lastPongAtMs = new WeakMap<WebSocket, number>();

  http.on('upgrade', (req, socket, head) => {
    const cursor = resumeCursor(req);
    authenticate(req, config.jwtKey).then(
      (userId) => {
        if (!cursor.ok) {
          socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
          return;
        }
        wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, userId, cursor.after));
      },
      (error: unknown) => {
        const body = JSON.stringify(authFailure(error));
        socket.end(
          `HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      },
    );
  });

  function onConnection(ws: WebSocket, userId: string, after: string | undefined): void {
    lastPongAtMs.set(ws, Date.now());
    ws.on('pong', () => lastPongAtMs.set(ws, Date.now()));
    // Subscribe before reading the log (the resume protocol): a notification published in between
    // arrives live and may also be replayed; the client dedupes by id.
    let held: string[] | undefined = after === undefined ? undefined : [];
    const stop = bus.listen(userId, (raw) => {
      if (held) held.push(raw);
      else ws.send(notificationFrame(raw));
    });
    ws.on('close', () => {
      closedTotal++;
      stop();
    });
    ws.on('error', () => ws.terminate());
    // Clients send nothing but keep-alives; anything else is answered with an error frame.
    ws.on('message', (data) => {
      const text = data.toString();
      if (text === '{"action":"ping"}') ws.send(`{"type":"pong","serverTimeMs":${Date.now()}}`);
      else
        ws.send(
          JSON.stringify({
            type: 'error',
            code: ErrorCode.UnknownAction,
            message: 'this server only pushes',
          }),
        );
    });
    if (after !== undefined) {
      bus.replay(userId, after).then(
        (result) => {
          if (ws.readyState !== ws.OPEN) return;
          ws.send(
            JSON.stringify({
              type: 'replay',
              notifications: result.notifications,
              truncated: result.truncated,
            }),
          );
          for (const raw of held ?? []) ws.send(notificationFrame(raw));
          held = undefined;
        },
        () => ws.close(1011, 'replay failed'),
      );
    }
  }

  // The `ws` docs' dead-peer pattern, timed like socket.io (ping every interval, give up when no
  // pong came for interval + timeout), so detection times compare with socket.io's. The check runs
  // more often than the ping so detection does not wait for the next ping tick.
  const pinger = setInterval(() => {
    for (const ws of wss.clients) ws.ping();
  }, config.heartbeatIntervalMs);
  const checker = setInterval(
    () => {
      const deadBeforeMs = Date.now() - config.heartbeatIntervalMs - config.heartbeatTimeoutMs;
      for (const ws of wss.clients) if ((lastPongAtMs.get(ws) ?? 0) < deadBeforeMs) ws.terminate();
    },
    Math.max(100, Math.min(1000, config.heartbeatTimeoutMs / 10)),
  );
  pinger.unref();
  checker.unref();
  http.on('close', () => {
    clearInterval(pinger);
    clearInterval(checker);
  });
  return { connections: () => wss.clients.size, closedTotal: () => closedTotal };
}
