import { createWindowCounter, WINDOW_MS } from '../fixed-window.js';

export interface ConnectPacer {
  /**
   * Counts one connect attempt. Undefined: accept it. A number: refuse it, and tell the client to
   * come back after that many milliseconds.
   */
  refuse(nowMs?: number): number | undefined;
}

/**
 * Server-paced reconnects: at most `maxPerSecond` connects are let through a one-second window
 * (the fixed window the frame budget counts with, fixed-window.ts). The ones over it are told to
 * come back in a later window: the n-th extra one after about n / maxPerSecond seconds, plus up to a window of jitter
 * so a refused herd does not return as one wave. Pusher asks for the same with its 4100-4199
 * close codes ("back off at least 1 s"), without the spreading.
 */
export function createConnectPacer(maxPerSecond: number, random: () => number = Math.random): ConnectPacer {
  const budget = createWindowCounter();
  let windowStartMs = Number.NEGATIVE_INFINITY;
  return {
    refuse(nowMs = Date.now()) {
      const count = budget.take(nowMs);
      if (count === 1) windowStartMs = nowMs;
      if (count <= maxPerSecond) return undefined;
      const untilNextWindowMs = Math.max(0, windowStartMs + WINDOW_MS - nowMs);
      const windowsAhead = Math.floor((count - maxPerSecond - 1) / maxPerSecond);
      return Math.round(untilNextWindowMs + windowsAhead * WINDOW_MS + random() * WINDOW_MS);
    },
  };
}
