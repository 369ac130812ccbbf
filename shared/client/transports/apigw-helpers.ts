/**
 * The API Gateway transport's pure parts, each tested on its own: timing, liveness defaults,
 * WebSocket resolution, what a refused upgrade or a close means, and reading a server frame.
 * The connection itself (sockets, timers) is in apigw.ts.
 */
import { readServerFrame } from '@syncbell/contract/checks';
import { CloseCode, ErrorCode } from '@syncbell/contract/codes';
import type { ReceivedServerFrame } from '@syncbell/contract/protocol';
import { SERVER_FRAME_TYPES } from '@syncbell/contract/wire';
import { unverifiedClaims } from '../token-claims.js';
import type { DisconnectReason } from '../transport.js';
import { checkTiming, defaultPongTimeoutMs } from './keep-alive.js';

/** The part of the WHATWG WebSocket the transport uses; browsers' and `ws`'s both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}
export type WebSocketConstructorLike = new (url: string) => WebSocketLike;

/** The part of the DOM `EventTarget` the liveness probe listens on (`window`, `document`). */
export interface EventTargetLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

/** Where the transport hears that the network or the page changed. */
export interface LivenessSignals {
  /** Fires `online` and `offline` (a browser's `window`). */
  network?: EventTargetLike;
  /** Fires `visibilitychange`; `visibilityState` tells whether the page is visible now (`document`). */
  visibility?: EventTargetLike & { readonly visibilityState?: string };
}

export interface ApigwTransportOptions {
  /** @default globalThis.WebSocket, else (Node without one) the `ws` package, loaded lazily */
  WebSocket?: WebSocketConstructorLike;
  /**
   * How often to send `{ action: 'ping' }`. API Gateway sends no pings and closes a connection
   * idle for 10 minutes, so the client must talk; the answer also proves the connection is alive.
   * Each ping and each pong is a billed message (the cost model's `keepaliveSeconds` is this
   * knob): a silent drop is noticed at worst `keepAliveIntervalMs + pongTimeoutMs` after it.
   * Must be below 600000 (the idle timeout).
   * @default 300000 (5 minutes, the cost model's default)
   */
  keepAliveIntervalMs?: number;
  /**
   * How long a ping may go unanswered before the connection is taken as dead (a silent drop: no
   * FIN, a closed laptop lid, a dead Wi-Fi) and closed with `pong_timeout`; the client then
   * reconnects and resumes. The pong, or any other frame arriving after the ping, is the answer.
   * Generous on purpose: detection time is dominated by the interval, while a false alarm costs a
   * reconnect (authorizer, `$connect`, resume) and the pong comes back through a Lambda (`$default`)
   * that may be cold. Must be below `keepAliveIntervalMs`.
   * @default 10000, or half of `keepAliveIntervalMs` when that is shorter
   */
  pongTimeoutMs?: number;
  /**
   * Move to a new connection on purpose before API Gateway's 2-hour hard cap (make before break:
   * the new one resumes while this one still delivers); this one is closed `ROTATION_GRACE_MS`
   * later if it is still open. @default 7080000 (1 h 58 min)
   */
  maxConnectionAgeMs?: number;
  /**
   * How long to wait for the replay answer to a resume; doubled per consecutive failed attempt,
   * up to 4x (`resumeDeadlineMs`). @default 10000
   */
  resumeTimeoutMs?: number;
  /**
   * A cheaper liveness probe than waiting for the next keep-alive: on `online`, `offline` and the
   * page becoming visible again, ping at once with the same pong deadline (centrifuge-js listens
   * to `online` / `offline` the same way). Pass `{}` to turn it off.
   * @default `globalThis` and `globalThis.document` where they have `addEventListener` (browsers); none in Node
   */
  livenessSignals?: LivenessSignals;
}

/** API Gateway's idle timeout (hard, not adjustable): a keep-alive must be more frequent. */
export const APIGW_IDLE_TIMEOUT_MS = 600_000;

/** The transport's durations, defaults applied. */
export interface ApigwTiming {
  keepAliveIntervalMs: number;
  pongTimeoutMs: number;
  maxConnectionAgeMs: number;
  resumeTimeoutMs: number;
}

