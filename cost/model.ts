import { z } from 'zod';
import { apigwOptionCost, type ApigwSizing, DEFAULT_APIGW_SIZING } from './apigw.js';
import {
  type BenchmarkResults,
  benchmarkResultsSchema,
  type EcsOptionId,
  resolveCapacity,
} from './capacity.js';
import { DEFAULT_ECS_SIZING, type EcsSizing, ecsOptionCost } from './ecs.js';
import { CostInputError } from './errors.js';
import { pricesFor, type Region } from './prices.js';
import type { CostReport } from './report.js';
import { type Arch, resolveWorkload, type Workload, type WorkloadInput } from './workload.js';

export interface ComputeCostsOptions {
  /** A benchmark results file (parsed); options it measured use the measured capacity. @default documented defaults */
  capacity?: BenchmarkResults;
  /** Overrides `workload.region`. */
  region?: Region;
  /** Overrides `workload.arch`. */
  arch?: Arch;
  /** @default DEFAULT_ECS_SIZING */
  ecsSizing?: Partial<EcsSizing>;
  /** @default DEFAULT_APIGW_SIZING */
  apigwSizing?: Partial<ApigwSizing>;
}

const ECS_ORDER: readonly EcsOptionId[] = ['ecs-socketio', 'ecs-ws', 'ecs-sse', 'ecs-longpoll'];

/** Turns zod's issues into one readable sentence per problem. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.join('.');
      return path && !issue.message.startsWith(path) ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

/** Validates and completes a workload; bad input becomes a `CostInputError`. */
export function toWorkload(input: WorkloadInput | Workload): Workload {
  try {
    const { keepaliveSeconds, ...rest } = input as WorkloadInput & { keepaliveSeconds?: number | null };
    return resolveWorkload(keepaliveSeconds === null ? rest : { ...rest, keepaliveSeconds });
  } catch (error) {
    if (error instanceof z.ZodError) {
      throw new CostInputError(describeZodError(error), {
        field: String(error.issues[0]?.path[0] ?? ''),
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * The monthly bill of every option for one workload, each line priced from the dated price
 * table. Pure: same input, same report.
 */
export function computeCosts(
  workloadInput: WorkloadInput | Workload,
  options: ComputeCostsOptions = {},
): CostReport {
  const workload = toWorkload({
    ...workloadInput,
    ...(options.region ? { region: options.region } : {}),
    ...(options.arch ? { arch: options.arch } : {}),
  });
  let results: BenchmarkResults | undefined;
  if (options.capacity) {
    const parsed = benchmarkResultsSchema.safeParse(options.capacity);
    if (!parsed.success) {
      throw new CostInputError(`benchmark results: ${describeZodError(parsed.error)}`, {
        field: 'capacity',
        cause: parsed.error,
      });
    }
    results = parsed.data;
  }
  const capacity = resolveCapacity(results);
  const prices = pricesFor(workload.region);
  const ecsSizing = { ...DEFAULT_ECS_SIZING, ...options.ecsSizing };
  const apigwSizing = { ...DEFAULT_APIGW_SIZING, ...options.apigwSizing };
  return {
    workload,
    options: [
      ...ECS_ORDER.map((id) => ecsOptionCost(id, workload, capacity[id], prices, ecsSizing)),
      apigwOptionCost(workload, prices, apigwSizing),
    ],
    prices: { region: workload.region, figures: { ...prices } },
  };
}
