import { afterAll, describe, expect, it } from 'vitest';
import { baselineWs } from '../../../benchmarks/contenders/baseline-ws.js';
import type { Contender, RunningContender } from '../../../benchmarks/contenders/contender.js';
import { shutdownClientPool } from '../../../benchmarks/load/fleet.js';
import { PROFILES } from '../../../benchmarks/profiles.js';
import { type ScenarioContext, startOptions, unicastInterleaved } from '../../../benchmarks/scenarios.js';

afterAll(async () => {
  await shutdownClientPool();
});

const ctx: ScenarioContext = {
  // Two small levels of two runs each; the baseline server needs no Redis.
  profile: { ...PROFILES.quick, unicastConnections: [4, 8], runs: 2, unicastSeconds: 0.05 },
  redisUrl: 'redis://127.0.0.1:1',
  probe: { env: {} } as unknown as ScenarioContext['probe'],
  progress: () => undefined,
  log: () => undefined,
};

describe('the unicast scenario, two contenders interleaved (ABAB)', () => {
  it("alternates the contenders run by run at each level, and keeps each one's figures and users apart", async () => {
    const a: Contender = { ...baselineWs, id: 'a' };
    const b: Contender = { ...baselineWs, id: 'b' };
    const order: string[] = [];
    const started: RunningContender[] = [];
    try {
      for (const c of [a, b]) {
        const running = await c.start(startOptions(ctx));
        started.push({
          ...running,
          publish: (notification) => {
            // One entry per batch of publishes (a warm-up or a run), and whose users it went to.
            expect(notification.userId.startsWith(`uni`) && notification.userId.includes(`-${c.id}-`)).toBe(
              true,
            );
            if (order.at(-1) !== c.id) order.push(c.id);
            return running.publish(notification);
          },
        });
      }
      const [levelsA, levelsB] = await unicastInterleaved(
        [ctx, ctx],
        [a, b],
        started as [RunningContender, RunningContender],
      );

      expect(levelsA.map((l) => [l.connections, l.interleavedWith, l.delivered === l.published])).toEqual([
        [4, 'b', true],
        [8, 'b', true],
      ]);
      expect(levelsB.map((l) => l.interleavedWith)).toEqual(['a', 'a']);
      expect(levelsA.every((l) => l.runs.length === 2)).toBe(true);
      // Per level: both warm up, then a, b, a, b.
      expect(order.join('')).toBe('ababab'.repeat(2));
    } finally {
      for (const running of started) await running.stop();
    }
  }, 60_000);
});
