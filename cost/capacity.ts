import { z } from 'zod';

/** The options the benchmarks measure; the ids match the contenders' capacity entries. */
export const MEASURED_OPTION_IDS = ['ecs-socketio', 'ecs-ws', 'ecs-sse', 'ecs-longpoll', 'apigw'] as const;
/** The options the model prices: the measured ones, and AppSync Events (priced only). */
export const OPTION_IDS = [...MEASURED_OPTION_IDS, 'appsync-events'] as const;
export type OptionId = (typeof OPTION_IDS)[number];
export type EcsOptionId = Exclude<OptionId, 'apigw' | 'appsync-events'>;

const positive = z.number().finite().positive();

/**
 * Capacity of one server process, as the benchmarks measure it (issue 5, scenario 3).
 * `cpuSecondsPer1000Notifications` counts notifications *delivered to a connection*, so a
 * notification to a user with 2 tabs counts twice.
 */
/**
 * How a delivery's server CPU grows with the task count, from the benchmarks' scale scenario
 * (issue 16, `benchmarks/scale.ts`): a least-squares line through the containers' CPU seconds
 * per 1,000 deliveries at 2, 4 and 8 containers, same load. With the classic socket.io adapter
 * every task decodes every notification, so the figure grows with the fleet.
 */
export const cpuScaleSchema = z.looseObject({
  /** The adapter it was measured on (`REDIS_ADAPTER`). */
  adapter: z.enum(['classic', 'sharded']),
  per1000AtZeroTasks: z.number().finite(),
  per1000PerTask: z.number().finite(),
  /** The container counts measured: beyond the largest, the line is a projection. */
  measuredTasks: z.array(z.number().int().positive()).min(2),
  basis: z.string(),
});
export type CpuScale = z.infer<typeof cpuScaleSchema>;

export const measuredCapacitySchema = z.looseObject({
  connectionsPerTask: positive,
  cpuSecondsPer1000Notifications: z.number().finite().nonnegative(),
  rssBytesPerConnection: z.number().finite().nonnegative(),
  measured: z.literal(true),
  /** Absent before 2026-12-01 and for options without a scale run: the CPU figure is then held flat. */
  cpuScale: cpuScaleSchema.optional(),
});
export type MeasuredCapacity = z.infer<typeof measuredCapacitySchema>;

/**
 * The benchmark results file (`results.json`) as far as the cost model reads it. Other fields
 * (latency, wire bytes, ...) pass through untouched. Import this schema in the benchmark code
 * so the writer and the reader cannot drift apart.
 */
export const benchmarkResultsSchema = z.looseObject({
  capacity: z.partialRecord(z.enum(MEASURED_OPTION_IDS), measuredCapacitySchema),
  machine: z.looseObject({}),
  date: z.string().min(1),
});
export type BenchmarkResults = z.infer<typeof benchmarkResultsSchema>;

/** Capacity as the model uses it, with where each figure came from. */
export interface CapacityFigures {
  connectionsPerTask: number;
  cpuSecondsPer1000Notifications: number;
  rssBytesPerConnection: number;
  /** true: from a results file; false: a documented default. */
  measured: boolean;
  /** The results file's date when measured; the derivation when a default. */
  basis: string;
  /** When measured: CPU per 1,000 deliveries as a function of the task count (see `cpuScaleSchema`). */
  cpuScale?: CpuScale;
}

/**
 * CPU seconds per 1,000 deliveries on a fleet of `tasks`: the scale line where one was measured
 * (never below the 2-container figure's tenth, so a noisy negative slope cannot price CPU at
 * zero), else the flat figure.
 */
export function cpuPer1000At(capacity: CapacityFigures, tasks: number): number {
  const line = capacity.cpuScale;
  if (!line) return capacity.cpuSecondsPer1000Notifications;
  return Math.max(
    capacity.cpuSecondsPer1000Notifications / 10,
    line.per1000AtZeroTasks + line.per1000PerTask * tasks,
  );
}

export const DEFAULT_LABEL = 'documented default, not measured by this run';

