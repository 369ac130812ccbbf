import { describe, expect, it } from 'vitest';
import { renderReliabilityMarkdown } from '../../chaos/report.js';
import { DeliveryLedger } from '../../chaos/ledger.js';
import {
  MiB,
  type ScenarioResult,
  summarizeDelays,
  summarizeDetection,
  verdict,
} from '../../chaos/scenario.js';
import { createNotification } from '../../shared/contract/index.js';

const base: ScenarioResult = {
  id: 'x',
  variant: 'ecs-socketio',
  title: 'X',
  fault: 'a fault | with a pipe',
  badInputs: '-',
  connections: 10,
  notifications: 100,
  lost: 0,
  duplicates: 0,
  crossUser: 0,
  memory: [{ process: 'ecs-1', beforeBytes: 100 * MiB, afterBytes: 110 * MiB, maxGrowthBytes: 64 * MiB }],
  checks: [{ name: 'held', ok: true, detail: '' }],
  observations: [],
  durationMs: 1000,
};

describe('verdict and RELIABILITY.md', () => {
  it('passes only with nothing lost, duplicated or leaked, every check held and memory in bound', () => {
    expect(verdict(base)).toBe(true);
    expect(verdict({ ...base, lost: 1 })).toBe(false);
    expect(verdict({ ...base, duplicates: 1 })).toBe(false);
    expect(verdict({ ...base, crossUser: 1 })).toBe(false);
    expect(verdict({ ...base, checks: [{ name: 'held', ok: false, detail: '' }] })).toBe(false);
    expect(verdict({ ...base, error: 'boom' })).toBe(false);
    const leaky = {
      ...base,
      memory: [{ process: 'ecs-1', beforeBytes: 0, afterBytes: 65 * MiB, maxGrowthBytes: 64 * MiB }],
    };
    expect(verdict(leaky)).toBe(false);
  });

  it('writes the command, machine, Node version and one escaped table row per scenario', () => {
    const markdown = renderReliabilityMarkdown([base, { ...base, id: 'y', title: 'Y', lost: 2 }], {
      command: 'npm run chaos',
      scale: 'full',
      startedAt: new Date('2026-11-27T00:00:00Z'),
      durationMs: 5000,
      seed: 1,
    });
    expect(markdown).toContain('`npm run chaos`');
    expect(markdown).toContain(process.version);
    expect(markdown).toContain('1 of 2 scenarios passed');
    expect(markdown).toContain('a fault \\| with a pipe');
    expect(markdown).toMatch(/\| Y \|.*\| 2 \|.*\*\*FAIL\*\* \|/);
  });

  it('summarizes silent-drop detection (min, median, max) and writes it as a table and a notes line', () => {
    const detection = summarizeDetection('ping every 5 s, pong deadline 3 s', 4, [6000, 3000, 8000, 5000]);
    expect(detection).toEqual({
      heartbeat: 'ping every 5 s, pong deadline 3 s',
      clients: 4,
      noticed: 4,
      minMs: 3000,
      medianMs: 5500,
      maxMs: 8000,
    });
    expect(summarizeDetection('x', 2, [])).toBeUndefined();
    const markdown = renderReliabilityMarkdown(
      [base, { ...base, id: 'b', title: 'Blackhole', ...(detection ? { detection } : {}) }],
      { command: 'npm run chaos', scale: 'full', startedAt: new Date(0), durationMs: 1, seed: 1 },
    );
    expect(markdown).toContain('## Silent-drop detection');
    expect(markdown).toContain(
      '| Blackhole | ecs-socketio | ping every 5 s, pong deadline 3 s | 4 / 4 | 3.0 s | 5.5 s | 8.0 s |',
    );
    expect(markdown).toContain('- silent drop noticed by 4 of 4 clients');
    expect(markdown.match(/\| X \| ecs-socketio \| ping/)).toBeNull();
  });

  it('records each client’s publish-to-hand-off delay once per notification and writes its distribution', () => {
    const ledger = new DeliveryLedger();
    const a = ledger.watch('u#0', 'u');
    const b = ledger.watch('u#1', 'u');
    const first = createNotification({ type: 'sync.complete', userId: 'u', jobId: 'one' });
    const second = createNotification({ type: 'sync.complete', userId: 'u', jobId: 'two' });
    a(first, first.createdAtMs + 100);
    a(first, first.createdAtMs + 9000); // a repeat: dropped by the SDK, and not a new delay
    b(first, first.createdAtMs + 400);
    a(second, second.createdAtMs + 6500);
    expect(ledger.deliveryDelaysMs().sort((x, y) => x - y)).toEqual([100, 400, 6500]);

    const delivery = summarizeDelays('keep-alive every 5 s, deadline 3 s', ledger.deliveryDelaysMs());
    expect(delivery).toEqual({
      keepAlive: 'keep-alive every 5 s, deadline 3 s',
      handOffs: 3,
      minMs: 100,
      medianMs: 400,
      maxMs: 6500,
    });
    expect(summarizeDelays('x', [])).toBeUndefined();
    const markdown = renderReliabilityMarkdown(
      [base, { ...base, id: 't', title: 'Throttled', ...(delivery ? { delivery } : {}) }],
      { command: 'npm run chaos', scale: 'full', startedAt: new Date(0), durationMs: 1, seed: 1 },
    );
    expect(markdown).toContain('## Delivery delay when live delivery fails');
    expect(markdown).toContain(
      '| Throttled | ecs-socketio | keep-alive every 5 s, deadline 3 s | 3 | 0 | 0.1 s | 0.4 s | 6.5 s |',
    );
    expect(markdown).toContain('- publish to hand-off over 3 hand-offs');
  });
});
