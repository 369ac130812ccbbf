import { ErrorCode, type ErrorFrameBody, SocketEvent } from '@syncbell/contract';
import { countInWindow, type FixedWindow } from '../fixed-window.js';

type Ack = (body: unknown) => void;
type SocketMiddleware = (packet: unknown[], next: (error?: Error) => void) => void;

/** What the gate needs of a socket (socket.io's `Socket` fits). */
export interface GatedSocket {
  listenerCount(event: string): number;
  emit(event: string, body: ErrorFrameBody): unknown;
}

export interface InboundGateOptions {
  maxFramesPerSecond: number;
  /** Told of every frame refused, with the code it was answered (counted in `syncbell_client_errors_total`). */
  onRefused(code: ErrorCode): void;
}

// Events socket.io uses itself: a client frame naming one is never an app event.
const RESERVED_EVENTS = new Set([
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'error',
  'newListener',
  'removeListener',
]);

/**
 * The socket middleware every inbound frame goes through, made once per socket (one closure and
 * its window: the options are shared): the frame budget first, then an event nobody listens to on
 * the socket is answered (on its ack, else with an error frame) instead of dropped silently. An
 * event the app handles itself on the same socket passes: syncbell can share a namespace.
 */
export function inboundGate({
  maxFramesPerSecond,
  onRefused,
}: InboundGateOptions): (socket: GatedSocket) => SocketMiddleware {
  return (socket) => {
    const window: FixedWindow = { startMs: Number.NEGATIVE_INFINITY, count: 0 };
    return ([event, ...args], next) => {
      const last = args[args.length - 1];
      const ack = typeof last === 'function' ? (last as Ack) : undefined;
      const inWindow = countInWindow(window, Date.now());
      if (inWindow > maxFramesPerSecond) {
        const body = {
          code: ErrorCode.RateLimited,
          message: `more than ${maxFramesPerSecond} frames per second`,
        };
        onRefused(body.code);
        // One error frame per window, not one per refused frame: a flood is not answered with a flood.
        if (ack) ack(body);
        else if (inWindow === maxFramesPerSecond + 1) socket.emit(SocketEvent.Error, body);
        return;
      }
      const name = String(event);
      if (!RESERVED_EVENTS.has(name) && socket.listenerCount(name) > 0) return next();
      const isRoomAttempt = /join|leave|room|subscribe/i.test(name);
      const body: ErrorFrameBody = isRoomAttempt
        ? {
            code: ErrorCode.Forbidden,
            message: 'rooms are assigned by the server from your token; clients cannot join or leave them',
          }
        : { code: ErrorCode.UnknownAction, message: `unknown event "${name.slice(0, 64)}"` };
      onRefused(body.code);
      if (ack) ack(body);
      else socket.emit(SocketEvent.Error, body);
    };
  };
}
