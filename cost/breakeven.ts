import type { EcsOptionId, OptionId } from './capacity.js';
import { CostInputError } from './errors.js';
import { type ComputeCostsOptions, computeCosts, toWorkload } from './model.js';
import type { Workload, WorkloadInput } from './workload.js';
import { scaleWorkload } from './workload.js';

/** Monthly cost of every option at one average concurrency along the workload's shape. */
export interface SweepPoint {
  avgConnections: number;
  costs: Record<OptionId, number>;
}

export interface Crossover {
  /** The option that is cheaper below `avgConnections`. */
  cheaperBelow: OptionId;
  /** The option that is cheaper above it. */
  cheaperAbove: OptionId;
  avgConnections: number;
  monthlyUsd: number;
}

export interface SweepRange {
  /** @default max(10, avgConnections / 100) */
  minConnections?: number;
  /** @default avgConnections x 100 */
  maxConnections?: number;
  /** Points on a log scale. @default 61 */
  points?: number;
}

function costsAt(
  workload: Workload,
  avgConnections: number,
  options: ComputeCostsOptions,
): Record<OptionId, number> {
  const report = computeCosts(scaleWorkload(workload, avgConnections), options);
  return Object.fromEntries(report.options.map((option) => [option.id, option.monthlyUsd])) as Record<
    OptionId,
    number
  >;
}

export function sweepRange(
  workload: Workload,
  range: SweepRange = {},
): { min: number; max: number; points: number } {
  const base = workload.avgConnections > 0 ? workload.avgConnections : 1000;
  const min = range.minConnections ?? Math.max(10, base / 100);
  const max = range.maxConnections ?? Math.max(min * 10, base * 100);
  return { min, max, points: range.points ?? 61 };
}

/**
 * Costs along the line "the same workload at N average concurrent connections": peak,
 * connects and notifications scale with N, so the shape stays (see `scaleWorkload`).
 */
export function sweepCosts(
  workloadInput: WorkloadInput | Workload,
  options: ComputeCostsOptions = {},
  range: SweepRange = {},
): SweepPoint[] {
  const workload = toWorkload(workloadInput);
  if (workload.avgConnections <= 0)
    throw new CostInputError('a sweep needs average connections above 0', { field: 'avgConnections' });
  const { min, max, points } = sweepRange(workload, range);
  const ratio = max / min;
  return Array.from({ length: points }, (_, index) => {
    const avgConnections = min * ratio ** (index / (points - 1));
    return { avgConnections, costs: costsAt(workload, avgConnections, options) };
  });
}

/**
 * Where a serverless option (API Gateway unless told) and each ECS option trade places, found
 * on the sweep and refined by bisection to 1%. Costs are step functions (tasks come whole), so
 * a pair can cross more than once; every crossing is reported.
 */
export function findCrossovers(
  workloadInput: WorkloadInput | Workload,
  options: ComputeCostsOptions = {},
  range: SweepRange = {},
  against: Exclude<OptionId, EcsOptionId> = 'apigw',
): Crossover[] {
  const workload = toWorkload(workloadInput);
  // The sweep scales the workload's shape; with no connections there is no shape to scale.
  if (workload.avgConnections <= 0) return [];
  const sweep = sweepCosts(workload, options, range);
  const crossovers: Crossover[] = [];
  const ids = Object.keys(sweep[0]?.costs ?? {}) as OptionId[];
  const ecsIds = ids.filter((id) => id.startsWith('ecs-'));
  for (const ecs of ecsIds) {
    const diff = (costs: Record<OptionId, number>) => costs[against] - costs[ecs];
    for (let index = 1; index < sweep.length; index++) {
      const before = sweep[index - 1] as SweepPoint;
      const after = sweep[index] as SweepPoint;
      const a = diff(before.costs);
      const b = diff(after.costs);
      if (Math.sign(a) === Math.sign(b) || a === 0) continue;
      let low = before.avgConnections;
      let high = after.avgConnections;
      while (high / low > 1.01) {
        const middle = Math.sqrt(low * high);
        if (Math.sign(diff(costsAt(workload, middle, options))) === Math.sign(a)) low = middle;
        else high = middle;
      }
      const at = Math.sqrt(low * high);
      crossovers.push({
        cheaperBelow: a < 0 ? against : ecs,
        cheaperAbove: a < 0 ? ecs : against,
        avgConnections: at,
        monthlyUsd: costsAt(workload, at, options)[ecs],
      });
    }
  }
  return crossovers.sort((x, y) => x.avgConnections - y.avgConnections);
}

