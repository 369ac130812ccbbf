/** The silent drop scenario (5): how long until a dropped connection is noticed, and what is lost. */
import type { Contender, RunningContender } from '../contenders/contender.js';
import { spreadOf, type Spread } from '../histogram.js';
import { startFleet } from '../load/fleet.js';
import { SDK_CLIENT_KINDS } from '../load/protocol.js';
import { startFaultProxy } from '../../dev-tools/index.js';
import { userIdOf } from '../payload.js';
import { type ScenarioContext, waitUntil, fleetOptions, publishPaced } from './shared.js';

export interface DropPass {
  resume: boolean;
  connections: number;
  dropMs: number;
  published: number;
  /** Notifications that never reached their user's connection. */
  lost: number;
  duplicated: number;
  clientDetectionMs: Spread | null;
  /** Null: not detected while the path was dead (or not observable, see the next field). */
  serverDetectionMs: number | null;
  /** False where the server has no connection to lose (long polling) or cannot be asked (emulated). */
  serverDetectionObservable: boolean;
  reconnectMs: Spread | null;
  disconnects: number;
  /** Who drove the clients: the SDK users get (`createClient`), or the load generator's raw client. */
  client: 'sdk' | 'raw';
}

/**
 * One pass of the silent-drop scenario. `ready` resolves once its clients are primed; the blackhole
 * is thrown when `go` resolves (passes run together share one blackhole through the contender's LB).
 */
