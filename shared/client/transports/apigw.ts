import { CloseCode, ErrorCode } from '@syncbell/contract/codes';
import { errorFromServer, SyncbellError } from '@syncbell/contract/errors';
import { resumeDeadlineMs } from '@syncbell/contract/backoff';
import type {
  DisconnectReason,
  ReplayAnswer,
  Transport,
  TransportConnection,
  TransportHandlers,
  TransportOpenOptions,
} from '../transport.js';
import {
  type ApigwTiming,
  type ApigwTransportOptions,
  apigwCloseReason,
  defaultLivenessSignals,
  type EventTargetLike,
  type LivenessSignals,
  readIncomingFrame,
  refusedStatus,
  resolveApigwTiming,
  ROTATION_GRACE_MS,
  resolveWebSocket,
  tokenExpired,
  urlWithToken,
  type WebSocketConstructorLike,
  type WebSocketLike,
} from './apigw-helpers.js';
import { DisconnectCode } from '../disconnect-codes.js';
import { ResumeTimeoutError } from '../errors.js';

export {
  APIGW_IDLE_TIMEOUT_MS,
  type ApigwTransportOptions,
  apigwCloseReason,
  ROTATION_GRACE_MS,
  type EventTargetLike,
  type LivenessSignals,
  type WebSocketConstructorLike,
  type WebSocketLike,
} from './apigw-helpers.js';

const OPEN = 1;

/** What every connection of one transport shares. */
interface ConnectionSettings {
  timing: ApigwTiming;
  signals: LivenessSignals;
  WebSocket: WebSocketConstructorLike | undefined;
  /** A request id unique across the transport's connections. */
  nextRequestId(): string;
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

/** One connection: its socket, its timers, its pending resume; `onClose` is called at most once. */
class ApigwConnection implements TransportConnection {
  readonly #settings: ConnectionSettings;
  readonly #open: TransportOpenOptions;
  readonly #handlers: TransportHandlers;
  #socket: WebSocketLike | undefined;
  #opened = false;
  #finished = false;
  #closedByClient = false;
  #refusedStatus: number | undefined;
  #pending: PendingResume | undefined;
  readonly #timers: ReturnType<typeof setTimeout>[] = [];
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  /** Armed by each ping, cleared by the next frame that arrives: no frame in time, the peer is gone. */
  #pongDeadline: ReturnType<typeof setTimeout> | undefined;
  readonly #stopListening: (() => void)[] = [];

  constructor(settings: ConnectionSettings, open: TransportOpenOptions, handlers: TransportHandlers) {
    this.#settings = settings;
    this.#open = open;
    this.#handlers = handlers;
    void this.#connect();
  }

