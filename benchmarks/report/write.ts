import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchResults } from '../results-schema.js';
import { renderCharts } from './charts.js';
import { renderHtml } from './html.js';
import { renderMarkdown, SCALE_CHART_FILE } from './markdown.js';

/**
 * Writes `results.json`, `report.md` and `report.html` into `dir`, and the scale chart as its own
 * SVG (report.md and the figures block of docs/BENCHMARKS.md link it) when the run has a scale scenario; returns the paths.
 */
export async function writeReport(
  dir: string,
  results: BenchResults,
): Promise<{ json: string; markdown: string; html: string }> {
  await mkdir(dir, { recursive: true });
  const markdown = renderMarkdown(results);
  const charts = await renderCharts(results);
  const html = renderHtml(results, markdown, charts);
  const paths = {
    json: join(dir, 'results.json'),
    markdown: join(dir, 'report.md'),
    html: join(dir, 'report.html'),
  };
  await writeFile(paths.json, `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(paths.markdown, markdown);
  await writeFile(paths.html, html);
  if (charts.scaleCpu) await writeFile(join(dir, SCALE_CHART_FILE), charts.scaleCpu);
  return paths;
}
