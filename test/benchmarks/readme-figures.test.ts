import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CONTENDERS } from '../../benchmarks/contenders/index.js';
import { SCENARIOS } from '../../benchmarks/harness.js';
import { RESULT_KEY } from '../../benchmarks/merge.js';
import {
  FIGURE_DOCS,
  FIGURES_MARKERS,
  figuresBlock,
  HEADLINE_MARKERS,
  readmeHeadline,
  replaceFiguresBlock,
} from '../../benchmarks/report/markdown.js';
import { resultsSchema } from '../../benchmarks/results-schema.js';

/** The benchmarks guide holds the generated figures block; its links are relative to docs/. */
const GUIDE = new URL(`../../${FIGURE_DOCS.guide}`, import.meta.url);
const README = new URL(`../../${FIGURE_DOCS.readme}`, import.meta.url);
const LATEST = new URL('../../benchmarks/results/latest/results.json', import.meta.url);
const REPORT = '../benchmarks/results/latest/report.md';

const QUICK = new URL('../../benchmarks/results/quick/results.json', import.meta.url);

const read = async (url: URL) => resultsSchema.parse(JSON.parse(await readFile(url, 'utf8')));
const latest = () => read(LATEST);

/**
 * Contenders added after the committed runs were made (issue 16's `socketio-plain`): the committed
 * runs are re-made on a quiet machine by the lead, then this list goes back to empty.
 */
const ADDED_SINCE_THE_COMMITTED_RUNS: string[] = [];
/** Scenarios added after the committed runs were made (issue 16's `scale`); emptied the same way. */
const SCENARIOS_ADDED_SINCE_THE_COMMITTED_RUNS: string[] = [];

/**
 * `scale` runs only for the contenders that declare adapters to compare (`scaleAdapters`),
 * `scale-cluster` only for those that run on a Redis Cluster (`scaleCluster`).
 */
const applies = (id: string, scenario: string) =>
  !SCENARIOS_ADDED_SINCE_THE_COMMITTED_RUNS.includes(scenario) &&
  (scenario !== 'scale' || CONTENDERS.some((c) => c.id === id && c.scaleAdapters)) &&
  (scenario !== 'scale-cluster' || CONTENDERS.some((c) => c.id === id && c.scaleCluster));

/** `contender scenario` for every cell of the run that did not produce a measurement. */
function missingCells(results: Awaited<ReturnType<typeof latest>>): string[] {
  const ids = results.contenders.map((c) => c.id);
  const absent = CONTENDERS.filter(
    (c) => !ids.includes(c.id) && !ADDED_SINCE_THE_COMMITTED_RUNS.includes(c.id),
  ).map((c) => `${c.id} (not run)`);
  const failed = results.contenders.flatMap((c) =>
    SCENARIOS.filter(
      (s) => applies(c.id, s) && !(c as unknown as Record<string, { ok: boolean }>)[RESULT_KEY[s]]?.ok,
    ).map((s) => `${c.id} ${s}`),
  );
  return [...absent, ...failed];
}

describe('the committed runs and the figures of docs/BENCHMARKS.md and README.md', () => {
  it('latest/ is a full-profile run with every contender and every scenario measured', async () => {
    const results = await latest();
    expect(results.profile).toBe('full');
    expect(missingCells(results)).toEqual([]);
  });

  it('quick/ is a quick-profile run with every contender and every scenario measured', async () => {
    const results = await read(QUICK);
    expect(results.profile).toBe('quick');
    expect(missingCells(results)).toEqual([]);
  });

  it('docs/BENCHMARKS.md quotes exactly that run (regenerate: syncbell bench --render DIR --docs)', async () => {
    const [text, results] = await Promise.all([readFile(GUIDE, 'utf8'), latest()]);
    const start = text.indexOf(FIGURES_MARKERS.start);
    const end = text.indexOf(FIGURES_MARKERS.end);
    expect(start, 'docs/BENCHMARKS.md has the figures block').toBeGreaterThanOrEqual(0);
    expect(text.slice(start, end + FIGURES_MARKERS.end.length)).toBe(figuresBlock(results, REPORT));
  });

  it('README.md quotes the same run in its headline (the same command writes it)', async () => {
    const [text, results] = await Promise.all([readFile(README, 'utf8'), latest()]);
    const start = text.indexOf(HEADLINE_MARKERS.start);
    const end = text.indexOf(HEADLINE_MARKERS.end);
    expect(start, 'README.md has the headline block').toBeGreaterThanOrEqual(0);
    const headline = readmeHeadline(results, FIGURE_DOCS.guide);
    expect(text.slice(start, end + HEADLINE_MARKERS.end.length)).toBe(headline);
    const socketio = results.contenders.find((c) => c.id === 'socketio-redis');
    const last = socketio?.unicast.ok ? socketio.unicast.value.at(-1) : undefined;
    expect(headline).toContain(
      `| socketio-redis | ${last?.median.p50Ms.toFixed(3)} / ${last?.median.p99Ms.toFixed(3)} |`,
    );
  });

  it('the scale chart the figures block and report.md link is committed beside the report', async () => {
    const [text, svg] = await Promise.all([
      readFile(GUIDE, 'utf8'),
      readFile(new URL('../../benchmarks/results/latest/scale-cpu.svg', import.meta.url), 'utf8'),
    ]);
    expect(text).toContain('](../benchmarks/results/latest/scale-cpu.svg)');
    expect(svg).toMatch(/^<svg[\s\S]*socketio-plain[\s\S]*<\/svg>$/);
  });

  it('rewrites only the block, and refuses a document without one', async () => {
    const results = await latest();
    const block = figuresBlock(results, REPORT);
    const before = `# Title\n\nintro\n\n${FIGURES_MARKERS.start}\nold figures\n${FIGURES_MARKERS.end}\n\nafter\n`;
    expect(replaceFiguresBlock(before, block)).toBe(`# Title\n\nintro\n\n${block}\n\nafter\n`);
    expect(() => replaceFiguresBlock('# no block here\n', block)).toThrow(/bench:latest/);
  });
});
