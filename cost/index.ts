/**
 * The cost model's public surface, for the CLI and the benchmark report: compute a report for
 * a deployment (read from infra/lib/config.ts), find break-even points, render the chart and the
 * break-even map, and the results-file schema the benchmarks write.
 */
export { APIGW_DYNAMODB_UNITS } from './apigw-units.js';
export { APIGW_UNPRICED, type ApigwSizing, DEFAULT_APIGW_SIZING } from './apigw.js';
export { APPSYNC_LIMITS, APPSYNC_MARKER, type AppsyncSizing, DEFAULT_APPSYNC_SIZING } from './appsync.js';
export {
  type Crossover,
  describeCrossovers,
  findCrossovers,
  type SweepPoint,
  type SweepRange,
  sweepCosts,
} from './breakeven.js';
export {
  type BenchmarkResults,
  benchmarkResultsSchema,
  type CapacityFigures,
  DEFAULT_CAPACITY,
  DEFAULT_LABEL,
  type MeasuredCapacity,
  measuredCapacitySchema,
  OPTION_IDS,
  type OptionId,
} from './capacity.js';
export { buildCostChartSpec, type CostChart, type CostChartOptions, renderCostChartSvg } from './chart.js';
export {
  type ApigwDeployment,
  DEFAULT_DEPLOYMENT,
  type Deployment,
  deploymentFrom,
  deploymentFromCdkJson,
  type EcsDeployment,
} from './deployed.js';
export { DEFAULT_ECS_SIZING, ECS_UNPRICED, type EcsSizing } from './ecs.js';
export {
  buildBreakEvenMapSpec,
  type BreakEvenMapOptions,
  breakEvenCells,
  renderBreakEvenMapSvg,
} from './map.js';
export { CostInputError } from './errors.js';
export { type ComputeCostsOptions, computeCosts } from './model.js';
export { CACHE_NODE_TYPES, PRICES, type PriceFigure, type Region, REGIONS } from './prices.js';
export type { CostLine, CostReport, OptionCost } from './report.js';
export { type Arch, HOURS_PER_MONTH, type Workload, type WorkloadInput } from './workload.js';
