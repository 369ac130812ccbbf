/**
 * The socket.io variant's defaults, in one place: the container's parser (config.ts),
 * `attachSyncbell`, the publisher and the replay log read them from here, and the CDK construct
 * reads them (and the parser's limits) from this package's exports instead of restating them.
 */
export const SOCKETIO_DEFAULTS = {
  /** How long a user's replay log, and each job's idempotency claim, live after the user's last notification: a day. */
  replayTtlSeconds: 86_400,
  /** Entries kept per user in the replay log (an approximate trim). */
  replayMaxLen: 1000,
  /** The drain window after SIGTERM (`DRAIN_TIMEOUT_MS`). */
  drainTimeoutMs: 10_000,
  /** socket.io's own ping interval (server-options docs; `PING_INTERVAL_MS`). */
  pingIntervalMs: 25_000,
  /** socket.io's own ping timeout (server-options docs; `PING_TIMEOUT_MS`). */
  pingTimeoutMs: 20_000,
  /** The hard ceiling on new connections per second (`MAX_CONNECTS_PER_SECOND`): over it, HTTP 503 + Retry-After. */
  maxConnectsPerSecond: 1000,
  /**
   * Handshakes in flight (token check and first resume not finished) above which a connect is
   * refused with a `retryAfterMs` hint (`MAX_HANDSHAKES_IN_FLIGHT`); 0 is off. Measured
   * (benchmarks/results/reconnect-pacing/, docs/ECS.md): 2,500 clients reconnecting onto one
   * container, 100 % resumed in a median 11.6 s with 64 against 13.8 s unpaced (4 runs each; half
   * of them 0.59x, the survivor's lag peak 0.68x), 15.0 and 20.0 s with 128, 17.9 s with 32; at
   * 1,000 clients 64 cost 1.08x on time-to-100 % and cut the lag peak to 0.67x. But at 10,000
   * clients (chaos storms, client processes and ALB stand-in nodes on the same 2 cores) a handshake's
   * time in flight is mostly the client's own round trip: 64 in flight refused 4,843 connects while
   * the survivor peaked at 0.68 cores, and only 4,301 of 5,000 had resumed after 60 s (unpaced,
   * the same scenario: 5,000 of 5,000 in 19.7 s). So it is off by default: a bound for operators who
   * measured their own handshake time, not a default.
   */
  maxHandshakesInFlight: 0,
  /**
   * Event-loop lag (ms, p99) above which connects are refused the same way (`MAX_EVENT_LOOP_LAG_MS`);
   * 0 is off, the default: on the measuring machine (shared, load 7-25) the one run of 150 ms that
   * refused anyone took 11.7 s to resume 1,000 clients against a 4.3 s unpaced median, and the
   * runs that refused no one were the unpaced path.
   */
  maxEventLoopLagMs: 0,
} as const;
