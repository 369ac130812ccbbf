import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { readErrorFrameBody, readReplayResult } from '@syncbell/contract/checks';
import { ErrorCode, TERMINAL_ERROR_CODES } from '@syncbell/contract/codes';
import { errorFromServer, SyncbellError } from '@syncbell/contract/errors';
import { SocketEvent } from '@syncbell/contract/wire';
import type {
  ReplayAnswer,
  Transport,
  TransportConnection,
  TransportHandlers,
  TransportOpenOptions,
} from '../transport.js';
import { DisconnectCode } from '../disconnect-codes.js';
import { ResumeTimeoutError } from '../errors.js';
import { checkTiming, defaultPongTimeoutMs } from './keep-alive.js';
import { httpRefusal } from './http-refusal.js';
import { resumeDeadlineMs } from '@syncbell/contract/backoff';

export interface SocketIoTransportOptions {
  /**
   * Engine.IO transports. WebSocket only by default: several containers with long polling
   * need sticky sessions at the load balancer (else HTTP 400 "Session ID unknown").
   * @default ['websocket']
   */
  transports?: ('websocket' | 'polling')[];
  /** Socket.io server path. @default '/socket.io' */
  path?: string;
  /**
   * How long to wait for the resume answer; doubled per consecutive failed attempt, up to 4x
   * (`resumeDeadlineMs`). @default 10000
   */
  resumeTimeoutMs?: number;
  /**
   * How often to ask the server for the user's log position (`SocketEvent.KeepAlive`; the
   * answer's `latest`, see the contract's position.ts). A live emit lost between the Redis
   * adapter and this socket is in the log, and the SDK resumes for it, so every logged
   * notification reaches this client within `keepAliveIntervalMs + pongTimeoutMs` whatever
   * happened to the emit. Engine.IO's own heartbeat (25 s by default) keeps the connection alive;
   * this one costs one small frame each way and one `XREVRANGE ... COUNT 4` on Redis per interval:
   * at the default 30 s, 10,000 connected clients add about 333 O(1) Redis reads per second, a
   * small share of what one Redis node serves, for a worst case of 40 s on a lost emit (the
   * API Gateway variant's default is 5 minutes because each ping there is a billed message and a
   * Lambda invocation).
   * @default 30000
   */
  keepAliveIntervalMs?: number;
  /**
   * How long a keep-alive may go unanswered before the connection is taken as dead and closed with
   * `pong_timeout` (the client reconnects and resumes). Must be below `keepAliveIntervalMs`.
   * @default 10000, or half of `keepAliveIntervalMs` when that is shorter
   */
  pongTimeoutMs?: number;
  /** Extra query parameters on the connection URL (never the token: it goes in the auth payload). @default {} */
  query?: Record<string, string>;
  /**
   * More socket.io-client options, for what a browser does not need: in Node, `localAddress`
   * (source address), `agent`, `extraHeaders`. The transport's own settings (reconnection off,
   * auth, timeout, transports, path) always win: the SDK owns retries and auth.
   * @default {}
   */
  ioOptions?: Partial<ManagerOptions & SocketOptions> & { localAddress?: string };
}

/**
 * The ECS variant's transport. socket.io-client's own reconnection is off: the SDK's state
 * machine owns retries, backoff and resume, the same way for every transport.
 */
