import { describe, expect, it } from 'vitest';
import { shortName } from '../../cost/breakeven.js';
import { OPTION_IDS } from '../../cost/capacity.js';
import { renderCostChartSvg } from '../../cost/chart.js';

describe('renderCostChartSvg', () => {
  it('renders an SVG with one legend entry per option and the crossovers in words', async () => {
    const chart = await renderCostChartSvg({
      avgConnections: 10_000,
      peakConnections: 25_000,
      notificationsPerDay: 200_000,
    });
    expect(chart.svg.startsWith('<svg')).toBe(true);
    for (const id of OPTION_IDS) expect(chart.svg).toContain(shortName(id).replace('&', '&amp;'));
    expect(chart.svg).toContain('Average concurrent connections');
    expect(chart.crossovers.length).toBeGreaterThan(0);
    expect(chart.sentences.length).toBe(chart.crossovers.length + 1);
    // No network: vega-lite data is inline, and the SVG references nothing outside itself.
    expect(chart.svg).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });
});
