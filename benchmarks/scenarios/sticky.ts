/** The sticky sessions scenario (7): long polling over several containers with and without stickiness. */
import type { Contender, RunningContender } from '../contenders/contender.js';
import { startFleet } from '../load/fleet.js';
import { userIdOf } from '../payload.js';
import { type ScenarioContext, sleep, startOptions, fleetOptions, publishPaced } from './shared.js';

export interface StickyPass {
  sticky: boolean;
  clients: number;
  sessionsOpened: number;
  failures: number;
  disconnects: number;
  /** Failed or broken sessions over all attempts. */
  errorRate: number;
  failureSamples: string[];
}

export interface StickyResult {
  applicable: boolean;
  reason: string;
  passes: StickyPass[];
}

export async function stickyScenario(ctx: ScenarioContext, contender: Contender): Promise<StickyResult> {
  const { profile } = ctx;
  // The contenders that can long-poll across containers (socketio-plain is WebSocket-only).
  const polling = contender.id === 'socketio-redis' || contender.id === 'long-polling-redis';
  if (!polling || !contender.multiContainer) {
    return {
      applicable: false,
      reason: contender.multiContainer
        ? 'one long-lived connection per client: every request after the upgrade stays on one tunnel, so stickiness cannot matter'
        : 'a single server process: there is nothing to be sticky to',
      passes: [],
    };
  }
  const passes: StickyPass[] = [];
  const start = async (sticky: boolean) =>
    contender.id === 'socketio-redis'
      ? (await import('../contenders/socketio-redis.js')).startSocketIoStack(
          startOptions(ctx, { sticky, containers: 2 }),
          true,
        )
      : contender.start(startOptions(ctx, { sticky, containers: 2 }));
  // Both stacks start together (start-up is mostly waiting); the passes still run one after the other.
  const starts = [start(true), start(false)];
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    for (const s of settled) if (s.status === 'fulfilled') await s.value.stop().catch(() => undefined);
    throw failed.reason;
  }
  const stacks = settled.map((s) => (s as PromiseFulfilledResult<RunningContender>).value);
  const stopped = new Set<RunningContender>();
  try {
    for (const [index, sticky] of [true, false].entries()) {
      const running = stacks[index] as RunningContender;
      try {
        const userIds = Array.from({ length: profile.stickyClients }, (_, i) => userIdOf(i, 'sticky'));
        const fleet = await startFleet(fleetOptions(ctx, running, userIds, { reconnect: true }));
        try {
          fleet.reset();
          await publishPaced(
            running,
            profile.stickyClients * 2,
            Math.max(10, (profile.stickyClients * 2) / profile.stickySeconds),
            (i) => userIdOf(i % userIds.length, 'sticky'),
            4_000_000,
          );
          await sleep(profile.stickySeconds * 1000);
          const collected = await fleet.collect();
          collected.histogram.destroy();
          const broken = collected.failures + collected.disconnectsAtMs.length + fleet.failed;
          const attempts = collected.sessionsOpened + collected.failures + fleet.connected + fleet.failed;
          passes.push({
            sticky,
            clients: userIds.length,
            sessionsOpened: collected.sessionsOpened + fleet.connected,
            failures: collected.failures + fleet.failed,
            disconnects: collected.disconnectsAtMs.length,
            errorRate: attempts > 0 ? Math.round((broken / attempts) * 1000) / 1000 : 0,
            failureSamples: [...fleet.failureSamples, ...collected.failureSamples].slice(0, 3),
          });
        } finally {
          await fleet.closeAll().catch(() => undefined);
          await fleet.stop();
        }
      } finally {
        stopped.add(running);
        await running.stop();
      }
    }
  } finally {
    // A pass that threw leaves the other stack running otherwise.
    for (const running of stacks) if (!stopped.has(running)) await running.stop().catch(() => undefined);
  }
  return {
    applicable: true,
    reason:
      contender.id === 'socketio-redis'
        ? 'socket.io with the long-polling transport, 2 containers'
        : 'stateless polls carrying a cursor, 2 containers',
    passes,
  };
}