/**
 * How long a connection past `maxConnectionAgeMs` stays open for its successor to resume: with the
 * default age, 1 of the 2 minutes left before API Gateway's cap.
 */
export const ROTATION_GRACE_MS = 60_000;

/** The timing options with their defaults, refused with a `ConfigError` naming each bad one. */
export function resolveApigwTiming(options: ApigwTransportOptions): ApigwTiming {
  const keepAliveIntervalMs = options.keepAliveIntervalMs ?? 300_000;
  const timing: ApigwTiming = {
    keepAliveIntervalMs,
    pongTimeoutMs: options.pongTimeoutMs ?? defaultPongTimeoutMs(keepAliveIntervalMs),
    maxConnectionAgeMs: options.maxConnectionAgeMs ?? 7_080_000,
    resumeTimeoutMs: options.resumeTimeoutMs ?? 10_000,
  };
  checkTiming('apigwTransport', { ...timing }, () =>
    keepAliveIntervalMs >= APIGW_IDLE_TIMEOUT_MS
      ? [
          "keepAliveIntervalMs must be below API Gateway's 10-minute idle timeout (600000 ms), or idle connections are closed first",
        ]
      : [],
  );
  return timing;
}

function hasListeners(target: unknown): target is EventTargetLike {
  return typeof (target as { addEventListener?: unknown } | undefined)?.addEventListener === 'function';
}

/** The browser's own signals by default (`scope` is `globalThis`); Node has neither, so nothing is listened to there. */
export function defaultLivenessSignals(scope: object = globalThis): LivenessSignals {
  const document = (scope as { document?: unknown }).document;
  return {
    ...(hasListeners(scope) ? { network: scope } : {}),
    ...(hasListeners(document) ? { visibility: document } : {}),
  };
}

/** Where `resolveWebSocket` looks: `globalThis` (a test passes its own). */
export interface WebSocketScope {
  WebSocket?: WebSocketConstructorLike;
  process?: { versions?: { node?: string } };
}

/**
 * The WebSocket constructor to use: the injected one, else the browser's, else (Node) `ws`,
 * loaded lazily, else Node's global one.
 */
export async function resolveWebSocket(
  injected: WebSocketConstructorLike | undefined,
  scope: WebSocketScope = globalThis as WebSocketScope,
): Promise<WebSocketConstructorLike> {
  if (injected) return injected;
  const global = scope.WebSocket;
  // Node 22's global WebSocket (undici) hides a refused upgrade's HTTP status and, on 22.23.5,
  // fires no close after it: a bad token would hang in "connecting". In Node, `ws` comes first.
  // The specifier is a variable so browser bundlers do not pull `ws` (Node-only) into the bundle.
  const node = scope.process?.versions?.node !== undefined;
  if (global && !node) return global;
  try {
    const specifier = 'ws';
    const module = (await import(/* @vite-ignore */ specifier)) as { WebSocket: WebSocketConstructorLike };
    return module.WebSocket;
  } catch (error) {
    if (global) return global;
    throw error;
  }
}

/** The connect URL: the token goes in the query string (browsers cannot set WebSocket headers). */
export function urlWithToken(url: string, token: string): string {
  const separator = url.includes('?') ? '&' : '?';
  return `${url}${separator}token=${encodeURIComponent(token)}`;
}

/** Reads `exp` from a JWT without verifying it (the client's own token; only used to explain a refusal). */
export function tokenExpired(token: string, nowMs: number): boolean {
  const exp = unverifiedClaims(token)?.exp;
  return typeof exp === 'number' && exp * 1000 <= nowMs;
}

