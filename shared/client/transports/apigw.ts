import { readServerFrame } from '@syncbell/contract/checks';
import { CloseCode, ErrorCode } from '@syncbell/contract/codes';
import { errorFromServer, SyncbellError } from '@syncbell/contract/errors';
import { SERVER_FRAME_TYPES } from '@syncbell/contract/wire';
import type {
  DisconnectReason,
  ReplayAnswer,
  Transport,
  TransportConnection,
  TransportHandlers,
  TransportOpenOptions,
} from '../transport.js';
import { unverifiedClaims } from '../token-claims.js';
import { checkTiming, defaultPongTimeoutMs, PONG_TIMEOUT_CODE } from './keep-alive.js';

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
   * Reconnect on purpose before API Gateway's 2-hour hard cap; resume makes it lossless.
   * @default 7080000 (1 h 58 min)
   */
  maxConnectionAgeMs?: number;
  /** How long to wait for the replay answer to a resume. @default 10000 */
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
interface Timing {
  keepAliveIntervalMs: number;
  pongTimeoutMs: number;
  maxConnectionAgeMs: number;
  resumeTimeoutMs: number;
}

/** The timing options with their defaults, refused with a `ConfigError` naming each bad one. */
function resolveTiming(options: ApigwTransportOptions): Timing {
  const keepAliveIntervalMs = options.keepAliveIntervalMs ?? 300_000;
  const timing: Timing = {
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

/** The browser's own signals by default; Node has neither, so nothing is listened to there. */
function defaultLivenessSignals(): LivenessSignals {
  const document = (globalThis as { document?: unknown }).document;
  return {
    ...(hasListeners(globalThis) ? { network: globalThis } : {}),
    ...(hasListeners(document) ? { visibility: document } : {}),
  };
}

const OPEN = 1;
const ROTATION_CODE = 'planned_rotation';

async function resolveWebSocket(
  injected: WebSocketConstructorLike | undefined,
): Promise<WebSocketConstructorLike> {
  if (injected) return injected;
  const global = (globalThis as { WebSocket?: WebSocketConstructorLike }).WebSocket;
  // Node 22's global WebSocket (undici) hides a refused upgrade's HTTP status and, on 22.23.5,
  // fires no close after it: a bad token would hang in "connecting". In Node, `ws` comes first.
  // The specifier is a variable so browser bundlers do not pull `ws` (Node-only) into the bundle.
  const node = typeof process !== 'undefined' && process.versions?.node !== undefined;
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

/** Reads `exp` from a JWT without verifying it (the client's own token; only used to explain a refusal). */
function tokenExpired(token: string, nowMs: number): boolean {
  const exp = unverifiedClaims(token)?.exp;
  return typeof exp === 'number' && exp * 1000 <= nowMs;
}

/** The HTTP status of a refused upgrade, where the platform exposes it (`ws` does, browsers do not). */
function refusedStatus(errorEvent: unknown): number | undefined {
  const message = (errorEvent as { message?: unknown } | undefined)?.message;
  const match = typeof message === 'string' ? message.match(/Unexpected server response: (\d{3})/) : null;
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

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

interface PendingResume {
  requestId: string;
  notifications: unknown[];
  truncated: boolean;
  cursor: string | undefined;
  resolve(answer: ReplayAnswer): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The API Gateway transport: JSON frames with an `action` route key (see docs/APIGW.md),
 * the token in the query string (browsers cannot set WebSocket headers), a keep-alive below
 * the 10-minute idle timeout and a planned reconnect before the 2-hour cap.
 */
export function apigwTransport(options: ApigwTransportOptions = {}): Transport {
  const { keepAliveIntervalMs, pongTimeoutMs, maxConnectionAgeMs, resumeTimeoutMs } = resolveTiming(options);
  const signals = options.livenessSignals ?? defaultLivenessSignals();
  let requestCounter = 0;

  return {
    name: 'apigw',
    open(open: TransportOpenOptions, handlers: TransportHandlers): TransportConnection {
      let socket: WebSocketLike | undefined;
      let opened = false;
      let finished = false;
      let closedByClient = false;
      let lastRefusedStatus: number | undefined;
      let pending: PendingResume | undefined;
      const timers: ReturnType<typeof setTimeout>[] = [];
      let keepAlive: ReturnType<typeof setInterval> | undefined;
      /** Armed by each ping, cleared by the next frame that arrives: no frame in time, the peer is gone. */
      let pongDeadline: ReturnType<typeof setTimeout> | undefined;
      const stopListening: (() => void)[] = [];

      const stopTimers = () => {
        for (const timer of timers.splice(0)) clearTimeout(timer);
        clearInterval(keepAlive);
        clearTimeout(pongDeadline);
        if (pending) clearTimeout(pending.timer);
        for (const stop of stopListening.splice(0)) stop();
      };
      const finish = (reason: DisconnectReason) => {
        if (finished) return;
        finished = true;
        stopTimers();
        pending?.reject(new SyncbellError(ErrorCode.Internal, `connection closed: ${reason.reason}`));
        pending = undefined;
        if (socket) {
          socket.onopen = socket.onmessage = socket.onclose = null;
          // Not null: `ws` emits 'error' when closed while still connecting, and an EventEmitter
          // with no 'error' listener throws it at the process.
          socket.onerror = () => {};
          if (socket.readyState <= OPEN) socket.close(1000);
        }
        if (!closedByClient) handlers.onClose(reason);
      };
      const sendFrame = (frame: Record<string, unknown>) => {
        if (socket?.readyState === OPEN) socket.send(JSON.stringify(frame));
      };
      /** Pings and waits for an answer; a ping already waiting keeps its (earlier) deadline. */
      const probe = () => {
        if (finished || !opened || pongDeadline !== undefined) return;
        sendFrame({ action: 'ping' });
        pongDeadline = setTimeout(() => {
          // A dead peer never answers the close handshake; `ws` would hold the socket for its
          // 30 s close timeout, so drop it at once where the platform can (browsers cannot).
          (socket as { terminate?: () => void } | undefined)?.terminate?.();
          finish({
            code: PONG_TIMEOUT_CODE,
            reason: `no answer to a ping within ${pongTimeoutMs} ms: connection presumed dead`,
            reconnect: true,
          });
        }, pongTimeoutMs);
      };
      /** Any frame proves the connection carries bytes (engine.io-client counts every packet as a heartbeat too). */
      const heardFromServer = () => {
        clearTimeout(pongDeadline);
        pongDeadline = undefined;
      };
      const listen = (target: EventTargetLike | undefined, type: string, listener: () => void) => {
        if (!target) return;
        target.addEventListener(type, listener);
        stopListening.push(() => target.removeEventListener(type, listener));
      };

      const onMessage = (data: unknown) => {
        let json: unknown;
        try {
          json = JSON.parse(typeof data === 'string' ? data : String(data));
        } catch {
          handlers.onServerError(ErrorCode.BadRequest, 'server sent a frame that is not JSON');
          return;
        }
        // Tolerant reader ("Evolving the contract"): extra fields pass, entries are validated by
        // the client one by one, and a frame type from a newer server is ignored.
        const frame = readServerFrame(json);
        const type = (json as { type?: unknown } | null)?.type;
        if (!frame && typeof type === 'string' && !(SERVER_FRAME_TYPES as readonly string[]).includes(type))
          return;
        if (!frame) {
          handlers.onServerError(
            ErrorCode.BadRequest,
            'server sent a frame that does not match the contract',
          );
          return;
        }
        switch (frame.type) {
          case 'notification':
            handlers.onNotification(frame.notification);
            return;
          case 'replay': {
            if (!pending || frame.requestId !== pending.requestId) return;
            pending.notifications.push(...frame.notifications);
            pending.truncated ||= frame.truncated;
            pending.cursor = frame.cursor ?? pending.cursor;
            if (frame.more) return;
            const done = pending;
            pending = undefined;
            clearTimeout(done.timer);
            done.resolve({
              notifications: done.notifications,
              truncated: done.truncated,
              ...(done.cursor === undefined ? {} : { cursor: done.cursor }),
            });
            return;
          }
          case 'pong':
            // The user's log position (position.ts): a failed live post is caught up here.
            handlers.onPosition(frame.latest);
            return;
          case 'error':
            if (pending && frame.requestId === pending.requestId) {
              const failed = pending;
              pending = undefined;
              clearTimeout(failed.timer);
              failed.reject(errorFromServer(frame.code, frame.message));
              return;
            }
            handlers.onServerError(frame.code, frame.message);
            return;
        }
      };

      void (async () => {
        let Ctor: WebSocketConstructorLike;
        try {
          Ctor = await resolveWebSocket(options.WebSocket);
        } catch (error) {
          finish({
            code: 'no_websocket',
            reason: `no WebSocket implementation: ${String(error)}`,
            reconnect: false,
          });
          return;
        }
        if (finished || closedByClient) return;
        const separator = open.url.includes('?') ? '&' : '?';
        socket = new Ctor(`${open.url}${separator}token=${encodeURIComponent(open.token)}`);
        timers.push(
          setTimeout(() => {
            if (!opened) finish({ code: 'connect_timeout', reason: 'connect timed out', reconnect: true });
          }, open.connectTimeoutMs),
        );
        socket.onopen = () => {
          opened = true;
          keepAlive = setInterval(probe, keepAliveIntervalMs);
          // The network came back or went away, or the tab is seen again after a sleep: the
          // connection may have died silently meanwhile, so ask now instead of at the next ping.
          listen(signals.network, 'online', probe);
          listen(signals.network, 'offline', probe);
          listen(signals.visibility, 'visibilitychange', () => {
            if (signals.visibility?.visibilityState === 'visible') probe();
          });
          timers.push(
            setTimeout(
              () =>
                finish({
                  code: ROTATION_CODE,
                  reason: 'planned reconnect before the 2-hour connection cap',
                  reconnect: true,
                  immediate: true,
                }),
              maxConnectionAgeMs,
            ),
          );
          handlers.onOpen();
        };
        socket.onmessage = (event) => {
          heardFromServer();
          onMessage(event.data);
        };
        socket.onerror = (event) => {
          lastRefusedStatus ??= refusedStatus(event);
        };
        socket.onclose = (event) => {
          if (event.code === CloseCode.MessageTooBig) {
            handlers.onServerError(
              ErrorCode.PayloadTooLarge,
              'API Gateway closed the connection: message too big (1009)',
            );
          }
          finish(
            apigwCloseReason(event.code, event.reason, {
              opened,
              refusedStatus: lastRefusedStatus,
              tokenExpired: !opened && tokenExpired(open.token, Date.now()),
            }),
          );
        };
      })();

      return {
        resume(after: string | undefined): Promise<ReplayAnswer> {
          return new Promise<ReplayAnswer>((resolve, reject) => {
            if (finished || socket?.readyState !== OPEN) {
              reject(new SyncbellError(ErrorCode.Internal, 'not connected'));
              return;
            }
            pending?.reject(new SyncbellError(ErrorCode.Internal, 'superseded by a newer resume'));
            const requestId = `r${++requestCounter}`;
            const timer = setTimeout(() => {
              if (pending?.requestId !== requestId) return;
              pending = undefined;
              reject(new SyncbellError(ErrorCode.Internal, `no replay answer within ${resumeTimeoutMs} ms`));
            }, resumeTimeoutMs);
            pending = {
              requestId,
              notifications: [],
              truncated: false,
              cursor: undefined,
              resolve,
              reject,
              timer,
            };
            sendFrame({ action: 'resume', requestId, ...(after === undefined ? {} : { after }) });
          });
        },
        close(): void {
          closedByClient = true;
          finish({ code: CloseCode.Normal, reason: 'closed by the client', reconnect: false });
        },
      };
    },
  };
}
