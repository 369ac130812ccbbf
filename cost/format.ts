import type { CostReport, OptionCost } from './report.js';

const usd = (value: number) =>
  `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

const quantity = (value: number) =>
  value >= 1000 || Number.isInteger(value)
    ? Math.round(value).toLocaleString('en-US')
    : value.toLocaleString('en-US', { maximumSignificantDigits: 4 });

/** Unit prices can be tiny ($0.00000025 a connection-minute): show those per million. */
const unitPrice = (value: number, unit: string) =>
  value < 0.0001
    ? `$${Number((value * 1_000_000).toPrecision(6))} per million ${unit}s`
    : `$${Number(value.toPrecision(6))} per ${unit}`;

function pad(cells: string[][]): string[] {
  const widths =
    cells[0]?.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length))) ?? [];
  return cells.map((row) =>
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd(),
  );
}

export function formatOption(option: OptionCost): string[] {
  const rows = [
    ['item', 'quantity', 'unit price', 'USD'],
    ...option.lines.map((line) => [
      line.item,
      `${quantity(line.quantity)} ${line.unit}`,
      unitPrice(line.unitPriceUsd, line.unit),
      usd(line.usd),
    ]),
  ];
  return [
    `${option.id}: ${option.label}, ${usd(option.monthlyUsd)} a month`,
    ...pad(rows).map((row) => `  ${row}`),
  ];
}

/** The human form of a report: a summary table, each breakdown, break-even, then every assumption. */
export function formatReport(report: CostReport, breakEven: readonly string[]): string {
  const { workload } = report;
  const out: string[] = [];
  out.push(
    `syncbell cost: monthly USD in ${workload.region} (${workload.arch}); a month is 730 hours; free tiers are not applied`,
    `workload: ${workload.avgConnections.toLocaleString('en-US')} average / ${workload.peakConnections.toLocaleString('en-US')} peak concurrent connections, ${workload.connectsPerDay.toLocaleString('en-US')} connects/day, ${workload.notificationsPerDay.toLocaleString('en-US')} notifications/day of ${workload.messageBytes} bytes, ${workload.connectionsPerUser} connections per user, keep-alive ${workload.keepaliveSeconds === null ? 'at each option’s default' : `every ${workload.keepaliveSeconds} s`}`,
    '',
  );
  const sorted = [...report.options].sort((a, b) => a.monthlyUsd - b.monthlyUsd);
  out.push(
    ...pad([['option', 'USD a month'], ...sorted.map((option) => [option.id, usd(option.monthlyUsd)])]),
    '',
  );
  for (const option of report.options) out.push(...formatOption(option), '');
  out.push(...breakEven, '', 'assumptions:');
  for (const option of report.options) {
    out.push(`  ${option.id}:`, ...option.assumptions.map((assumption) => `    - ${assumption}`));
  }
  out.push('', `prices (${report.prices.region}):`);
  for (const [name, figure] of Object.entries(report.prices.figures)) {
    out.push(`  - ${name} = ${figure.usd} per ${figure.unit}; ${figure.sourceUrl}, read ${figure.readOn}`);
  }
  return `${out.join('\n')}\n`;
}
