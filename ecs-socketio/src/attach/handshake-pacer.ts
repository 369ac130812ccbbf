import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * Paces new connects by what saturates a container in a reconnect storm: its handshakes in flight
 * (accepted, token check and first resume not finished yet) and its event-loop lag. A fixed
 * connects-per-second ceiling is the wrong signal: the storm measured with 5,000 SDK clients
 * (docs/RELIABILITY-STORMS.md) never reached 1,000 connects/s, yet the JWT checks and replay reads
 * kept the container behind for seconds. Hand-written: rate-limiter libraries count requests per
 * key and time, not work in progress against a measured drain rate.
 */
export interface HandshakePacer {
  /**
   * One connect asks to start its handshake. Undefined: admitted and counted in flight until
   * `finish(key)`. A number: refused, come back after that many milliseconds.
   */
  admit(key: object): number | undefined;
  /** The handshake of `key` is over (answered, refused or gone); a key not in flight is ignored. */
  finish(key: object): void;
  /** Handshakes in flight now (after dropping the stale ones). */
  inFlight(): number;
  /** Stops the event-loop monitor. */
  close(): void;
}

export interface HandshakePacerOptions {
  /** Handshakes in flight above which new connects are refused. `undefined`: not bounded. */
  maxInFlight: number | undefined;
  /** Event-loop lag (ms, p99 over the last sample) above which new connects are refused. `undefined`: not watched. */
  maxEventLoopLagMs: number | undefined;
  /**
   * A handshake still unfinished after this long stops counting (a client that connected and never
   * asked to resume must not hold a slot for good). The SDK's default resume deadline.
   */
  staleAfterMs?: number;
  random?: () => number;
  now?: () => number;
}

/** The SDK's resume deadline (socketIoTransport's `resumeTimeoutMs` default). */
const STALE_AFTER_MS = 10_000;
/** The event-loop histogram's resolution, and how often (at most) the lag is read from it. */
const LAG_RESOLUTION_MS = 10;
const LAG_SAMPLE_MS = 250;
/** A handshake's duration before any has been measured: a JWT check and one Redis read, unloaded. */
const INITIAL_HANDSHAKE_MS = 50;
/** Weight of the newest handshake in the running mean of durations. */
const EWMA_WEIGHT = 0.1;
/** The window completions are counted over for the measured drain rate. */
const RATE_WINDOW_MS = 250;
/** The longest hint (as the SDK's own cap, `MAX_RETRY_AFTER_MS` of the contract). */
const MAX_HINT_MS = 30_000;

export function createHandshakePacer({
  maxInFlight,
  maxEventLoopLagMs,
  staleAfterMs = STALE_AFTER_MS,
  random = Math.random,
  now = Date.now,
}: HandshakePacerOptions): HandshakePacer {
  // Insertion order is start order: the stale ones are always at the head (no timer per socket).
  const started = new Map<object, number>();
  let meanHandshakeMs = INITIAL_HANDSHAKE_MS;
  // The slot handed to the last refused connect: each next one is sent one drain interval later,
  // so a refused herd comes back at the rate the container drains, not in one wave.
  let lastSlotMs = Number.NEGATIVE_INFINITY;
  const histogram =
    maxEventLoopLagMs === undefined ? undefined : monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  histogram?.enable();
  let lagMs = 0;
  let lagReadAtMs = now();
  // Completions per ms in the last full window (the measured drain rate) and the current window's count.
  let drainedPerMs = 0;
  let windowStartMs = now();
  let windowCount = 0;
  const rollWindow = (at: number) => {
    if (at - windowStartMs < RATE_WINDOW_MS) return;
    // A window with no completion after a longer gap says the rate is about nothing, not stale.
    drainedPerMs = at - windowStartMs < 2 * RATE_WINDOW_MS ? windowCount / (at - windowStartMs) : 0;
    windowStartMs = at;
    windowCount = 0;
  };

  const dropStale = (at: number) => {
    for (const [key, startMs] of started) {
      if (at - startMs < staleAfterMs) break;
      started.delete(key);
    }
  };
  const currentLagMs = (at: number): number => {
    if (!histogram || at - lagReadAtMs < LAG_SAMPLE_MS) return lagMs;
    // Each sample is the resolution plus how late the timer ran: the lag is what is above it.
    lagMs = histogram.count === 0 ? 0 : Math.max(0, histogram.percentile(99) / 1e6 - LAG_RESOLUTION_MS);
    histogram.reset();
    lagReadAtMs = at;
    return lagMs;
  };
  const saturated = (at: number): boolean =>
    (maxInFlight !== undefined && started.size >= maxInFlight) ||
    (maxEventLoopLagMs !== undefined && currentLagMs(at) > maxEventLoopLagMs);

  return {
    admit(key) {
      const at = now();
      dropStale(at);
      if (!saturated(at)) {
        started.set(key, at);
        return undefined;
      }
      // The drain rate: the completions measured in the last window, or, when more, what Little's
      // law gives for the handshakes in flight (inFlight / mean duration): the first refusals of a
      // storm come before a window has measured anything.
      rollWindow(at);
      const ratePerMs = Math.max(drainedPerMs, Math.max(1, started.size) / meanHandshakeMs);
      const intervalMs = 1 / ratePerMs;
      lastSlotMs = Math.max(at, lastSlotMs) + intervalMs;
      const untilSlotMs = lastSlotMs - at;
      // Jitter up to half the wait (and at least a handshake's length), so equal slots spread.
      const jitterMs = random() * Math.max(meanHandshakeMs, untilSlotMs / 2);
      return Math.min(MAX_HINT_MS, Math.max(1, Math.round(untilSlotMs + jitterMs)));
    },
    finish(key) {
      const startMs = started.get(key);
      if (startMs === undefined) return;
      started.delete(key);
      const at = now();
      rollWindow(at);
      windowCount++;
      meanHandshakeMs += EWMA_WEIGHT * (Math.max(1, at - startMs) - meanHandshakeMs);
    },
    inFlight() {
      dropStale(now());
      return started.size;
    },
    close() {
      histogram?.disable();
    },
  };
}