/** The HTTP status of a refused upgrade, where the platform exposes it (`ws` does, browsers do not). */
export function refusedStatus(errorEvent: unknown): number | undefined {
  const message = (errorEvent as { message?: unknown } | undefined)?.message;
  const match = typeof message === 'string' ? message.match(/Unexpected server response: (\d{3})/) : null;
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/**
 * How long a client waits, at least, after API Gateway refused its upgrade with 429 (the account's
 * new-connection quota or request throttle). AWS sends no `Retry-After` with it, so this is the
 * SDK's own floor, the "back off at least 1 s" of Pusher's 4100-4199 close codes; the backoff's
 * own (growing) delay wins when longer. Browsers cannot see the 429 (only 1006) and use the backoff.
 */
export const THROTTLED_UPGRADE_RETRY_MS = 1000;

/** Maps a close to what the client should do. The client state machine owns the retries. */
export function apigwCloseReason(
  code: number,
  reason: string,
  context: { opened: boolean; refusedStatus: number | undefined; tokenExpired: boolean },
): DisconnectReason {
  if (
    !context.opened &&
    (context.refusedStatus === 401 || context.refusedStatus === 403 || context.tokenExpired)
  ) {
    // API Gateway refuses a bad token at the upgrade (authorizer Deny: 403). A browser only
    // sees 1006 then, so an expired token is recognised from its own `exp`.
    return context.tokenExpired
      ? { code: ErrorCode.TokenExpired, reason: 'token has expired', reconnect: true }
      : {
          code: ErrorCode.InvalidToken,
          reason: `connection refused (HTTP ${context.refusedStatus})`,
          reconnect: false,
        };
  }
  if (!context.opened && context.refusedStatus === 429)
    return {
      code: ErrorCode.RateLimited,
      reason: 'connection refused (HTTP 429: API Gateway throttled the connect)',
      reconnect: true,
      retryAfterMs: THROTTLED_UPGRADE_RETRY_MS,
    };
  switch (code) {
    case CloseCode.GoingAway:
      // The 2-hour cap, the idle timeout or a deploy: reconnect now, resume loses nothing.
      return { code, reason: reason || 'going away', reconnect: true, immediate: true };
    case CloseCode.MessageTooBig:
      return { code, reason: reason || 'message too big', reconnect: true };
    case CloseCode.Unauthorized:
      return { code: ErrorCode.InvalidToken, reason: reason || 'unauthorized', reconnect: false };
    case CloseCode.TokenExpired:
      return { code: ErrorCode.TokenExpired, reason: reason || 'token expired', reconnect: true };
    default:
      // 1006 (no close frame: network drop) and anything else: reconnect with backoff.
      return {
        code,
        reason: reason || (context.opened ? 'connection lost' : 'could not connect'),
        reconnect: true,
      };
  }
}

/**
 * What one incoming WebSocket message is: a frame of the contract, one to ignore, API Gateway's own
 * error frame, or a complaint to report.
 */
export type IncomingFrame =
  | { kind: 'frame'; frame: ReceivedServerFrame }
  | { kind: 'ignored' }
  | { kind: 'gateway'; message: string }
  | { kind: 'bad'; message: string };

/**
 * Reads one message as the tolerant reader ("Evolving the contract") does: extra fields pass,
 * entries are validated by the client one by one, and a frame type from a newer server is ignored.
 */
export function readIncomingFrame(data: unknown): IncomingFrame {
  let json: unknown;
  try {
    json = JSON.parse(typeof data === 'string' ? data : String(data));
  } catch {
    return { kind: 'bad', message: 'server sent a frame that is not JSON' };
  }
  const frame = readServerFrame(json);
  if (frame) return { kind: 'frame', frame };
  const { type, message, connectionId } = (json ?? {}) as Record<string, unknown>;
  // API Gateway answers a route whose integration failed (the Lambda threw, timed out or was
  // throttled) with its own frame, `{"message": "Internal server error", "connectionId": ...,
  // "requestId": ...}` ("Forbidden" for a route it cannot match); its requestId is API Gateway's,
  // not the client's, so the request it answers is unknown. serverless-offline sends the same.
  if (type === undefined && typeof message === 'string' && typeof connectionId === 'string')
    return { kind: 'gateway', message };
  if (typeof type === 'string' && !(SERVER_FRAME_TYPES as readonly string[]).includes(type))
    return { kind: 'ignored' };
  return { kind: 'bad', message: 'server sent a frame that does not match the contract' };
}
