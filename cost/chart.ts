import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { compile } from 'vega-lite';
import {
  type Crossover,
  describeCrossovers,
  findCrossovers,
  roundForWords,
  type SweepRange,
  shortName,
  sweepCosts,
} from './breakeven.js';
import type { OptionId } from './capacity.js';
import type { ComputeCostsOptions } from './model.js';
import { toWorkload } from './model.js';
import type { Workload, WorkloadInput } from './workload.js';

export interface CostChartOptions extends ComputeCostsOptions {
  range?: SweepRange;
  /** @default 'Monthly cost against concurrent connections' */
  title?: string;
  /** Chart area width in pixels. @default 720 */
  widthPx?: number;
  /** Chart area height in pixels. @default 400 */
  heightPx?: number;
}

export interface CostChart {
  svg: string;
  /** The vega-lite spec the SVG was rendered from (for the HTML report). */
  spec: TopLevelSpec;
  crossovers: Crossover[];
  /** The crossovers in words, one sentence each. */
  sentences: string[];
}

/**
 * The vega-lite spec: one line per option (log-log), a dashed rule at the workload as given,
 * and a dot at each crossover. Data is inline: the chart renders with no network.
 */
export function buildCostChartSpec(
  workloadInput: WorkloadInput | Workload,
  options: CostChartOptions = {},
): { spec: TopLevelSpec; crossovers: Crossover[]; sentences: string[] } {
  const workload = toWorkload(workloadInput);
  const { range, title, widthPx, heightPx, ...costOptions } = options;
  const sweep = sweepCosts(workload, costOptions, range);
  const crossovers = findCrossovers(workload, costOptions, range);
  const sentences = describeCrossovers(workload, crossovers, costOptions, range);
  const rows = sweep.flatMap((point) =>
    (Object.entries(point.costs) as [OptionId, number][]).map(([id, usd]) => ({
      connections: point.avgConnections,
      option: shortName(id),
      usd,
    })),
  );
  // Several ECS options often cross API Gateway at nearly the same point: one dot and label
  // per cluster (crossings within 20% of each other), e.g. "~2,800-2,900".
  const clusters: Crossover[][] = [];
  for (const crossover of crossovers) {
    const last = clusters.at(-1);
    const first = last?.[0];
    if (last && first && crossover.avgConnections <= first.avgConnections * 1.2) last.push(crossover);
    else clusters.push([crossover]);
  }
  const marks = clusters.map((cluster) => {
    const low = roundForWords((cluster[0] as Crossover).avgConnections);
    const high = roundForWords((cluster.at(-1) as Crossover).avgConnections);
    const anchor = cluster[0] as Crossover;
    return {
      connections: anchor.avgConnections,
      usd: anchor.monthlyUsd,
      label: low === high ? `~${low}` : `~${low}-${high}`,
    };
  });
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: title ?? 'Monthly cost against concurrent connections',
      subtitle: [
        `Workload shape: peak ${Number((workload.peakConnections / Math.max(1, workload.avgConnections)).toFixed(2))}x average, ${Number((workload.notificationsPerDay / Math.max(1, workload.avgConnections)).toFixed(2))} notifications/connection/day, ${workload.messageBytes}-byte messages; ${workload.region}, ${workload.arch ?? 'as deployed'}.`,
        'Dashed line: the workload as given. Dots: where API Gateway and the ECS options cross.',
      ],
    },
    width: widthPx ?? 720,
    height: heightPx ?? 400,
    background: 'white',
    layer: [
      {
        data: { values: rows },
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          x: {
            field: 'connections',
            type: 'quantitative',
            scale: { type: 'log' },
            axis: { title: 'Average concurrent connections', format: '~s' },
          },
          y: {
            field: 'usd',
            type: 'quantitative',
            scale: { type: 'log' },
            axis: { title: 'Monthly cost (USD)', format: '$,~r' },
          },
          color: {
            field: 'option',
            type: 'nominal',
            legend: { title: 'Option', orient: 'top-left', labelLimit: 0 },
          },
        },
      },
      {
        data: { values: [{ connections: workload.avgConnections }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: '#555' },
        encoding: { x: { field: 'connections', type: 'quantitative' } },
      },
      {
        data: { values: marks },
        mark: { type: 'point', filled: true, color: 'black', size: 40 },
        encoding: {
          x: { field: 'connections', type: 'quantitative' },
          y: { field: 'usd', type: 'quantitative' },
        },
      },
      {
        data: { values: marks },
        mark: { type: 'text', dy: -10, fontSize: 10 },
        encoding: {
          x: { field: 'connections', type: 'quantitative' },
          y: { field: 'usd', type: 'quantitative' },
          text: { field: 'label', type: 'nominal' },
        },
      },
    ],
  };
  return { spec, crossovers, sentences };
}

/** Renders the break-even chart to SVG in Node with vega (no browser, no canvas, no CDN). */
export async function renderCostChartSvg(
  workloadInput: WorkloadInput | Workload,
  options: CostChartOptions = {},
): Promise<CostChart> {
  const { spec, crossovers, sentences } = buildCostChartSpec(workloadInput, options);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return { svg, spec, crossovers, sentences };
  } finally {
    view.finalize();
  }
}
