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
  /** Where the lag is read. @default `eventLoopLag()`, the perf_hooks monitor */
  lag?: EventLoopLag;
  /** Told the handshakes in flight whenever the count changes (a metric). @default none */
  onInFlight?: (count: number) => void;
}

/** The event-loop lag now (ms). */
export interface EventLoopLag {
  read(nowMs: number): number;
  close(): void;
}

/**
 * The lag from `perf_hooks.monitorEventLoopDelay`, read at most every quarter second: the p99 of
 * the samples since the last read, less the resolution (each sample is the resolution plus how
 * late the timer ran).
 */
export function eventLoopLag(): EventLoopLag {
  const histogram = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  histogram.enable();
  let lagMs = 0;
  let readAtMs = Number.NEGATIVE_INFINITY;
  return {
    read(nowMs) {
      if (nowMs - readAtMs < LAG_SAMPLE_MS) return lagMs;
      lagMs = histogram.count === 0 ? 0 : Math.max(0, histogram.percentile(99) / 1e6 - LAG_RESOLUTION_MS);
      histogram.reset();
      readAtMs = nowMs;
      return lagMs;
    },
    close: () => histogram.disable(),
  };
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
const RATE_WINDOW_MS = 1000;
/**
 * Handshakes always let through whatever the lag: measured (benchmarks/reconnect-pacing.ts), a
 * lag bound alone on a busy machine refused almost everyone for tens of seconds.
 */
const LAG_MIN_IN_FLIGHT = 8;
/** The longest hint (as the SDK's own cap, `MAX_RETRY_AFTER_MS` of the contract). */
const MAX_HINT_MS = 30_000;

export function createHandshakePacer({
  maxInFlight,
  maxEventLoopLagMs,
  staleAfterMs = STALE_AFTER_MS,
  random = Math.random,
  now = Date.now,
  lag = maxEventLoopLagMs === undefined ? undefined : eventLoopLag(),
  onInFlight,
}: HandshakePacerOptions): HandshakePacer {
  // Insertion order is start order: the stale ones are always at the head (no timer per socket).
  const started = new Map<object, number>();
  let meanHandshakeMs = INITIAL_HANDSHAKE_MS;
  // The slot handed to the last refused connect: each next one is sent one drain interval later,
  // so a refused herd comes back at the rate the container drains, not in one wave.
  let lastSlotMs = Number.NEGATIVE_INFINITY;
  // Handshakes finished in the last full window and in the current one: the measured drain rate.
  let lastWindowPerMs = 0;
  let windowStartMs = now();
  let windowCount = 0;
  const rollWindow = (at: number) => {
    const elapsedMs = at - windowStartMs;
    if (elapsedMs < RATE_WINDOW_MS) return;
    // A window that ended long ago says nothing about now.
    lastWindowPerMs = elapsedMs < 2 * RATE_WINDOW_MS ? windowCount / elapsedMs : 0;
    windowStartMs = at;
    windowCount = 0;
  };
  const drainPerMs = (at: number): number => {
    rollWindow(at);
    const elapsedMs = at - windowStartMs;
    const measured = Math.max(lastWindowPerMs, elapsedMs > 0 ? windowCount / elapsedMs : 0);
    // Before anything was measured (the first refusals of a storm after a quiet spell): Little's
    // law, the handshakes in flight over their mean duration.
    return measured > 0 ? measured : Math.max(1, started.size) / meanHandshakeMs;
  };

  const dropStale = (at: number) => {
    for (const [key, startMs] of started) {
      if (at - startMs < staleAfterMs) break;
      started.delete(key);
      onInFlight?.(started.size);
    }
  };
  // Lag alone never stops every handshake: below LAG_MIN_IN_FLIGHT they go on, so a container
  // lagging for another reason (a broadcast, a noisy neighbour) still takes clients, at a trickle.
  const saturated = (at: number): boolean =>
    (maxInFlight !== undefined && started.size >= maxInFlight) ||
    (maxEventLoopLagMs !== undefined &&
      started.size >= LAG_MIN_IN_FLIGHT &&
      (lag?.read(at) ?? 0) > maxEventLoopLagMs);

  return {
    admit(key) {
      const at = now();
      dropStale(at);
      if (!saturated(at)) {
        started.set(key, at);
        onInFlight?.(started.size);
        return undefined;
      }
      // The drain rate measured from completed handshakes (their durations include the client's
      // own round trip, so a rate from durations came out several times too slow: measured with
      // benchmarks/reconnect-pacing.ts).
      const intervalMs = 1 / drainPerMs(at);
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
      onInFlight?.(started.size);
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
      lag?.close();
    },
  };
}
