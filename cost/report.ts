import type { OptionId } from './capacity.js';
import type { Deployment } from './deployed.js';
import type { PriceFigure, Region, RegionPrices } from './prices.js';
import { DAYS_PER_MONTH, type Workload } from './workload.js';

/** One priced line of a monthly bill. `usd = quantity x unitPriceUsd`. */
export interface CostLine {
  item: string;
  quantity: number;
  unit: string;
  unitPriceUsd: number;
  usd: number;
}

export interface OptionCost {
  id: OptionId;
  /** A human name for tables and the chart legend. */
  label: string;
  monthlyUsd: number;
  lines: CostLine[];
  /** Every figure the breakdown rests on, saying which are measured and which are defaults. */
  assumptions: string[];
  /** Where the figure is uncertain: the bill at both ends, and what spans it. */
  range?: { lowUsd: number; highUsd: number; why: string };
  /** Limits an architect must weigh beside the price (payload caps, what is missing). */
  limits?: string[];
}

export interface CostReport {
  workload: Workload;
  /** What the stacks deploy, as the bill read it from infra/lib/config.ts. */
  deployment: Deployment;
  options: OptionCost[];
  /** The price figures used, with their sources and read dates. */
  prices: { region: Region; figures: Record<string, PriceFigure> };
}

/** A line priced per single unit from a figure quoted per `quotedPer` units (e.g. per million). */
export function priceLine(
  item: string,
  quantity: number,
  unit: string,
  figure: PriceFigure,
  quotedPer = 1,
): CostLine {
  const unitPriceUsd = figure.usd / quotedPer;
  return { item, quantity, unit, unitPriceUsd, usd: quantity * unitPriceUsd };
}

export function sumLines(lines: readonly CostLine[]): number {
  return lines.reduce((total, line) => total + line.usd, 0);
}

/** The fixed parts of a stack every option carries: log groups, secrets, alarms. */
export interface StackOverhead {
  logGroups: readonly string[];
  logRetentionDays: number;
  /** Log bytes ingested a month across those groups, GB. */
  logGbPerMonth: number;
  secrets: number;
  alarmMetrics: number;
}

/**
 * CloudWatch Logs (ingested, and stored for the retention: a steady state holds
 * retention / month-length months of logs), Secrets Manager and CloudWatch alarm lines.
 */
export function stackOverheadLines(overhead: StackOverhead, prices: RegionPrices): CostLine[] {
  const storedGb = overhead.logGbPerMonth * (overhead.logRetentionDays / DAYS_PER_MONTH);
  const lines = [
    priceLine(
      `CloudWatch Logs ingested (${overhead.logGroups.length} log groups)`,
      overhead.logGbPerMonth,
      'GB',
      prices.cloudwatchLogsIngestedGbUsd,
    ),
    priceLine(
      `CloudWatch Logs stored (${overhead.logRetentionDays}-day retention)`,
      storedGb,
      'GB-month',
      prices.cloudwatchLogsStoredGbMonthUsd,
    ),
  ];
  if (overhead.secrets > 0) {
    lines.push(
      priceLine(
        `Secrets Manager (${overhead.secrets} secrets)`,
        overhead.secrets,
        'secret-month',
        prices.secretsManagerSecretMonthUsd,
      ),
    );
  }
  if (overhead.alarmMetrics > 0) {
    lines.push(
      priceLine(
        `CloudWatch alarms (${overhead.alarmMetrics} alarm metrics)`,
        overhead.alarmMetrics,
        'alarm metric-month',
        prices.cloudwatchAlarmMetricMonthUsd,
      ),
    );
  }
  return lines;
}