async function dropPass(
  ctx: ScenarioContext,
  contender: Contender,
  running: RunningContender,
  resume: boolean,
  barrier: { ready: () => void; go: Promise<void> } = { ready: () => {}, go: Promise.resolve() },
): Promise<DropPass> {
  const { profile } = ctx;
  const proxy = running.blackhole
    ? undefined
    : await startFaultProxy({
        target: { host: '127.0.0.1', port: Number(new URL(running.urls[0] as string).port) },
      });
  try {
    const prefix = resume ? 'drop-r' : 'drop-n';
    const userIds = Array.from({ length: profile.dropConnections }, (_, i) => userIdOf(i, prefix));
    const urls = proxy ? [proxy.url] : [running.urls[0] as string];
    const fleet = await startFleet({
      // With resume: the SDK users get (where it has a transport), so "lost with resume" describes it.
      // Without: the raw client, the baseline that shows what a drop costs with no replay at all.
      ...fleetOptions(ctx, { ...running, urls }, userIds, { resume, reconnect: true, sdk: resume }),
    });
    try {
      // Every client has seen one notification, so it has a cursor to resume from (as a real tab
      // would). A server may still be subscribing a user's channel when its first primer goes out:
      // users whose primer did not arrive get another, up to three rounds. A client left without a
      // primer would make the pass measure something else, so that stops the scenario, loudly.
      let waiting = userIds.map((_, i) => i);
      for (let round = 0; round < 3 && waiting.length > 0; round++) {
        const pending = waiting;
        const primers = await publishPaced(
          running,
          pending.length,
          200,
          (i) => userIdOf(pending[i] as number, prefix),
          2_900_000 + (resume ? 0 : 50_000) + round * 1_000,
        );
        let received = new Set<string>();
        await waitUntil(
          async () => {
            const c = await fleet.collect(true);
            c.histogram.destroy();
            received = new Set(primers.filter((id) => c.receipts.has(id)));
            return received.size === primers.length;
          },
          5000,
          50,
        );
        waiting = pending.filter((_, i) => !received.has(primers[i] as string));
      }
      if (waiting.length > 0)
        throw new Error(
          `${waiting.length} of ${userIds.length} clients never received a notification before the drop`,
        );
      barrier.ready();
      await barrier.go;
      const closedBefore = await running.serverClosedTotal();
      fleet.reset();
      const dropAtMs = Date.now();
      const affected = running.blackhole
        ? running.blackhole(profile.dropMs)
        : (proxy?.blackhole(profile.dropMs).frozen ?? 0);
      ctx.log(
        `${contender.id}: blackholed ${affected} connections for ${profile.dropMs} ms (resume ${resume})`,
      );
      // Server-side detection: the server's own count of closed connections rises by the dropped ones
      // (clients that already reconnected through a fresh path do not mask it).
      let serverDetectedAtMs: number | null = null;
      const serverWatch = (async () => {
        if (closedBefore === undefined) return;
        await waitUntil(
          async () => {
            const now = await running.serverClosedTotal();
            if (now !== undefined && now >= closedBefore + userIds.length) {
              serverDetectedAtMs = Date.now();
              return true;
            }
            return false;
            // Only while the path is dead: a close seen after it is back is not a detection.
          },
          profile.dropMs,
          50,
        );
      })();
      // Keep publishing through the drop and a little after it.
      const publishMs = profile.dropMs + profile.dropTailMs;
      const count = Math.max(1, Math.round((publishMs / 1000) * profile.dropRatePerSecond));
      const ids = await publishPaced(
        running,
        count,
        profile.dropRatePerSecond,
        (i) => userIdOf(i % userIds.length, prefix),
        3_000_000 + (resume ? 0 : 500_000),
      );
      await serverWatch;
      // Settle: give reconnects and replays time to finish.
      let collected = await fleet.collect(true);
      await waitUntil(
        async () => {
          collected = await fleet.collect(true);
          return ids.every((id) => collected.receipts.has(id));
        },
        profile.heartbeat.intervalMs + profile.heartbeat.timeoutMs + profile.dropSettleGraceMs,
        Math.min(200, profile.dropSettleGraceMs / 5),
      );
      const lost = ids.filter((id) => !collected.receipts.has(id)).length;
      const detections = collected.disconnectsAtMs.map((t) => t - dropAtMs);
      const reconnects = collected.reconnectsAtMs.map((t, i) => t - (collected.disconnectsAtMs[i] ?? t));
      collected.histogram.destroy();
      return {
        resume,
        connections: fleet.connected,
        dropMs: profile.dropMs,
        published: ids.length,
        lost,
        duplicated: collected.duplicates,
        clientDetectionMs: detections.length > 0 ? spreadOf(detections) : null,
        serverDetectionMs: serverDetectedAtMs === null ? null : (serverDetectedAtMs as number) - dropAtMs,
        serverDetectionObservable: closedBefore !== undefined,
        reconnectMs: reconnects.length > 0 ? spreadOf(reconnects) : null,
        disconnects: collected.disconnectsAtMs.length,
        client: resume && SDK_CLIENT_KINDS.has(running.clientKind) ? 'sdk' : 'raw',
      };
    } finally {
      await fleet.closeAll().catch(() => undefined);
      await fleet.stop();
    }
  } finally {
    await proxy?.close();
  }
}

export interface DropResult {
  withResume: DropPass;
  withoutResume: DropPass;
}

export async function dropScenario(
  ctx: ScenarioContext,
  contender: Contender,
  running: RunningContender,
): Promise<DropResult> {
  if (!ctx.profile.dropPassesTogether) {
    return {
      withResume: await dropPass(ctx, contender, running, true),
      withoutResume: await dropPass(ctx, contender, running, false),
    };
  }
  // Both passes on separate users at once: one blackhole window instead of two (the quick profile).
  let readyCount = 0;
  let release: () => void = () => {};
  const go = new Promise<void>((resolve) => {
    release = resolve;
  });
  const barrier = {
    ready: () => {
      if (++readyCount === 2) release();
    },
    go,
  };
  // A pass that fails before it is ready must not leave the other one waiting forever.
  const guard = <T>(pass: Promise<T>) =>
    pass.catch((error: unknown) => {
      release();
      throw error;
    });
  const [withResume, withoutResume] = await Promise.all([
    guard(dropPass(ctx, contender, running, true, barrier)),
    guard(dropPass(ctx, contender, running, false, barrier)),
  ]);
  return { withResume, withoutResume };
}
