import type { OptionId } from './capacity.js';
import type { PriceFigure, Region } from './prices.js';
import type { Workload } from './workload.js';

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
}

export interface CostReport {
  workload: Workload;
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
