import { ConfigError } from '@syncbell/server';
import { createConnectPacer } from './connect-pacer.js';
import { createHandshakePacer, type HandshakePacer } from './handshake-pacer.js';
import { type EngineMiddleware, upgradeCeiling } from './upgrade-ceiling.js';

/** Server-paced reconnects: `attachSyncbell`'s options (docs/ECS.md, "Server-paced reconnects"). */
export interface PacingOptions {
  /**
   * The hard ceiling: new connections (engine.io handshakes) per second this server accepts. Over
   * it a handshake is answered HTTP 503 with `Retry-After` before engine.io does any work (no
   * session, no token check). A browser's WebSocket never shows the status (it sees a failed
   * connect and backs off on its own); socket.io-client over polling, and Node clients, can read
   * it. Needs the `Server` attached to its HTTP server. @default undefined (no ceiling)
   */
  maxConnectsPerSecond?: number;
  /**
   * Server-paced reconnects: handshakes in flight (connects accepted whose token check and first
   * resume have not finished) above which new connects are refused, before the token check, with
   * `rate_limited` and a `retryAfterMs` hint from the measured drain rate, jittered (the SDK waits
   * at least that long). What saturates a container in a reconnect storm is JWT checks and replay
   * reads, far below any connects-per-second ceiling. @default undefined (not bounded)
   */
  maxHandshakesInFlight?: number;
  /**
   * Event-loop lag (ms, p99 over the last quarter second, `perf_hooks.monitorEventLoopDelay`)
   * above which new connects are refused as `maxHandshakesInFlight` refuses them: the clients
   * already here keep their latency. @default undefined (not watched)
   */
  maxEventLoopLagMs?: number;
}

type PacingName = keyof PacingOptions;

/** The options checked (each a positive integer or unset); throws `ConfigError` before anything is attached. */
export function resolvePacing(
  options: PacingOptions,
  hasEngine: boolean,
  positiveInt: (name: string, value: number) => number,
): Required<{ [K in PacingName]: number | undefined }> {
  const read = (name: PacingName) => {
    const value = options[name];
    return value === undefined ? undefined : positiveInt(name, value);
  };
  const resolved = {
    maxConnectsPerSecond: read('maxConnectsPerSecond'),
    maxHandshakesInFlight: read('maxHandshakesInFlight'),
    maxEventLoopLagMs: read('maxEventLoopLagMs'),
  };
  if (resolved.maxConnectsPerSecond !== undefined && !hasEngine)
    throw new ConfigError(
      'attachSyncbell: maxConnectsPerSecond answers HTTP 503 on the handshake and needs the Server attached to its HTTP server first',
    );
  return resolved;
}

/**
 * Installs the hard ceiling in front of engine.io (upgrade-ceiling.ts; `onCeilingRefused` counts
 * each 503) and returns the handshake pacer the namespace middleware asks, if any bound is set.
 */
export function startPacing(
  engine: { use(middleware: EngineMiddleware): void } | undefined,
  pacing: ReturnType<typeof resolvePacing>,
  onCeilingRefused: () => void,
  onInFlight: (count: number) => void,
): HandshakePacer | undefined {
  const { maxConnectsPerSecond, maxHandshakesInFlight, maxEventLoopLagMs } = pacing;
  if (maxConnectsPerSecond !== undefined)
    engine?.use(upgradeCeiling(createConnectPacer(maxConnectsPerSecond), onCeilingRefused));
  if (maxHandshakesInFlight === undefined && maxEventLoopLagMs === undefined) return undefined;
  return createHandshakePacer({ maxInFlight: maxHandshakesInFlight, maxEventLoopLagMs, onInFlight });
}
