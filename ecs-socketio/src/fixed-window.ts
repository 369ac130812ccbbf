/**
 * A fixed one-second window counter: enough to stop a flood cheaply, and the one rate limiter of
 * the socket.io variant. The socket frame budget (`inboundGate`, one window per socket), the
 * connect pacer and `POST /v1/publish`'s per-container limit all count with it. Hand-written: a
 * counter and a timestamp, where a rate-limiter library would bring timers or a store.
 */

export const WINDOW_MS = 1000;

/** A fixed window's count: two numbers, no timer, no closure (one per socket). */
export interface FixedWindow {
  startMs: number;
  count: number;
}

/** Counts one event at `nowMs` in `window`; returns the count in the current window, this one included. */
export function countInWindow(window: FixedWindow, nowMs: number): number {
  if (nowMs - window.startMs >= WINDOW_MS) {
    window.startMs = nowMs;
    window.count = 0;
  }
  return ++window.count;
}

/** A window of its own: `take` answers how many the window holds after this one; over the limit means refuse. */
export interface WindowCounter {
  take(nowMs?: number): number;
}

export function createWindowCounter(): WindowCounter {
  const window: FixedWindow = { startMs: Number.NEGATIVE_INFINITY, count: 0 };
  return { take: (nowMs = Date.now()) => countInWindow(window, nowMs) };
}
