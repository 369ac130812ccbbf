import type { BenchResults } from '../results-schema.js';
import type { Charts } from './charts.js';

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const inline = (text: string) =>
  escapeHtml(text)
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/`([^`]+)`/g, '<code>$1</code>');

/** Turns the report's own Markdown subset (headings, tables, lists, code, paragraphs) into HTML. */
export function markdownToHtml(markdown: string): string {
  const out: string[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith('```')) {
      const code: string[] = [];
      while (++i < lines.length && !(lines[i] as string).startsWith('```')) code.push(lines[i] as string);
      out.push(`<pre><code>${escapeHtml(code.join('\n'))}</code></pre>`);
    } else if (line.startsWith('#')) {
      const level = /^#+/.exec(line)?.[0].length ?? 1;
      out.push(`<h${level}>${inline(line.slice(level).trim())}</h${level}>`);
    } else if (line.startsWith('|')) {
      const rows: string[] = [];
      for (; i < lines.length && (lines[i] as string).startsWith('|'); i++) rows.push(lines[i] as string);
      i--;
      const cells = (row: string) =>
        row
          .slice(1, -1)
          .split(' | ')
          .map((c) => c.trim());
      const [head, , ...body] = rows;
      out.push(
        `<table><thead><tr>${cells(head as string)
          .map((c) => `<th>${inline(c)}</th>`)
          .join('')}</tr></thead><tbody>${body
          .map(
            (row) =>
              `<tr>${cells(row)
                .map((c) => `<td>${inline(c)}</td>`)
                .join('')}</tr>`,
          )
          .join('')}</tbody></table>`,
      );
    } else if (line.startsWith('- ')) {
      const items: string[] = [];
      for (; i < lines.length && (lines[i] as string).startsWith('- '); i++)
        items.push((lines[i] as string).slice(2));
      i--;
      out.push(`<ul>${items.map((item) => `<li>${inline(item)}</li>`).join('')}</ul>`);
    } else if (line.trim() !== '') out.push(`<p>${inline(line)}</p>`);
  }
  return out.join('\n');
}

/** One self-contained file: styles and SVG charts inline, nothing fetched from anywhere. */
export function renderHtml(results: BenchResults, markdown: string, charts: Charts): string {
  const figure = (title: string, svg: string) =>
    `<figure><figcaption>${escapeHtml(title)}</figcaption>${svg}</figure>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>syncbell benchmarks ${escapeHtml(results.date)}</title>
<style>
body{font:14px/1.5 system-ui,sans-serif;max-width:1200px;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:1rem 0;font-size:12px}th,td{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f3f3f3}code{background:#f6f6f6;padding:0 3px}pre{background:#f6f6f6;padding:8px;overflow:auto}
figure{display:inline-block;margin:1rem}figcaption{font-weight:600}
</style></head><body>
${markdownToHtml(markdown)}
<h2>Charts</h2>
${figure('Latency CDF per contender', charts.latencyCdf)}
${figure('p99 against connections', charts.p99VsConnections)}
${figure('Memory per connection', charts.memoryPerConnection)}
${figure('Loss under a silent drop', charts.lossUnderDrop)}
${charts.scaleCpu ? figure('CPU per delivery against containers (issue 16)', charts.scaleCpu) : ''}
</body></html>
`;
}
