import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { BenchResults } from '../results-schema.js';
import { fitScale, SCALE_PROJECTION_CONTAINERS } from '../scale.js';

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
  /** Issue 16: CPU per 1,000 deliveries against container count, with the slope projected (undefined without a scale run). */
  scaleCpu: string | undefined;
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
  // One line per contender and adapter (syncbell's and plain socket.io's side by side), each
  // with its own least-squares projection.
  const scaled = results.contenders.flatMap((c) =>
    c.scale?.ok ? [{ id: c.id, points: c.scale.value }] : [],
  );
  const series = (id: string, adapter: string) =>
    `${scaled.length > 1 ? `${id}, ` : ''}${adapter === 'sharded' ? 'per-user channels' : 'classic'}`;
  const measuredScale = scaled.flatMap(({ id, points }) =>
    points.map((p) => ({
      series: series(id, p.adapter),
      containers: p.containers,
      cpu: p.cpuSecondsPer1000.median,
    })),
  );
  const projectedScale = scaled.flatMap(({ id, points }) =>
    fitScale(points).flatMap((fit) => {
      const last = Math.max(...points.filter((p) => p.adapter === fit.adapter).map((p) => p.containers));
      return [last, SCALE_PROJECTION_CONTAINERS].map((containers) => ({
        series: `${series(id, fit.adapter)} (projection)`,
        containers,
        cpu: Math.max(0, fit.at(containers)),
      }));
    }),
  );
  const scaleCpu =
    measuredScale.length === 0
      ? undefined
      : await renderSvg({
          $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
          title: `Server + Redis CPU s per 1,000 deliveries against containers (dashed: projection to ${SCALE_PROJECTION_CONTAINERS}, not measured)`,
          width,
          height: 300,
          layer: [
            {
              data: { values: measuredScale },
              mark: { type: 'line', point: true },
              encoding: {
                x: { field: 'containers', type: 'quantitative', title: 'containers' },
                y: { field: 'cpu', type: 'quantitative', title: 'CPU s per 1,000 deliveries' },
                color: { field: 'series', type: 'nominal', title: null },
              },
            },
            {
              data: { values: projectedScale },
              mark: { type: 'line', strokeDash: [6, 4] },
              encoding: {
                x: { field: 'containers', type: 'quantitative' },
                y: { field: 'cpu', type: 'quantitative' },
                color: { field: 'series', type: 'nominal', title: null },
              },
            },
          ],
        });
  return {
    scaleCpu,
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
