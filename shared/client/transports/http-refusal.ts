import { ErrorCode } from '@syncbell/contract/codes';
import type { DisconnectReason } from '../transport.js';

/**
 * What socket.io-client hands `connect_error` when the handshake's HTTP answer was not a success
 * (engine.io-client's `TransportError`): `description` is the status over long polling (and the
 * XMLHttpRequest in `context`, whose headers can be read), an error event whose message names the
 * status with Node's `ws` ("Unexpected server response: 503"), and nothing useful from a
 * browser's WebSocket, which never exposes the status of a refused upgrade.
 */
interface TransportErrorLike {
  message?: unknown;
  description?: unknown;
  context?: unknown;
}

const statusOf = (description: unknown): number | undefined => {
  if (typeof description === 'number') return description;
  const message = (description as { message?: unknown } | undefined)?.message;
  const match = typeof message === 'string' ? /Unexpected server response: (\d{3})/.exec(message) : null;
  return match ? Number(match[1]) : undefined;
};

/**
 * A `Retry-After` value in milliseconds: delay-seconds or an HTTP-date (RFC 9110 §10.2.3, IMF-fixdate);
 * anything else is no hint.
 */
export function retryAfterMsFrom(value: unknown, nowMs: number = Date.now()): number | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // IMF-fixdate, the form RFC 9110 §5.6.7 has senders use ("Sun, 06 Nov 1994 08:49:37 GMT").
  if (!/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) return undefined;
  const dateMs = Date.parse(text);
  return Number.isNaN(dateMs) ? undefined : Math.max(0, dateMs - nowMs);
}

const retryAfterHeader = (context: unknown): unknown => {
  const read = (context as { getResponseHeader?: unknown } | undefined)?.getResponseHeader;
  if (typeof read !== 'function') return undefined;
  try {
    return read.call(context, 'Retry-After');
  } catch {
    // A browser refuses to read a header the CORS answer did not expose.
    return undefined;
  }
};

/**
 * A handshake the server refused with HTTP 503 + `Retry-After` (syncbell's hard ceiling,
 * `maxConnectsPerSecond`) or 429: `rate_limited`, the `Retry-After` as the hint. Readable over long
 * polling (cross-origin only if the server's CORS answer exposes the header); where it is not (a
 * WebSocket, a 503 without the header) this is undefined and the client falls back to its own
 * backoff, which after a failed attempt waits at least its floor.
 */
export function httpRefusal(error: TransportErrorLike): DisconnectReason | undefined {
  const status = statusOf(error.description);
  if (status !== 503 && status !== 429) return undefined;
  const retryAfterMs = retryAfterMsFrom(retryAfterHeader(error.context));
  // A 503 without Retry-After is any unavailability (an ALB with no healthy target): a failed connect.
  if (status === 503 && retryAfterMs === undefined) return undefined;
  return {
    code: ErrorCode.RateLimited,
    reason: `the server refused the handshake with HTTP ${status}${retryAfterMs === undefined ? '' : `, Retry-After ${retryAfterMs} ms`}`,
    reconnect: true,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}
