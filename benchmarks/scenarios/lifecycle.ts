/** The lifecycle scenarios (6): a clean close (until the server's count drops) and an idle timeout (until the client notices). */
import type { RunningContender } from '../contenders/contender.js';
import { spreadOf } from '../histogram.js';
import { startFleet } from '../load/fleet.js';
import { startFaultProxy } from '../../dev-tools/index.js';
import { userIdOf } from '../payload.js';
import { type ScenarioContext, waitUntil, fleetOptions, QUIET_HEARTBEAT } from './shared.js';

export interface LifecycleResult {
  /** Client closes cleanly: how long until the server's count drops. */
  cleanCloseServerDetectionMs: number | null;
  /** From scenario 5 (ping timeout), filled in by the harness. */
  silentDropClientDetectionMs: number | null;
  silentDropServerDetectionMs: number | null;
  /** Heartbeats off, the proxy's idle timeout closes the connection: time from the last connection up until the client notices. */
  idleTimeoutMs: number;
  idleTimeoutClientDetectionMs: number | null;
}

/** Clean close: the client says goodbye; how long until the server's own count drops. */
export async function cleanCloseScenario(
  ctx: ScenarioContext,
  running: RunningContender,
): Promise<number | null> {
  const userIds = Array.from({ length: Math.max(2, Math.min(10, ctx.profile.dropConnections)) }, (_, i) =>
    userIdOf(i, 'close'),
  );
  const fleet = await startFleet(fleetOptions(ctx, running, userIds, { sdk: true }));
  try {
    const before = await running.serverConnections();
    const closedAtMs = Date.now();
    await fleet.closeAll();
    if (before === undefined) return null;
    const { intervalMs, timeoutMs } = ctx.profile.heartbeat;
    const ok = await waitUntil(
      async () => ((await running.serverConnections()) ?? before) <= before - fleet.connected,
      // 10 s at full size; the quick profile's short heartbeats bound it sooner (a miss reads as null).
      Math.min(10_000, 2 * (intervalMs + timeoutMs) + 2000),
      10,
    );
    return ok ? Date.now() - closedAtMs : null;
  } finally {
    await fleet.stop();
  }
}

/** Heartbeats off, the proxy's idle timeout closes the connection: time until the client notices. */
export async function idleTimeoutScenario(
  ctx: ScenarioContext,
  running: RunningContender,
): Promise<number | null> {
  const { profile } = ctx;
  const userIds = Array.from({ length: Math.max(2, Math.min(10, profile.dropConnections)) }, (_, i) =>
    userIdOf(i, 'idle'),
  );
  const proxy = running.blackhole
    ? undefined
    : await startFaultProxy({
        target: { host: '127.0.0.1', port: Number(new URL(running.urls[0] as string).port) },
        idleTimeoutMs: profile.idleTimeoutMs,
      });
  try {
    const urls = proxy ? [proxy.url] : [running.urls[0] as string];
    const fleet = await startFleet(
      fleetOptions(ctx, { ...running, urls }, userIds, {
        sdk: true,
        keepAlive: false,
        heartbeatIntervalMs: QUIET_HEARTBEAT.intervalMs,
        heartbeatTimeoutMs: QUIET_HEARTBEAT.timeoutMs,
      }),
    );
    try {
      // Connections opened during the ramp; the last one was up at readyAtMs: idle starts then at the latest.
      const readyAtMs = Date.now();
      let detected: number[] = [];
      await waitUntil(
        async () => {
          detected = (await fleet.collect()).disconnectsAtMs;
          return detected.length >= fleet.connected;
        },
        profile.idleTimeoutMs * 3 + 3000,
        50,
      );
      return detected.length > 0 ? spreadOf(detected.map((t) => t - readyAtMs)).median : null;
    } finally {
      await fleet.closeAll().catch(() => undefined);
      await fleet.stop();
    }
  } finally {
    await proxy?.close();
  }
}
