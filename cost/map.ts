import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { compile } from 'vega-lite';
import { shortName } from './breakeven.js';
import { OPTION_IDS, type OptionId } from './capacity.js';
import { type ComputeCostsOptions, computeCosts, toWorkload } from './model.js';
import type { Workload, WorkloadInput } from './workload.js';

/**
 * The map's panels: the two stacks infra/ deploys (ECS socket.io, API Gateway), then every
 * option with AppSync's keep-alive read as the headline does (not billed) and as billed.
 */
export const MAP_PANELS = ['deployed stacks', 'not billed', 'billed'] as const;
export type MapPanel = (typeof MAP_PANELS)[number];

const PANEL_TITLES: Record<MapPanel, string> = {
  'deployed stacks': 'The two deployed stacks: ECS socket.io vs API Gateway',
  'not billed': 'All options, AppSync "ka" not billed',
  billed: 'All options, AppSync "ka" billed',
};

export interface MapCell {
  avgConnections: number;
  notificationsPerConnectionPerDay: number;
  panel: MapPanel;
  winner: OptionId;
  monthlyUsd: number;
}

export interface MapMarker {
  label: string;
  avgConnections: number;
  notificationsPerConnectionPerDay: number;
}

export interface BreakEvenMapOptions extends ComputeCostsOptions {
  /** @default [100, 1_000_000] */
  connections?: [min: number, max: number];
  /** @default [0.1, 100] (beyond, the replay log outgrows one Redis node at a million connections) */
  notificationsPerConnectionPerDay?: [min: number, max: number];
  /** Cells per axis (log scale). @default 20 */
  steps?: number;
  /** Workloads to mark on the map. @default none */
  markers?: MapMarker[];
}

const logSteps = ([min, max]: [number, number], steps: number) =>
  Array.from({ length: steps + 1 }, (_, index) => min * (max / min) ** (index / steps));

/** The option's bill in a panel: AppSync's high end bills "ka" messages. */
function usdIn(option: { id: OptionId; monthlyUsd: number; range?: { highUsd: number } }, panel: MapPanel) {
  return option.id === 'appsync-events' && panel === 'billed'
    ? (option.range?.highUsd ?? option.monthlyUsd)
    : option.monthlyUsd;
}

const DEPLOYED_IDS: readonly OptionId[] = ['ecs-socketio', 'apigw'];

/**
 * The cheapest option on a grid of average connections x notifications per connection per
 * day, the rest of the workload's shape (peak ratio, connects per connection, message size,
 * connections per user, keep-alive) kept from `base`. Each cell is priced at its centre.
 */
export function breakEvenCells(
  base: WorkloadInput | Workload,
  options: BreakEvenMapOptions = {},
): (MapCell & {
  x: number;
  x2: number;
  y: number;
  y2: number;
})[] {
  const { connections, notificationsPerConnectionPerDay, steps, markers: _markers, ...costOptions } = options;
  const workload = toWorkload(base);
  const shape = {
    peak: workload.avgConnections > 0 ? workload.peakConnections / workload.avgConnections : 2.5,
    connects: workload.avgConnections > 0 ? workload.connectsPerDay / workload.avgConnections : 24,
  };
  const n = steps ?? 20;
  const xs = logSteps(connections ?? [100, 1_000_000], n);
  const ys = logSteps(notificationsPerConnectionPerDay ?? [0.1, 100], n);
  const cells = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const [x, x2, y, y2] = [xs[i], xs[i + 1], ys[j], ys[j + 1]] as number[];
      const avgConnections = Math.sqrt((x as number) * (x2 as number));
      const perConnection = Math.sqrt((y as number) * (y2 as number));
      const report = computeCosts(
        {
          ...workload,
          avgConnections,
          peakConnections: avgConnections * shape.peak,
          connectsPerDay: avgConnections * shape.connects,
          notificationsPerDay: avgConnections * perConnection,
        },
        costOptions,
      );
      for (const panel of MAP_PANELS) {
        const candidates =
          panel === 'deployed stacks'
            ? report.options.filter((option) => DEPLOYED_IDS.includes(option.id))
            : report.options;
        const best = candidates.reduce((a, b) => (usdIn(b, panel) < usdIn(a, panel) ? b : a));
        cells.push({
          x: x as number,
          x2: x2 as number,
          y: y as number,
          y2: y2 as number,
          avgConnections,
          notificationsPerConnectionPerDay: perConnection,
          panel,
          winner: best.id,
          monthlyUsd: usdIn(best, panel),
        });
      }
    }
  }
  return cells;
}

/** The vega-lite spec: one heat map per keep-alive reading, side by side, the workloads marked. */
export function buildBreakEvenMapSpec(
  base: WorkloadInput | Workload,
  options: BreakEvenMapOptions = {},
): TopLevelSpec {
  const workload = toWorkload(base);
  const cells = breakEvenCells(workload, options).map((cell) => ({
    ...cell,
    option: shortName(cell.winner),
  }));
  const markers = options.markers ?? [];
  const x = {
    scale: { type: 'log' as const },
    axis: { title: 'Average concurrent connections', format: '~s' },
  };
  const y = {
    scale: { type: 'log' as const },
    axis: { title: 'Notifications per connection per day', format: '~g' },
  };
  const panel = (name: MapPanel) => ({
    title: PANEL_TITLES[name],
    width: 300,
    height: 300,
    layer: [
      {
        data: { values: cells.filter((cell) => cell.panel === name) },
        mark: { type: 'rect' as const },
        encoding: {
          x: { field: 'x', type: 'quantitative' as const, ...x },
          x2: { field: 'x2' },
          y: { field: 'y', type: 'quantitative' as const, ...y },
          y2: { field: 'y2' },
          color: {
            field: 'option',
            type: 'nominal' as const,
            scale: { domain: OPTION_IDS.map(shortName) },
            legend: { title: 'Cheapest option', orient: 'bottom' as const, labelLimit: 0, columns: 2 },
          },
        },
      },
      {
        data: { values: markers },
        mark: { type: 'point' as const, filled: true, color: 'black', size: 50 },
        encoding: {
          x: { field: 'avgConnections', type: 'quantitative' as const },
          y: { field: 'notificationsPerConnectionPerDay', type: 'quantitative' as const },
        },
      },
      {
        data: { values: markers },
        mark: { type: 'text' as const, dy: -10, fontSize: 11, fontWeight: 'bold' as const },
        encoding: {
          x: { field: 'avgConnections', type: 'quantitative' as const },
          y: { field: 'notificationsPerConnectionPerDay', type: 'quantitative' as const },
          text: { field: 'label', type: 'nominal' as const },
        },
      },
    ],
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: 'Cheapest option by average connections and notifications per connection per day',
      subtitle: [
        `As deployed by infra/, ${workload.region}; peak ${Number((workload.peakConnections / Math.max(1, workload.avgConnections)).toFixed(2))}x average, ${workload.messageBytes}-byte messages, ${workload.connectionsPerUser} connections per user.`,
        'AppSync Events is priced, not implemented or measured here; whether its "ka" keep-alive messages are billed is not stated, so both readings are shown.',
      ],
    },
    background: 'white',
    hconcat: MAP_PANELS.map(panel),
    resolve: { scale: { color: 'shared' } },
  };
}

/** Renders the map to SVG in Node with vega (no browser, no network). */
export async function renderBreakEvenMapSvg(
  base: WorkloadInput | Workload,
  options: BreakEvenMapOptions = {},
): Promise<string> {
  const view = new vega.View(vega.parse(compile(buildBreakEvenMapSpec(base, options)).spec), {
    renderer: 'none',
  });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
