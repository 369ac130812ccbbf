import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CONTENDERS } from '../../benchmarks/contenders/index.js';
import { SCENARIOS } from '../../benchmarks/harness.js';
import { RESULT_KEY } from '../../benchmarks/merge.js';
import { README_MARKERS, readmeBlock, replaceReadmeBlock } from '../../benchmarks/report/markdown.js';
import { resultsSchema } from '../../benchmarks/results-schema.js';

/** The benchmarks guide holds the generated figures block; its links are relative to docs/. */
const GUIDE = new URL('../../docs/BENCHMARKS.md', import.meta.url);
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

/** `scale` runs only for the contenders that declare adapters to compare (`scaleAdapters`). */
const applies = (id: string, scenario: string) =>
  !SCENARIOS_ADDED_SINCE_THE_COMMITTED_RUNS.includes(scenario) &&
  (scenario !== 'scale' || CONTENDERS.some((c) => c.id === id && c.scaleAdapters));

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

describe('the committed runs and the figures of docs/BENCHMARKS.md', () => {
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

  it('docs/BENCHMARKS.md quotes exactly that run (regenerate: syncbell bench --render DIR --readme docs/BENCHMARKS.md)', async () => {
    const [text, results] = await Promise.all([readFile(GUIDE, 'utf8'), latest()]);
    const start = text.indexOf(README_MARKERS.start);
    const end = text.indexOf(README_MARKERS.end);
    expect(start, 'docs/BENCHMARKS.md has the figures block').toBeGreaterThanOrEqual(0);
    expect(text.slice(start, end + README_MARKERS.end.length)).toBe(readmeBlock(results, REPORT));
  });

  it('the scale chart the figures block and report.md link is committed beside the report', async () => {
    const [text, svg] = await Promise.all([
      readFile(GUIDE, 'utf8'),
      readFile(new URL('../../benchmarks/results/latest/scale-cpu.svg', import.meta.url), 'utf8'),
    ]);
    expect(text).toContain('](../benchmarks/results/latest/scale-cpu.svg)');
    expect(svg).toMatch(/^<svg[\s\S]*socketio-plain[\s\S]*<\/svg>$/);
  });

  it('rewrites only the block, and refuses a README without one', async () => {
    const results = await latest();
    const block = readmeBlock(results, REPORT);
    const before = `# Title\n\nintro\n\n${README_MARKERS.start}\nold figures\n${README_MARKERS.end}\n\nafter\n`;
    expect(replaceReadmeBlock(before, block)).toBe(`# Title\n\nintro\n\n${block}\n\nafter\n`);
    expect(() => replaceReadmeBlock('# no block here\n', block)).toThrow(/bench:latest/);
  });
});
