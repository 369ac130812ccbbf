import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { findCrossovers, roundForWords } from '../../cost/breakeven.js';
import { OPTION_IDS } from '../../cost/capacity.js';
import { computeCosts } from '../../cost/model.js';
import { resolveWorkload } from '../../cost/workload.js';

const DOC = new URL('../../docs/COST.md', import.meta.url);

/** The three workloads of docs/COST.md, as `syncbell cost` flags would give them. */
const WORKLOADS = {
  small: { avgConnections: 500, peakConnections: 1500, notificationsPerDay: 5000 },
  medium: { avgConnections: 10_000, peakConnections: 25_000, notificationsPerDay: 200_000 },
  large: { avgConnections: 200_000, peakConnections: 500_000, notificationsPerDay: 5_000_000 },
};

const money = (usd: number) =>
  usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

describe('docs/COST.md', () => {
  it('quotes the figures the model computes today in its README table', async () => {
    const text = await readFile(DOC, 'utf8');
    const block = text.slice(text.indexOf('<!-- readme:cost -->'), text.indexOf('<!-- /readme:cost -->'));
    for (const [name, workload] of Object.entries(WORKLOADS)) {
      const row = block.split('\n').find((line) => line.startsWith(`| ${name}:`));
      expect(row, `row for ${name}`).toBeDefined();
      const cells = (row as string)
        .split('|')
        .slice(2, 7)
        .map((cell) => cell.replaceAll('*', '').trim());
      const report = computeCosts(workload);
      // Column order: socket.io, raw ws, SSE, long polling, API Gateway (the order of OPTION_IDS).
      expect(cells).toEqual(
        OPTION_IDS.map((id) => `$${money(report.options.find((o) => o.id === id)?.monthlyUsd ?? 0)}`),
      );
    }
  });

  it('names the medium workload’s break-even the model finds', async () => {
    const text = await readFile(DOC, 'utf8');
    const crossover = findCrossovers(resolveWorkload(WORKLOADS.medium)).find(
      (c) => c.cheaperAbove === 'ecs-socketio',
    );
    expect(text).toContain(`about **${roundForWords(crossover?.avgConnections ?? 0)}`);
  });
});
