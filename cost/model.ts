import { z } from 'zod';
import { apigwOptionCost, type ApigwSizing, DEFAULT_APIGW_SIZING } from './apigw.js';
import { type AppsyncSizing, appsyncOptionCost, DEFAULT_APPSYNC_SIZING } from './appsync.js';
import {
  type BenchmarkResults,
  benchmarkResultsSchema,
  type EcsOptionId,
  resolveCapacity,
} from './capacity.js';
import { DEFAULT_DEPLOYMENT, type Deployment } from './deployed.js';
import { DEFAULT_ECS_SIZING, type EcsSizing, ecsOptionCost } from './ecs.js';
import { CostInputError } from './errors.js';
import { CACHE_NODE_TYPES, type PriceFigure, pricesFor, type Region } from './prices.js';
import type { CostReport } from './report.js';
import { type Arch, resolveWorkload, type Workload, type WorkloadInput } from './workload.js';

export interface ComputeCostsOptions {
  /** A benchmark results file (parsed); options it measured use the measured capacity. @default documented defaults */
  capacity?: BenchmarkResults;
  /** Overrides `workload.region`. */
  region?: Region;
  /** Overrides `workload.arch` (and with it what both stacks deploy). */
  arch?: Arch;
  /** What the stacks deploy. @default DEFAULT_DEPLOYMENT (infra/lib/config.ts defaults) */
  deployment?: Deployment;
  /** @default DEFAULT_ECS_SIZING */
  ecsSizing?: Partial<EcsSizing>;
  /** @default DEFAULT_APIGW_SIZING */
  apigwSizing?: Partial<ApigwSizing>;
  /** @default DEFAULT_APPSYNC_SIZING */
  appsyncSizing?: Partial<AppsyncSizing>;
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
    const { keepaliveSeconds, arch, ...rest } = input as WorkloadInput & {
      keepaliveSeconds?: number | null;
      arch?: Arch | null;
    };
    return resolveWorkload({
      ...rest,
      ...(keepaliveSeconds === null ? {} : { keepaliveSeconds }),
      ...(arch === null ? {} : { arch }),
    });
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
  const appsyncSizing = { ...DEFAULT_APPSYNC_SIZING, ...options.appsyncSizing };
  const deployment = options.deployment ?? DEFAULT_DEPLOYMENT;
  const ecsOptions = ECS_ORDER.map((id) =>
    ecsOptionCost(id, workload, capacity[id], prices, ecsSizing, deployment.ecs),
  );
  const nodeTypes = new Set(
    ecsOptions.flatMap((option) =>
      option.lines.flatMap((line) => /ElastiCache nodes \(\d+ x (\S+?):/.exec(line.item)?.[1] ?? []),
    ),
  );
  return {
    workload,
    deployment,
    options: [
      ...ecsOptions,
      apigwOptionCost(workload, prices, apigwSizing, deployment.apigw),
      appsyncOptionCost(workload, prices, appsyncSizing, deployment.apigw),
    ],
    prices: {
      region: workload.region,
      figures: {
        ...prices,
        ...Object.fromEntries(
          [...nodeTypes].map((type) => [
            `elasticacheNodeHourUsd[${type}]`,
            CACHE_NODE_TYPES[type]?.hourUsd[workload.region] as PriceFigure,
          ]),
        ),
      },
    },
  };
}
