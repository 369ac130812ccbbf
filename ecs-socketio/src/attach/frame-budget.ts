import { ErrorCode, type ErrorFrameBody } from '@syncbell/contract';

/**
 * A fixed one-second window of `limit` events: enough to stop a flood cheaply (two numbers per
 * socket, no timer). `take` answers how many the window holds after this one; over `limit` means refuse.
 */
export interface FrameBudget {
  /** Counts one event at `nowMs`; returns the count in the current window, this one included. */
  take(nowMs?: number): number;
}

export const FRAME_WINDOW_MS = 1000;

export function createFrameBudget(): FrameBudget {
  let windowStartMs = Number.NEGATIVE_INFINITY;
  let inWindow = 0;
  return {
    take(nowMs = Date.now()) {
      if (nowMs - windowStartMs >= FRAME_WINDOW_MS) {
        windowStartMs = nowMs;
        inWindow = 0;
      }
      return ++inWindow;
    },
  };
}

type Ack = (body: unknown) => void;
type SocketMiddleware = (packet: unknown[], next: (error?: Error) => void) => void;

export interface InboundGateOptions {
  maxFramesPerSecond: number;
  /** Whether something handles `event` on this socket (syncbell's `resume`, or the app's own handlers). */
  isHandled(event: string): boolean;
  /** Told of every frame refused, with the code it was answered (counted in `syncbell_client_errors_total`). */
  onRefused(code: ErrorCode): void;
  /** Sends an error frame to the socket (`syncbell:error`). */
  sendError(body: ErrorFrameBody): void;
}

/**
 * The socket middleware every inbound frame goes through: the frame budget first, then an event
 * nobody handles is answered (on its ack, else with an error frame) instead of dropped silently.
 * An event the app handles itself on the same socket passes: syncbell can share a namespace.
 */
export function inboundGate({
  maxFramesPerSecond,
  isHandled,
  onRefused,
  sendError,
}: InboundGateOptions): SocketMiddleware {
  const budget = createFrameBudget();
  return ([event, ...args], next) => {
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as Ack) : undefined;
    const inWindow = budget.take();
    if (inWindow > maxFramesPerSecond) {
      const body = {
        code: ErrorCode.RateLimited,
        message: `more than ${maxFramesPerSecond} frames per second`,
      };
      onRefused(body.code);
      // One error frame per window, not one per refused frame: a flood is not answered with a flood.
      if (ack) ack(body);
      else if (inWindow === maxFramesPerSecond + 1) sendError(body);
      return;
    }
    const name = String(event);
    if (isHandled(name)) return next();
    const isRoomAttempt = /join|leave|room|subscribe/i.test(name);
    const body: ErrorFrameBody = isRoomAttempt
      ? {
          code: ErrorCode.Forbidden,
          message: 'rooms are assigned by the server from your token; clients cannot join or leave them',
        }
      : { code: ErrorCode.UnknownAction, message: `unknown event "${name.slice(0, 64)}"` };
    onRefused(body.code);
    if (ack) ack(body);
    else sendError(body);
  };
}
