/**
 * Regenerates the published cost figures from the committed benchmark results and the
 * deployment: the "What it costs" block of docs/COST.md and its headline in README.md, the four charts in
 * docs/images, and what an API Gateway `bench --target` run costs (docs/DEPLOY.md). Run from the
 * repository root: `npx tsx cost/write-docs.ts`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { apigwTargetCostTable } from '../benchmarks/target-cost.js';
import { benchmarkResultsSchema } from './capacity.js';
import { renderCostChartSvg } from './chart.js';
import { COMMITTED_RESULTS } from './cli.js';
import { deploymentFromCdkJson } from './deployed.js';
import {
  DOC_WORKLOADS,
  HEADLINE_BEGIN,
  HEADLINE_END,
  MAP_MARKERS,
  renderCostHeadline,
  renderCostSection,
  renderSensitivity,
  replaceBlock,
  SENSITIVITY_BEGIN,
  SENSITIVITY_END,
} from './docs.js';
import { renderBreakEvenMapSvg } from './map.js';

const root = new URL('../', import.meta.url);
const results = benchmarkResultsSchema.parse(JSON.parse(await readFile(COMMITTED_RESULTS, 'utf8')));
const deployment = deploymentFromCdkJson();
const readme = new URL('README.md', root);
await writeFile(
  readme,
  replaceBlock(
    await readFile(readme, 'utf8'),
    renderCostHeadline(results, deployment),
    HEADLINE_BEGIN,
    HEADLINE_END,
  ),
);
const costDoc = new URL('docs/COST.md', root);
await writeFile(
  costDoc,
  replaceBlock(
    replaceBlock(await readFile(costDoc, 'utf8'), renderCostSection(results, deployment)),
    renderSensitivity(results, deployment),
    SENSITIVITY_BEGIN,
    SENSITIVITY_END,
  ),
);
const options = { capacity: results, deployment };
for (const [name, workload] of Object.entries(DOC_WORKLOADS)) {
  const chart = await renderCostChartSvg(workload, options);
  await writeFile(new URL(`docs/images/cost-${name}.svg`, root), chart.svg);
}
await writeFile(
  new URL('docs/images/cost-map.svg', root),
  await renderBreakEvenMapSvg(DOC_WORKLOADS.medium, { ...options, markers: MAP_MARKERS }),
);
const deployDoc = new URL('docs/DEPLOY.md', root);
const [targetBegin, targetEnd] = ['<!-- target-cost:start -->', '<!-- target-cost:end -->'];
await writeFile(
  deployDoc,
  replaceBlock(
    await readFile(deployDoc, 'utf8'),
    `${targetBegin}\n${apigwTargetCostTable()}\n${targetEnd}`,
    targetBegin,
    targetEnd,
  ),
);
process.stdout.write('README.md, docs/COST.md, docs/DEPLOY.md and docs/images/cost-*.svg regenerated\n');
