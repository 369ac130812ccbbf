import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { roundForWords } from '../../cost/breakeven.js';
import { benchmarkResultsSchema } from '../../cost/capacity.js';
import { COMMITTED_RESULTS } from '../../cost/cli.js';
import { deploymentFrom, deploymentFromCdkJson } from '../../cost/deployed.js';
import {
  DOC_WORKLOADS,
  deployedBreakEven,
  extractBlock,
  HEADLINE_BEGIN,
  HEADLINE_END,
  renderCostHeadline,
  renderCostSection,
} from '../../cost/docs.js';
import { computeCosts } from '../../cost/model.js';
import { readmeExample, runExample } from '../support/readme.js';

const ROOT = new URL('../../', import.meta.url);
const results = benchmarkResultsSchema.parse(JSON.parse(await readFile(COMMITTED_RESULTS, 'utf8')));
const deployment = deploymentFromCdkJson();
const block = renderCostSection(results, deployment);
const money = (usd: number) =>
  `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

describe('the published cost figures', () => {
  it('docs/COST.md holds the section generated from the committed results (npx tsx cost/write-docs.ts)', async () => {
    const text = await readFile(new URL('docs/COST.md', ROOT), 'utf8');
    expect(extractBlock(text)).toBe(block);
  });

  it('README.md holds the headline generated from the same model (npx tsx cost/write-docs.ts)', async () => {
    const text = await readFile(new URL('README.md', ROOT), 'utf8');
    const headline = renderCostHeadline(results, deployment);
    expect(extractBlock(text, HEADLINE_BEGIN, HEADLINE_END)).toBe(headline);
    const crossover = deployedBreakEven({ capacity: results, deployment });
    expect(headline).toContain(`below about **${roundForWords(crossover.avgConnections)} average concurrent`);
    for (const workload of Object.values(DOC_WORKLOADS)) {
      const report = computeCosts(workload, { capacity: results, deployment });
      for (const id of ['ecs-socketio', 'apigw'])
        expect(headline).toContain(money(report.options.find((o) => o.id === id)?.monthlyUsd ?? 0));
    }
  });

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
        expect(row).toContain(money(option.monthlyUsd));
      }
    }
    expect(block).toContain('AppSync Events (priced only)');
    expect(block).toContain('priced, not implemented or measured here');
  });

  it("runs docs/COST.md's library example as written: the model's figures and a chart", async () => {
    const { logged, exports } = await runExample('cost-library', readmeExample('cost-library'));
    const expected = computeCosts(DOC_WORKLOADS.medium, {
      capacity: results,
      deployment: deploymentFrom({ maxCount: 20 }, {}),
    });
    expect(logged).toEqual(expected.options.map((o) => [o.id, o.monthlyUsd.toFixed(2)]));
    expect(exports.svg).toMatch(/^<svg/);
    expect(exports.sentences).toEqual(expect.arrayContaining([expect.any(String)]));
  }, 60_000);
});
