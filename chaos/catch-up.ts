import type { CatchUp } from './fault-phase.js';
import type { Scale } from './scenario.js';

/**
 * The timings of the scenarios where live delivery fails while the log keeps every notification
 * (`apigw-throttled-posts`, `ecs-lost-live-emits`): how long the fault lasts and the SDK keep-alive
 * the fleet runs with, shortened as the blackhole scenarios do (defaults: 5 min + 10 s on API
 * Gateway, 30 s + 10 s on socket.io) so a run shows the catch-up within one round.
 */
export const LOST_LIVE_TIMING = {
  full: { faultMs: 20_000, afterFaultMs: 10_000, keepAliveIntervalMs: 5000, pongTimeoutMs: 3000 },
  quick: { faultMs: 3000, afterFaultMs: 2000, keepAliveIntervalMs: 1500, pongTimeoutMs: 1000 },
} as const satisfies Record<Scale, Record<string, number>>;

/**
 * What the report says about the keep-alive, and the bound it promises: every logged notification
 * reaches each connected client within one round (interval + deadline), plus 2 s because timers on
 * a loaded 2-core machine fire late (the bound is on the mechanism, not the machine).
 */
export function keepAliveCatchUp(timing: { keepAliveIntervalMs: number; pongTimeoutMs: number }): CatchUp {
  return {
    keepAlive: `SDK keep-alive every ${timing.keepAliveIntervalMs / 1000} s, answer deadline ${timing.pongTimeoutMs / 1000} s`,
    boundMs: timing.keepAliveIntervalMs + timing.pongTimeoutMs + 2000,
  };
}

/** Share of live deliveries that still fail after the full outage, so some lost ones sit below delivered ones. */
export const LOST_SHARE_AFTER_FAULT = 0.3;