/** Two significant digits: a break-even point is an estimate, not a quote. */
export function roundForWords(value: number): string {
  if (value < 10) return value.toFixed(0);
  const magnitude = 10 ** (Math.floor(Math.log10(value)) - 1);
  return (Math.round(value / magnitude) * magnitude).toLocaleString('en-US');
}

const SHORT_NAMES: Record<OptionId, string> = {
  'ecs-socketio': 'ECS socket.io + Redis',
  'ecs-ws': 'ECS raw ws + Redis',
  'ecs-sse': 'ECS SSE + Redis',
  'ecs-longpoll': 'ECS long polling + Redis',
  apigw: 'API Gateway WebSocket',
  'appsync-events': 'AppSync Events (priced only)',
};

export function shortName(id: OptionId): string {
  return SHORT_NAMES[id];
}

/** A one-line description of the workload's shape, for break-even sentences. */
export function describeShape(workload: Workload): string {
  const perConnection =
    workload.avgConnections > 0 ? workload.notificationsPerDay / workload.avgConnections : 0;
  const peak = workload.avgConnections > 0 ? workload.peakConnections / workload.avgConnections : 1;
  return `peak ${Number(peak.toFixed(2))}x average, ${Number(perConnection.toFixed(2))} notifications per connection per day, ${workload.messageBytes}-byte messages, ${workload.connectionsPerUser} connections per user, keep-alive ${workload.keepaliveSeconds === null ? 'at each option’s default' : `every ${workload.keepaliveSeconds} s`}`;
}

/**
 * The crossovers in words: a first sentence naming the workload shape the sweep follows, then
 * one sentence per crossing, e.g. "API Gateway WebSocket is cheaper than ECS raw ws + Redis
 * below ~2,800 average concurrent connections".
 */
export function describeCrossovers(
  workloadInput: WorkloadInput | Workload,
  crossovers: readonly Crossover[],
  options: ComputeCostsOptions = {},
  range: SweepRange = {},
): string[] {
  const workload = toWorkload(workloadInput);
  if (workload.avgConnections <= 0) {
    return [
      'Break-even: not computed; it scales the workload along its shape, and a workload of 0 connections has none.',
    ];
  }
  const { min, max } = sweepRange(workload, range);
  const intro = `Break-even along this workload's shape (${describeShape(workload)}), from ${roundForWords(min)} to ${roundForWords(max)} average concurrent connections:`;
  if (crossovers.length === 0) {
    const costs = costsAt(workload, Math.sqrt(min * max), options);
    const apigwCheapest = (Object.keys(costs) as OptionId[])
      .filter((id) => id.startsWith('ecs-'))
      .every((id) => costs.apigw <= costs[id]);
    return [
      intro,
      `no crossover: ${apigwCheapest ? 'API Gateway WebSocket is the cheapest option' : 'API Gateway WebSocket costs more than the ECS options'} across the whole range.`,
    ];
  }
  return [
    intro,
    ...crossovers.map(
      (crossover) =>
        `${shortName(crossover.cheaperBelow)} is cheaper than ${shortName(crossover.cheaperAbove)} below ~${roundForWords(crossover.avgConnections)} average concurrent connections (about $${crossover.monthlyUsd.toFixed(0)}/month at that point).`,
    ),
  ];
}
