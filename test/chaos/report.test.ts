import { describe, expect, it } from 'vitest';
import { renderReliabilityMarkdown } from '../../chaos/report.js';
import { MiB, type ScenarioResult, summarizeDetection, verdict } from '../../chaos/scenario.js';

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
});
