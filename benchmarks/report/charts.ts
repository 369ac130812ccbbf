import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { BenchResults } from '../results-schema.js';

/** Renders a vega-lite spec to an SVG string in Node (no browser, no CDN). */
export async function renderSvg(spec: vegaLite.TopLevelSpec): Promise<string> {
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

const nameOf = (c: BenchResults['contenders'][number]) => (c.emulated ? `${c.id} (emulated)` : c.id);

export interface Charts {
  latencyCdf: string;
  p99VsConnections: string;
  memoryPerConnection: string;
  lossUnderDrop: string;
}

export async function renderCharts(results: BenchResults): Promise<Charts> {
  const cdf = results.contenders.flatMap((c) => {
    if (!c.unicast.ok) return [];
    const headline = c.unicast.value[c.unicast.value.length - 1];
    return (headline?.cdf ?? []).map((p) => ({
      contender: nameOf(c),
      latencyMs: Math.max(0.001, p.latencyMs),
      percentile: p.fraction * 100,
    }));
  });
  const p99 = results.contenders.flatMap((c) =>
    c.unicast.ok
      ? c.unicast.value.map((l) => ({
          contender: nameOf(c),
          connections: l.connections,
          p99Ms: l.median.p99Ms,
        }))
      : [],
  );
  const memory = results.contenders.flatMap((c) =>
    c.capacity.ok
      ? [
          { contender: nameOf(c), kind: 'RSS', kb: c.capacity.value.rssBytesPerConnection / 1024 },
          ...(c.capacity.value.heapBytesPerConnection === null
            ? []
            : [{ contender: nameOf(c), kind: 'heap', kb: c.capacity.value.heapBytesPerConnection / 1024 }]),
        ]
      : [],
  );
  const loss = results.contenders.flatMap((c) =>
    c.drop.ok
      ? [
          // A contender without a replay log has nothing to resume from: no "with resume" bar.
          ...(c.canResume === false
            ? []
            : [
                {
                  contender: nameOf(c),
                  pass: 'with resume',
                  lostPercent:
                    (100 * c.drop.value.withResume.lost) / Math.max(1, c.drop.value.withResume.published),
                },
              ]),
          {
            contender: nameOf(c),
            pass: 'without resume',
            lostPercent:
              (100 * c.drop.value.withoutResume.lost) / Math.max(1, c.drop.value.withoutResume.published),
          },
        ]
      : [],
  );
  const width = 560;
  return {
    latencyCdf: await renderSvg({
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title: 'Unicast latency CDF (headline connection count)',
      width,
      height: 300,
      data: { values: cdf },
      mark: { type: 'line', interpolate: 'step-after' },
      encoding: {
        x: { field: 'latencyMs', type: 'quantitative', scale: { type: 'log' }, title: 'latency (ms, log)' },
        y: { field: 'percentile', type: 'quantitative', title: 'percentile', scale: { domain: [0, 100] } },
        color: { field: 'contender', type: 'nominal' },
      },
    }),
    p99VsConnections: await renderSvg({
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title: 'Unicast p99 against open connections',
      width,
      height: 260,
      data: { values: p99 },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'connections', type: 'quantitative', title: 'open connections' },
        y: { field: 'p99Ms', type: 'quantitative', title: 'p99 (ms)' },
        color: { field: 'contender', type: 'nominal' },
      },
    }),
    memoryPerConnection: await renderSvg({
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title: 'Server memory per connection (KB)',
      width,
      height: 260,
      data: { values: memory },
      mark: 'bar',
      encoding: {
        y: { field: 'contender', type: 'nominal', title: null },
        x: { field: 'kb', type: 'quantitative', title: 'KB per connection' },
        yOffset: { field: 'kind' },
        color: { field: 'kind', type: 'nominal' },
      },
    }),
    lossUnderDrop: await renderSvg({
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title: 'Notifications lost under a silent drop (%)',
      width,
      height: 260,
      data: { values: loss },
      mark: 'bar',
      encoding: {
        y: { field: 'contender', type: 'nominal', title: null },
        x: {
          field: 'lostPercent',
          type: 'quantitative',
          title: '% of notifications published during the drop window lost',
        },
        yOffset: { field: 'pass' },
        color: { field: 'pass', type: 'nominal' },
      },
    }),
  };
}