export function socketIoTransport(options: SocketIoTransportOptions = {}): Transport {
  const transports = options.transports ?? ['websocket'];
  const resumeTimeoutMs = options.resumeTimeoutMs ?? 10_000;
  const keepAliveIntervalMs = options.keepAliveIntervalMs ?? 30_000;
  const pongTimeoutMs = options.pongTimeoutMs ?? defaultPongTimeoutMs(keepAliveIntervalMs);
  checkTiming('socketIoTransport', { keepAliveIntervalMs, pongTimeoutMs, resumeTimeoutMs });
  return {
    name: 'socketio',
    open(open: TransportOpenOptions, handlers: TransportHandlers): TransportConnection {
      const socket: Socket = io(open.url, {
        ...options.ioOptions,
        transports,
        path: options.path ?? '/socket.io',
        reconnection: false,
        forceNew: true,
        timeout: open.connectTimeoutMs,
        auth: { token: open.token },
        ...(options.query ? { query: options.query } : {}),
      });
      let closedByClient = false;
      let closed = false;
      let draining = false;
      let keepAlive: ReturnType<typeof setInterval> | undefined;
      let awaitingAnswer = false;
      const finish = (reason: Parameters<TransportHandlers['onClose']>[0]) => {
        if (closed || closedByClient) return;
        closed = true;
        clearInterval(keepAlive);
        socket.removeAllListeners();
        socket.disconnect();
        handlers.onClose(reason);
      };

      /** Asks for the user's log position; no answer within the deadline, the connection is presumed dead. */
      const askPosition = () => {
        if (awaitingAnswer || closed || closedByClient) return;
        awaitingAnswer = true;
        socket
          .timeout(pongTimeoutMs)
          .emit(SocketEvent.KeepAlive, {}, (error: Error | null, answer: unknown) => {
            awaitingAnswer = false;
            if (closed || closedByClient) return;
            if (error) {
              finish({
                code: DisconnectCode.PongTimeout,
                reason: `no answer to a keep-alive within ${pongTimeoutMs} ms: connection presumed dead`,
                reconnect: true,
              });
              return;
            }
            // An error body (rate_limited, or unknown_action from a server older than the
            // keep-alive) still proves the connection is alive; it just carries no position.
            if (readErrorFrameBody(answer)) return;
            handlers.onPosition(answer);
          });
      };

      socket.on('connect', () => {
        clearInterval(keepAlive);
        keepAlive = setInterval(askPosition, keepAliveIntervalMs);
        handlers.onOpen();
      });
      socket.on('connect_error', (error: Error & { data?: unknown }) => {
        const body = readErrorFrameBody(error.data);
        if (body) {
          // A code from a newer server is read as errorFromServer reads it (`internal_error`).
          const { code, message } = errorFromServer(body.code, body.message);
          finish({
            code,
            reason: message,
            reconnect: !TERMINAL_ERROR_CODES.has(body.code),
            ...(body.retryAfterMs === undefined ? {} : { retryAfterMs: body.retryAfterMs }),
          });
        } else {
          finish(
            httpRefusal(error) ?? {
              code: DisconnectCode.ConnectError,
              reason: error.message,
              reconnect: true,
            },
          );
        }
      });
      // Validated by the client, entry by entry (see "Evolving the contract").
      socket.on(SocketEvent.Notification, (payload: unknown) => handlers.onNotification(payload));
      socket.on(SocketEvent.Error, (payload: unknown) => {
        const body = readErrorFrameBody(payload);
        if (body) handlers.onServerError(body.code, body.message);
      });
      socket.on(SocketEvent.Resync, () => handlers.onResync());
      socket.on(SocketEvent.Draining, () => {
        // Make before break: the client opens its successor; should the server close this one
        // first (its grace over, or a server that closes at once), the reconnect skips the backoff.
        draining = true;
        handlers.onMoveRequested?.();
      });
      socket.on('disconnect', (reason) => {
        if (draining) {
          finish({
            code: ErrorCode.ServerShuttingDown,
            reason: 'server is draining',
            reconnect: true,
            immediate: true,
          });
        } else {
          finish({ code: reason, reason: `socket.io: ${reason}`, reconnect: true });
        }
      });

      return {
        async resume(after: string | undefined, failures = 0): Promise<ReplayAnswer> {
          const deadlineMs = resumeDeadlineMs(resumeTimeoutMs, failures);
          let answer: unknown;
          try {
            answer = await socket
              .timeout(deadlineMs)
              .emitWithAck(SocketEvent.Resume, after === undefined ? {} : { after });
          } catch (error) {
            // socket.io-client's only rejections here: its timeout, or a disconnect (then the
            // client has already moved on). Either way, no answer came in time.
            throw new ResumeTimeoutError(deadlineMs, { cause: error });
          }
          const error = readErrorFrameBody(answer);
          if (error) throw errorFromServer(error.code, error.message);
          const result = readReplayResult(answer);
          if (!result)
            throw new SyncbellError(ErrorCode.BadRequest, 'resume answer does not match the contract');
          return result;
        },
        close(): void {
          closedByClient = true;
          clearInterval(keepAlive);
          socket.removeAllListeners();
          socket.disconnect();
        },
      };
    },
  };
}
