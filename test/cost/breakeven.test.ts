import { describe, expect, it } from 'vitest';
import { describeCrossovers, findCrossovers, roundForWords, sweepCosts } from '../../cost/breakeven.js';
import { computeCosts } from '../../cost/model.js';
import { resolveWorkload, scaleWorkload } from '../../cost/workload.js';

const MEDIUM = resolveWorkload({
  avgConnections: 10_000,
  peakConnections: 25_000,
  notificationsPerDay: 200_000,
});

function costOf(avgConnections: number, id: string): number {
  const report = computeCosts(scaleWorkload(MEDIUM, avgConnections));
  return report.options.find((option) => option.id === id)?.monthlyUsd ?? Number.NaN;
}

describe('break-even', () => {
  const crossovers = findCrossovers(MEDIUM);

  it('finds where API Gateway and each ECS option trade places', () => {
    expect(crossovers.length).toBeGreaterThanOrEqual(4);
    for (const crossover of crossovers) {
      // Refined to 1%: 3% either side, the order of the two options is the named one.
      expect(costOf(crossover.avgConnections * 0.97, crossover.cheaperBelow)).toBeLessThan(
        costOf(crossover.avgConnections * 0.97, crossover.cheaperAbove),
      );
      expect(costOf(crossover.avgConnections * 1.03, crossover.cheaperAbove)).toBeLessThan(
        costOf(crossover.avgConnections * 1.03, crossover.cheaperBelow),
      );
    }
  });

  it('names the crossovers in words', () => {
    const sentences = describeCrossovers(MEDIUM, crossovers);
    expect(sentences[0]).toContain('peak 2.5x average, 20 notifications per connection per day');
    expect(sentences.slice(1).join('\n')).toMatch(
      /API Gateway WebSocket is cheaper than ECS socket\.io \+ Redis below ~[\d,]+ average concurrent connections/,
    );
  });

  it('says so when nothing crosses in the range', () => {
    const sentences = describeCrossovers(MEDIUM, [], {}, { minConnections: 10, maxConnections: 100 });
    expect(sentences[1]).toMatch(/^no crossover: API Gateway WebSocket is the cheapest option/);
  });

  it('sweeps on a log scale between the bounds', () => {
    const sweep = sweepCosts(MEDIUM, {}, { minConnections: 100, maxConnections: 10_000, points: 3 });
    expect(sweep.map((point) => Math.round(point.avgConnections))).toEqual([100, 1000, 10_000]);
  });

  it('rounds to two significant digits', () => {
    expect(roundForWords(2_834)).toBe('2,800');
    expect(roundForWords(96_500)).toBe('97,000');
    expect(roundForWords(7.4)).toBe('7');
  });
});

describe('break-even without connections', () => {
  it('is not computed for a workload of 0 connections, and says why', () => {
    const idle = resolveWorkload({ avgConnections: 0 });
    expect(findCrossovers(idle)).toEqual([]);
    expect(describeCrossovers(idle, [])).toEqual([
      'Break-even: not computed; it scales the workload along its shape, and a workload of 0 connections has none.',
    ]);
  });
});