/**
 * Defaults derived from the reference measurements in FACTS.md ("Measured on this machine kind:
 * 2 cores, Node 20, plain code, median of 3 runs"). Each carries its derivation. Until the
 * benchmarks write a results file, these are what the ECS options are priced with.
 *
 * - connectionsPerTask 19,500: the machine's hard limit of 20,000 open files per process caps a
 *   server just under 20,000 connections, and issue 5 sets 19,500 as the goal. Fargate allows
 *   a higher `nofile`, so this is the most this machine can show, not a ceiling of Fargate.
 * - CPU per 1,000 delivered notifications: a broadcast to 10,000 reached the last client in
 *   188 ms (socket.io) and 128 ms (raw ws), i.e. at most 18.8 and 12.8 us of server time per
 *   delivered frame. A unicast also costs a Redis message receive the broadcast figure does
 *   not include, so these defaults lean low; at the notification rates this product targets,
 *   connections, not CPU, decide the task count.
 * - SSE and long polling have no reference measurement: SSE reuses the raw ws figure (one
 *   write per delivery on an open stream); long polling doubles it (every delivery also ends a
 *   response and starts a new request on the kept-alive socket).
 * - RSS per connection: 13 KB socket.io and 4 KB raw ws (measured reference). SSE and long
 *   polling hold an HTTP request and response per connection: raw ws plus the 4.3 KB the
 *   socket.io docs attribute to a retained request (6.8 KB -> 2.5 KB when dropped) = 8.3 KB.
 */
export const DEFAULT_CAPACITY: Record<EcsOptionId, CapacityFigures> = {
  'ecs-socketio': {
    connectionsPerTask: 19_500,
    cpuSecondsPer1000Notifications: 0.0188,
    rssBytesPerConnection: 13_000,
    measured: false,
    basis:
      'FACTS.md reference: broadcast of 10,000 in 188 ms; 13 KB RSS per idle connection; 20,000-file limit',
  },
  'ecs-ws': {
    connectionsPerTask: 19_500,
    cpuSecondsPer1000Notifications: 0.0128,
    rssBytesPerConnection: 4_000,
    measured: false,
    basis:
      'FACTS.md reference: broadcast of 10,000 in 128 ms; 4 KB RSS per idle connection; 20,000-file limit',
  },
  'ecs-sse': {
    connectionsPerTask: 19_500,
    cpuSecondsPer1000Notifications: 0.0128,
    rssBytesPerConnection: 8_300,
    measured: false,
    basis: 'no reference measurement: raw ws CPU figure; raw ws RSS + 4.3 KB retained request',
  },
  'ecs-longpoll': {
    connectionsPerTask: 19_500,
    cpuSecondsPer1000Notifications: 0.0256,
    rssBytesPerConnection: 8_300,
    measured: false,
    basis: 'no reference measurement: 2 x raw ws CPU figure; raw ws RSS + 4.3 KB retained request',
  },
};

/** Capacity for each ECS option: measured where the results file has the option, else the default. */
export function resolveCapacity(results?: BenchmarkResults): Record<EcsOptionId, CapacityFigures> {
  const resolved = { ...DEFAULT_CAPACITY };
  for (const id of Object.keys(DEFAULT_CAPACITY) as EcsOptionId[]) {
    const measured = results?.capacity[id];
    if (measured) {
      resolved[id] = {
        connectionsPerTask: measured.connectionsPerTask,
        cpuSecondsPer1000Notifications: measured.cpuSecondsPer1000Notifications,
        rssBytesPerConnection: measured.rssBytesPerConnection,
        measured: true,
        ...(measured.cpuScale ? { cpuScale: measured.cpuScale } : {}),
        // The benchmarks say how a figure was obtained (e.g. "quick profile: 500 of 500
        // connections held"): a count that reached its target is a lower bound, not a limit.
        basis: `measured by the benchmark run of ${results.date}${typeof measured.basis === 'string' ? ` (${measured.basis})` : ''}`,
      };
    }
  }
  return resolved;
}