  async #connect(): Promise<void> {
    let Ctor: WebSocketConstructorLike;
    try {
      Ctor = await resolveWebSocket(this.#settings.WebSocket);
    } catch (error) {
      this.#finish({
        code: DisconnectCode.NoWebSocket,
        reason: `no WebSocket implementation: ${String(error)}`,
        reconnect: false,
      });
      return;
    }
    if (this.#finished || this.#closedByClient) return;
    const socket = new Ctor(urlWithToken(this.#open.url, this.#open.token));
    this.#socket = socket;
    this.#timers.push(
      setTimeout(() => {
        if (!this.#opened)
          this.#finish({ code: DisconnectCode.ConnectTimeout, reason: 'connect timed out', reconnect: true });
      }, this.#open.connectTimeoutMs),
    );
    socket.onopen = () => this.#onOpen();
    socket.onmessage = (event) => {
      // Any frame proves the connection carries bytes (engine.io-client counts every packet as a heartbeat too).
      clearTimeout(this.#pongDeadline);
      this.#pongDeadline = undefined;
      this.#onMessage(event.data);
    };
    socket.onerror = (event) => {
      this.#refusedStatus ??= refusedStatus(event);
    };
    socket.onclose = (event) => {
      if (event.code === CloseCode.MessageTooBig) {
        this.#handlers.onServerError(
          ErrorCode.PayloadTooLarge,
          'API Gateway closed the connection: message too big (1009)',
        );
      }
      this.#finish(
        apigwCloseReason(event.code, event.reason, {
          opened: this.#opened,
          refusedStatus: this.#refusedStatus,
          tokenExpired: !this.#opened && tokenExpired(this.#open.token, Date.now()),
        }),
      );
    };
  }

  #onOpen(): void {
    const { timing, signals } = this.#settings;
    this.#opened = true;
    this.#keepAlive = setInterval(() => this.#probe(), timing.keepAliveIntervalMs);
    // The network came back or went away, or the tab is seen again after a sleep: the
    // connection may have died silently meanwhile, so ask now instead of at the next ping.
    this.#listen(signals.network, 'online', () => this.#probe());
    this.#listen(signals.network, 'offline', () => this.#probe());
    this.#listen(signals.visibility, 'visibilitychange', () => {
      if (signals.visibility?.visibilityState === 'visible') this.#probe();
    });
    // Before API Gateway's 2-hour cap: the client moves make-before-break (a new connection resumes
    // while this one still delivers); should this one still be open a grace later, it is closed and
    // the client reconnects at once.
    this.#timers.push(
      setTimeout(() => this.#handlers.onMoveRequested?.(), timing.maxConnectionAgeMs),
      setTimeout(
        () =>
          this.#finish({
            code: DisconnectCode.PlannedRotation,
            reason: 'planned reconnect before the 2-hour connection cap',
            reconnect: true,
            immediate: true,
          }),
        timing.maxConnectionAgeMs + ROTATION_GRACE_MS,
      ),
    );
    this.#handlers.onOpen();
  }

  #onMessage(data: unknown): void {
    const incoming = readIncomingFrame(data);
    if (incoming.kind === 'ignored') return;
    if (incoming.kind === 'bad') {
      this.#handlers.onServerError(ErrorCode.BadRequest, incoming.message);
      return;
    }
    if (incoming.kind === 'gateway') {
      // One of this connection's requests failed in its Lambda; which one is unknown (docs/APIGW.md,
      // "A resume whose Lambda failed"). A resume still waiting keeps its deadline: sending it again
      // at once was tried and, where many fail together (a storm), added load where it was short.
      this.#handlers.onServerError(ErrorCode.Internal, `API Gateway: ${incoming.message}`);
      return;
    }
    const { frame } = incoming;
    const pending = this.#pending;
    switch (frame.type) {
      case 'notification':
        this.#handlers.onNotification(frame.notification);
        return;
      case 'replay': {
        if (!pending || frame.requestId !== pending.requestId) return;
        pending.notifications.push(...frame.notifications);
        pending.truncated ||= frame.truncated;
        pending.cursor = frame.cursor ?? pending.cursor;
        if (frame.more) return;
        this.#pending = undefined;
        clearTimeout(pending.timer);
        pending.resolve({
          notifications: pending.notifications,
          truncated: pending.truncated,
          ...(pending.cursor === undefined ? {} : { cursor: pending.cursor }),
        });
        return;
      }
      case 'pong':
        // The user's log position (position.ts): a failed live post is caught up here.
        this.#handlers.onPosition(frame);
        return;
      case 'error':
        if (pending && frame.requestId === pending.requestId) {
          this.#pending = undefined;
          clearTimeout(pending.timer);
          pending.reject(errorFromServer(frame.code, frame.message));
          return;
        }
        this.#handlers.onServerError(frame.code, frame.message);
        return;
    }
  }

  #send(frame: Record<string, unknown>): void {
    if (this.#socket?.readyState === OPEN) this.#socket.send(JSON.stringify(frame));
  }

  /** Pings and waits for an answer; a ping already waiting keeps its (earlier) deadline. */
  #probe(): void {
    if (this.#finished || !this.#opened || this.#pongDeadline !== undefined) return;
    const { pongTimeoutMs } = this.#settings.timing;
    this.#send({ action: 'ping' });
    this.#pongDeadline = setTimeout(() => {
      // A dead peer never answers the close handshake; `ws` would hold the socket for its
      // 30 s close timeout, so drop it at once where the platform can (browsers cannot).
      (this.#socket as { terminate?: () => void } | undefined)?.terminate?.();
      this.#finish({
        code: DisconnectCode.PongTimeout,
        reason: `no answer to a ping within ${pongTimeoutMs} ms: connection presumed dead`,
        reconnect: true,
      });
    }, pongTimeoutMs);
  }

  #listen(target: EventTargetLike | undefined, type: string, listener: () => void): void {
    if (!target) return;
    target.addEventListener(type, listener);
    this.#stopListening.push(() => target.removeEventListener(type, listener));
  }

  #finish(reason: DisconnectReason): void {
    if (this.#finished) return;
    this.#finished = true;
    for (const timer of this.#timers.splice(0)) clearTimeout(timer);
    clearInterval(this.#keepAlive);
    clearTimeout(this.#pongDeadline);
    if (this.#pending) clearTimeout(this.#pending.timer);
    for (const stop of this.#stopListening.splice(0)) stop();
    this.#pending?.reject(new SyncbellError(ErrorCode.Internal, `connection closed: ${reason.reason}`));
    this.#pending = undefined;
    const socket = this.#socket;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = null;
      // Not null: `ws` emits 'error' when closed while still connecting, and an EventEmitter
      // with no 'error' listener throws it at the process.
      socket.onerror = () => {};
      if (socket.readyState <= OPEN) socket.close(1000);
    }
    if (!this.#closedByClient) this.#handlers.onClose(reason);
  }

  resume(after: string | undefined, failures = 0): Promise<ReplayAnswer> {
    return new Promise<ReplayAnswer>((resolve, reject) => {
      if (this.#finished || this.#socket?.readyState !== OPEN) {
        reject(new SyncbellError(ErrorCode.Internal, 'not connected'));
        return;
      }
      this.#pending?.reject(new SyncbellError(ErrorCode.Internal, 'superseded by a newer resume'));
      const requestId = this.#settings.nextRequestId();
      const resumeTimeoutMs = resumeDeadlineMs(this.#settings.timing.resumeTimeoutMs, failures);
      const timer = setTimeout(() => {
        if (this.#pending?.requestId !== requestId) return;
        this.#pending = undefined;
        reject(new ResumeTimeoutError(resumeTimeoutMs));
      }, resumeTimeoutMs);
      this.#pending = {
        requestId,
        notifications: [],
        truncated: false,
        cursor: undefined,
        resolve,
        reject,
        timer,
      };
      this.#send({ action: 'resume', requestId, ...(after === undefined ? {} : { after }) });
    });
  }

  close(): void {
    this.#closedByClient = true;
    this.#finish({ code: CloseCode.Normal, reason: 'closed by the client', reconnect: false });
  }
}

/**
 * The API Gateway transport: JSON frames with an `action` route key (see docs/APIGW.md),
 * the token in the query string (browsers cannot set WebSocket headers), a keep-alive below
 * the 10-minute idle timeout and a planned reconnect before the 2-hour cap.
 */
export function apigwTransport(options: ApigwTransportOptions = {}): Transport {
  let requestCounter = 0;
  const settings: ConnectionSettings = {
    timing: resolveApigwTiming(options),
    signals: options.livenessSignals ?? defaultLivenessSignals(),
    WebSocket: options.WebSocket,
    nextRequestId: () => `r${++requestCounter}`,
  };
  return {
    name: 'apigw',
    open: (open, handlers) => new ApigwConnection(settings, open, handlers),
  };
}
