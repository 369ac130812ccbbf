import { type IncomingMessage, ServerResponse } from 'node:http';
import type { Socket as NetSocket } from 'node:net';
import type { ConnectPacer } from './connect-pacer.js';

/** The engine.io middleware signature (`io.engine.use`): Connect-style, on requests and upgrades alike. */
export type EngineMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: Error) => void,
) => void;

/** What engine.io hands a middleware on an upgrade instead of a `ServerResponse` (engine.io 6's `WebSocketResponse`). */
interface UpgradeResponse {
  socket?: NetSocket;
}

/** RFC 9110 §10.2.3: `Retry-After` as delay-seconds, a non-negative integer; rounded up so no client comes back early. */
export function retryAfterSeconds(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}

/**
 * The hard ceiling on new connections per second, answered before engine.io does any work: a
 * handshake over it gets HTTP 503 with `Retry-After` (RFC 9110 §15.6.4 and §10.2.3), no
 * session, no token check. It runs as an engine.io middleware (`io.engine.use`, engine.io 6.4+),
 * which engine.io applies to plain requests (polling) and to WebSocket upgrades before its own
 * checks (`handleRequest` / `handleUpgrade` call `_applyMiddlewares` before `verify`). Only
 * handshakes count: a request carrying a `sid` belongs to a session already open (polling, or
 * its upgrade to WebSocket) and always passes.
 *
 * engine.io's upgrade response object only destroys the socket on `end()` ("the WebSocket
 * client will emit an error event anyway"), so on an upgrade the 503 is written on the raw
 * socket, as engine.io's own `abortUpgrade` writes its 400.
 */
export function upgradeCeiling(pacer: ConnectPacer, onRefused: () => void): EngineMiddleware {
  return (req, res, next) => {
    const query = (req as IncomingMessage & { _query?: Record<string, string> })._query;
    if (query?.sid !== undefined) return next();
    const retryAfterMs = pacer.refuse();
    if (retryAfterMs === undefined) return next();
    onRefused();
    const seconds = String(retryAfterSeconds(retryAfterMs));
    const body = 'too many new connections here; retry after the Retry-After delay';
    if (res instanceof ServerResponse) {
      res.writeHead(503, {
        'Retry-After': seconds,
        'Content-Type': 'text/plain',
        'Content-Length': Buffer.byteLength(body),
      });
      res.end(body);
      return;
    }
    const socket = (res as unknown as UpgradeResponse).socket;
    if (!socket) return next();
    socket.on('error', () => undefined);
    if (socket.writable)
      socket.write(
        'HTTP/1.1 503 Service Unavailable\r\n' +
          `Retry-After: ${seconds}\r\n` +
          'Connection: close\r\nContent-Type: text/plain\r\n' +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    socket.destroy();
  };
}
