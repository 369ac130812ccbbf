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

const range = (option: OptionCost) =>
  option.range && option.range.highUsd - option.range.lowUsd >= 0.005
    ? ` (range ${usd(option.range.lowUsd)} to ${usd(option.range.highUsd)})`
    : '';

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
    `${option.id}: ${option.label}, ${usd(option.monthlyUsd)} a month${range(option)}`,
    ...pad(rows).map((row) => `  ${row}`),
  ];
}

/** The human form of a report: a summary table, each breakdown, break-even, then every assumption. */
export function formatReport(report: CostReport, breakEven: readonly string[]): string {
  const { workload } = report;
  const out: string[] = [];
  out.push(
    `syncbell cost: monthly USD in ${workload.region} (${archWords(report)}); a month is 730 hours; free tiers are not applied`,
    `workload: ${workload.avgConnections.toLocaleString('en-US')} average / ${workload.peakConnections.toLocaleString('en-US')} peak concurrent connections, ${workload.connectsPerDay.toLocaleString('en-US')} connects/day, ${workload.notificationsPerDay.toLocaleString('en-US')} notifications/day of ${workload.messageBytes} bytes, ${workload.connectionsPerUser} connections per user, keep-alive ${workload.keepaliveSeconds === null ? 'at each option’s default' : `every ${workload.keepaliveSeconds} s`}`,
    describeDeployment(report),
    '',
  );
  const sorted = [...report.options].sort((a, b) => a.monthlyUsd - b.monthlyUsd);
  out.push(
    ...pad([
      ['option', 'USD a month', 'range'],
      ...sorted.map((option) => [option.id, usd(option.monthlyUsd), range(option).trim()]),
    ]),
    '',
  );
  for (const option of report.options) out.push(...formatOption(option), '');
  out.push(...breakEven, '', 'assumptions:');
  for (const option of report.options) {
    out.push(`  ${option.id}:`, ...option.assumptions.map((assumption) => `    - ${assumption}`));
    if (option.range) out.push(`    - Range: ${option.range.why}.`);
  }
  out.push('', `prices (${report.prices.region}):`);
  for (const [name, figure] of Object.entries(report.prices.figures)) {
    out.push(`  - ${name} = ${figure.usd} per ${figure.unit}; ${figure.sourceUrl}, read ${figure.readOn}`);
  }
  return `${out.join('\n')}\n`;
}

function archWords(report: CostReport): string {
  const { workload, deployment } = report;
  if (workload.arch !== null) return `${workload.arch}, from --arch`;
  return `as deployed: ECS ${deployment.ecs.arch}, Lambda ${deployment.apigw.arch}`;
}

/** What the stacks deploy, in words: the knobs the bill read. */
export function describeDeployment(report: CostReport): string {
  const { ecs, apigw, source } = report.deployment;
  return `Deployment (${source}): ECS ${ecs.minTasks} to ${ecs.maxTasks} server tasks of ${ecs.taskVcpu} vCPU / ${ecs.taskMemoryGb} GB ${ecs.arch} (scaling on ${ecs.cpuTargetPercent}% CPU and ${ecs.connectionsPerTaskTarget.toLocaleString('en-US')} connections per task, nofile ${ecs.nofileLimit.toLocaleString('en-US')}), ${ecs.workerTasks} worker task(s) of ${ecs.workerVcpu} vCPU / ${ecs.workerMemoryGb} GB, ElastiCache ${ecs.redis.kind} of ${ecs.redis.nodes} x ${ecs.redis.nodeType}, ${ecs.natGateways} NAT gateway(s), logs kept ${ecs.logRetentionDays} days; API Gateway: ${apigw.functions.length} Lambda functions of ${apigw.lambdaMemoryMb} MB ${apigw.arch}, ${apigw.tables.length} DynamoDB tables ${apigw.tables[0]?.billing}, logs kept ${apigw.logRetentionDays} days.`;
}

const sentenceQuantity = (value: number, unit: string) =>
  `${quantity(value)} ${unit}${value === 1 ? '' : 's'}`;

/**
 * `syncbell cost --explain`: every line item as a sentence (what is counted, how many, at what
 * price), then the option's assumptions, its range and its limits, after the deployment read.
 */
export function explainReport(report: CostReport, breakEven: readonly string[]): string {
  const out: string[] = [
    `syncbell cost --explain: monthly USD in ${report.workload.region} (${archWords(report)}); a month is 730 hours; free tiers are not applied.`,
    describeDeployment(report),
    '',
  ];
  for (const option of report.options) {
    out.push(`${option.label} (${option.id}) costs ${usd(option.monthlyUsd)} a month${range(option)}:`);
    for (const line of option.lines) {
      out.push(
        `  - ${line.item}: ${sentenceQuantity(line.quantity, line.unit)} at ${unitPrice(line.unitPriceUsd, line.unit)} come to ${usd(line.usd)}.`,
      );
    }
    out.push('  It assumes:', ...option.assumptions.map((assumption) => `  - ${assumption}`));
    if (option.range)
      out.push(`  Range ${usd(option.range.lowUsd)} to ${usd(option.range.highUsd)}: ${option.range.why}.`);
    if (option.limits) out.push('  Limits:', ...option.limits.map((limit) => `  - ${limit}`));
    out.push('');
  }
  out.push(...breakEven, '');
  return `${out.join('\n')}\n`;
}
