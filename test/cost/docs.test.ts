import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { roundForWords } from '../../cost/breakeven.js';
import { benchmarkResultsSchema } from '../../cost/capacity.js';
import { COMMITTED_RESULTS } from '../../cost/cli.js';
import { deploymentFromCdkJson } from '../../cost/deployed.js';
import { DOC_WORKLOADS, deployedBreakEven, extractBlock, renderCostSection } from '../../cost/docs.js';
import { computeCosts } from '../../cost/model.js';

const ROOT = new URL('../../', import.meta.url);
const results = benchmarkResultsSchema.parse(JSON.parse(await readFile(COMMITTED_RESULTS, 'utf8')));
const deployment = deploymentFromCdkJson();
const block = renderCostSection(results, deployment);

describe('the published cost figures', () => {
  it.each(['README.md', 'docs/COST.md'])(
    '%s holds the block generated from the committed results (npx tsx cost/write-docs.ts)',
    async (file) => {
      const text = await readFile(new URL(file, ROOT), 'utf8');
      expect(extractBlock(text)).toBe(block);
    },
  );

  it('states the break-even of the deployed stacks, from measured capacity', () => {
    const crossover = deployedBreakEven({ capacity: results, deployment });
    expect(block).toContain(
      `below about **${roundForWords(crossover.avgConnections)} average concurrent connections**`,
    );
    expect(block).toContain('ECS capacity is **measured**');
  });

  it('quotes every option of the three workloads, AppSync Events included and marked', () => {
    for (const [name, workload] of Object.entries(DOC_WORKLOADS)) {
      const report = computeCosts(workload, { capacity: results, deployment });
      const row = block.split('\n').find((line) => line.startsWith(`| ${name}`)) ?? '';
      for (const option of report.options) {
        expect(row).toContain(
          `$${option.monthlyUsd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`,
        );
      }
    }
    expect(block).toContain('AppSync Events (priced only)');
    expect(block).toContain('priced, not implemented or measured here');
  });
});
