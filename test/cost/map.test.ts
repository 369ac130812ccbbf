import { describe, expect, it } from 'vitest';
import { OPTION_IDS } from '../../cost/capacity.js';
import { breakEvenCells, MAP_PANELS, renderBreakEvenMapSvg } from '../../cost/map.js';
import { computeCosts } from '../../cost/model.js';

const BASE = { avgConnections: 10_000, peakConnections: 25_000, notificationsPerDay: 200_000 };

describe('break-even map', () => {
  const cells = breakEvenCells(BASE, {
    steps: 3,
    connections: [100, 1_000_000],
    notificationsPerConnectionPerDay: [1, 100],
  });

  it('names the cheapest option of every cell in every panel', () => {
    expect(cells).toHaveLength(3 * 3 * MAP_PANELS.length);
    for (const cell of cells.filter((candidate) => candidate.panel === 'not billed')) {
      const report = computeCosts({
        ...BASE,
        avgConnections: cell.avgConnections,
        peakConnections: cell.avgConnections * 2.5,
        connectsPerDay: cell.avgConnections * 24,
        notificationsPerDay: cell.avgConnections * cell.notificationsPerConnectionPerDay,
      });
      const cheapest = Math.min(...report.options.map((option) => option.monthlyUsd));
      expect(cell.monthlyUsd).toBeCloseTo(cheapest, 6);
    }
  });

  it('keeps the deployed-stacks panel to ECS socket.io and API Gateway, and moves AppSync with its keep-alive reading', () => {
    const deployed = new Set(
      cells.filter((cell) => cell.panel === 'deployed stacks').map((cell) => cell.winner),
    );
    for (const winner of deployed) expect(['ecs-socketio', 'apigw']).toContain(winner);
    const count = (panel: string) =>
      cells.filter((cell) => cell.panel === panel && cell.winner === 'appsync-events').length;
    expect(count('billed')).toBeLessThan(count('not billed'));
  });

  it('renders an SVG with the workloads marked and every option in the legend', async () => {
    const svg = await renderBreakEvenMapSvg(BASE, {
      steps: 2,
      markers: [{ label: 'medium', avgConnections: 10_000, notificationsPerConnectionPerDay: 20 }],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('medium');
    expect(svg).toContain('Notifications per connection per day');
    expect(OPTION_IDS.length).toBe(6);
    expect(svg).toContain('AppSync Events (priced only)');
  });
});
