/**
 * The cost model's public surface, for the CLI and the benchmark report: compute a report,
 * find break-even points, render the chart, and the results-file schema the benchmarks write.
 */
export { APIGW_DYNAMODB_UNITS } from './apigw-units.js';
export { type ApigwSizing, DEFAULT_APIGW_SIZING } from './apigw.js';
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
export { DEFAULT_ECS_SIZING, type EcsSizing } from './ecs.js';
export { CostInputError } from './errors.js';
export { type ComputeCostsOptions, computeCosts } from './model.js';
export { PRICES, type PriceFigure, type Region, REGIONS } from './prices.js';
export type { CostLine, CostReport, OptionCost } from './report.js';
export { type Arch, HOURS_PER_MONTH, type Workload, type WorkloadInput } from './workload.js';
