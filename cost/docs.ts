import { findCrossovers, roundForWords, shortName } from './breakeven.js';
import { type BenchmarkResults, type EcsOptionId, OPTION_IDS } from './capacity.js';
import { connectionsPerTask, DEFAULT_ECS_SIZING } from './ecs.js';
import { type Deployment, deploymentFrom } from './deployed.js';
import type { MapMarker } from './map.js';
import { type ComputeCostsOptions, computeCosts } from './model.js';
import { resolveCapacity } from './capacity.js';
import type { CostReport } from './report.js';
import { resolveWorkload, type WorkloadInput } from './workload.js';

/**
 * The "What it costs" section of docs/COST.md and its headline in README.md, generated from the
 * committed benchmark results and the deployment, so the published figures are the model's.
 * `npx tsx cost/write-docs.ts` writes them and the charts; test/cost/docs.test.ts checks both
 * documents hold exactly this text.
 */

export const SUMMARY_BEGIN = '<!-- cost:summary -->';
export const SUMMARY_END = '<!-- /cost:summary -->';
export const HEADLINE_BEGIN = '<!-- readme:cost -->';
export const HEADLINE_END = '<!-- /readme:cost -->';
export const SENSITIVITY_BEGIN = '<!-- cost:sensitivity -->';
export const SENSITIVITY_END = '<!-- /cost:sensitivity -->';

/** The three workloads of the docs, as `syncbell cost` flags would give them. */
export const DOC_WORKLOADS = {
  small: { avgConnections: 500, peakConnections: 1500, notificationsPerDay: 5000 },
  medium: { avgConnections: 10_000, peakConnections: 25_000, notificationsPerDay: 200_000 },
  large: { avgConnections: 200_000, peakConnections: 500_000, notificationsPerDay: 5_000_000 },
} as const satisfies Record<string, WorkloadInput>;

export const MAP_MARKERS: MapMarker[] = Object.entries(DOC_WORKLOADS).map(([label, workload]) => ({
  label,
  avgConnections: workload.avgConnections,
  notificationsPerConnectionPerDay: workload.notificationsPerDay / workload.avgConnections,
}));

const money = (usd: number) =>
  `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const count = (value: number) => value.toLocaleString('en-US');

function span(values: number[]): string {
  const low = roundForWords(Math.min(...values));
  const high = roundForWords(Math.max(...values));
  return low === high ? low : `${low}-${high}`;
}

/** The break-even of the deployed stacks (ECS socket.io against API Gateway) on the medium shape. */
export function deployedBreakEven(options: ComputeCostsOptions): {
  avgConnections: number;
  monthlyUsd: number;
} {
  const crossover = findCrossovers(resolveWorkload(DOC_WORKLOADS.medium), options).find(
    (candidate) => candidate.cheaperAbove === 'ecs-socketio',
  );
  if (!crossover) throw new Error('the deployed stacks do not cross on the medium workload');
  return crossover;
}

function cell(report: CostReport, id: (typeof OPTION_IDS)[number], defaults: ReadonlySet<string>): string {
  const option = report.options.find((candidate) => candidate.id === id);
  if (!option) return 'n/a';
  const cheapest = Math.min(...report.options.map((candidate) => candidate.monthlyUsd));
  const figure = money(option.monthlyUsd);
  const marked = `${option.monthlyUsd === cheapest ? `**${figure}**` : figure}${defaults.has(id) ? ' †' : ''}`;
  const high = option.range?.highUsd ?? option.monthlyUsd;
  return high - option.monthlyUsd >= 0.5 ? `${marked} (to ${money(high)})` : marked;
}

/** The deployed-stack warnings (maxCount, node type) of the socket.io option: what had to be raised. */
function warningsOf(report: CostReport): string[] {
  const option = report.options.find((candidate) => candidate.id === 'ecs-socketio');
  return (option?.assumptions ?? [])
    .filter((text) => text.startsWith('Warning: '))
    .map((text) => text.slice('Warning: '.length));
}

export function renderCostSection(results: BenchmarkResults, deployment: Deployment): string {
  const options: ComputeCostsOptions = { capacity: results, deployment };
  const capacity = resolveCapacity(results);
  const defaults = new Set((Object.keys(capacity) as EcsOptionId[]).filter((id) => !capacity[id].measured));
  const { ecs, apigw } = deployment;
  const reports = Object.fromEntries(
    Object.entries(DOC_WORKLOADS).map(([name, workload]) => [name, computeCosts(workload, options)]),
  ) as Record<keyof typeof DOC_WORKLOADS, CostReport>;
  const rows = Object.entries(DOC_WORKLOADS).map(([name, workload]) => {
    const report = reports[name as keyof typeof DOC_WORKLOADS];
    const warned = warningsOf(report).length > 0 ? ' ‡' : '';
    return `| ${name}${warned}: ${count(workload.avgConnections)} / ${count(workload.peakConnections)}, ${count(workload.notificationsPerDay)} | ${OPTION_IDS.map((id) => cell(report, id, defaults)).join(' | ')} |`;
  });
  const warnings = Object.entries(reports).flatMap(([name, report]) =>
    warningsOf(report).map((warning) => `${name}: ${warning}`),
  );
  const medium = resolveWorkload(DOC_WORKLOADS.medium);
  const deployed = deployedBreakEven(options);
  const apigwCrossings = findCrossovers(medium, options).filter((c) => c.cheaperBelow === 'apigw');
  const appsyncCrossings = findCrossovers(medium, options, {}, 'appsync-events').filter(
    (c) => c.cheaperBelow === 'appsync-events',
  );
  const floor = reports.small.options.find((option) => option.id === 'ecs-socketio');
  const socketio = capacity['ecs-socketio'];
  const memoryBound = connectionsPerTask(
    { ...socketio, connectionsPerTask: Number.POSITIVE_INFINITY },
    DEFAULT_ECS_SIZING,
    ecs,
  );
  const machine = results.machine as { cpus?: number; cpuModel?: string };
  const defaultNote =
    defaults.size === 0
      ? 'every ECS figure is measured (a cell marked † would be a documented default, for an option those results lack)'
      : `cells marked † use a documented default: those results lack ${[...defaults].join(', ')}`;
  const lines = [
    SUMMARY_BEGIN,
    '<!-- Generated by `npx tsx cost/write-docs.ts` from benchmarks/results/latest/results.json and infra/lib/config.ts; test/cost/docs.test.ts checks it. Links are relative to docs/: it is written for docs/COST.md. -->',
    '## What it costs',
    '',
    `Monthly AWS bill in us-east-1 of exactly what \`npx cdk deploy\` creates from this checkout (\`infra/lib/config.ts\` + \`cdk.json\`): ECS ${ecs.minTasks} to ${ecs.maxTasks} tasks of ${ecs.taskVcpu} vCPU / ${ecs.taskMemoryGb} GB ${ecs.arch} behind an ALB, ${ecs.workerTasks} worker task, ${ecs.redis.nodes} x \`${ecs.redis.nodeType}\` (a node-based replication group, Multi-AZ), ${ecs.natGateways} NAT gateway; Lambda ${apigw.lambdaMemoryMb} MB ${apigw.arch}, DynamoDB on-demand; logs kept ${ecs.logRetentionDays} days, secrets, alarms. A month is 730 hours, no free tiers. ECS capacity is **measured**: the committed benchmark results of ${results.date.slice(0, 10)} (\`benchmarks/results/latest\`, what \`npx syncbell cost\` reads by default); ${defaultNote}. AppSync Events is **priced, not implemented or measured here**. Every line item: \`npx syncbell cost ... --explain\`; every assumption and source: [the model](#the-model) and [the prices](#prices) below.`,
    '',
    `| Workload (average / peak connections, notifications a day) | ${OPTION_IDS.map((id) => shortName(id)).join(' | ')} |`,
    `|---|${OPTION_IDS.map(() => '---:').join('|')}|`,
    ...rows,
    '',
    ...(warnings.length > 0
      ? [
          `‡ The stack's defaults cannot carry this workload; the bill is that of the stack with the knobs raised (ECS socket.io; the other ECS servers alike): ${warnings.join(' ')}`,
          '',
        ]
      : []),
    '"(to $X)" is the top of the range: for ECS, this machine\'s CPU-seconds at 1.5x on a Fargate vCPU and the busiest hour\'s fleet kept all month; for AppSync Events, its "ka" keep-alive messages billed as operations (the pricing page is silent on them).',
    '',
    `**Break-even of the deployed stacks:** API Gateway WebSocket is cheaper than ECS socket.io + Redis below about **${roundForWords(deployed.avgConnections)} average concurrent connections** (about $${deployed.monthlyUsd.toFixed(0)} a month there; ~${span(apigwCrossings.map((c) => c.avgConnections))} against the four ECS servers), along the medium workload's shape, and dearer above it. The ECS floor is about $${floor?.monthlyUsd.toFixed(0)} a month: two tasks, the worker, an ALB, two cache nodes, a NAT gateway and three public IPv4 addresses. ${appsyncCrossings.length > 0 ? `AppSync Events, if its keep-alive is not billed, is cheaper than every ECS option below about ${span(appsyncCrossings.map((c) => c.avgConnections))} connections (billed, it loses most of that ground to API Gateway).` : 'AppSync Events never crosses the ECS options along this shape.'} The map shows where each option wins:`,
    '',
    '![Cheapest option by average connections and notifications per connection per day](images/cost-map.svg)',
    '',
    `**This machine and a Fargate task.** The results come from ${machine.cpus ?? 2} cores (${machine.cpuModel ?? 'x86_64'}), one Node process per server, at most 20,000 open files per process, so ${count(socketio.connectionsPerTask)} connections held is a floor, not a ceiling. A deployed task has ${ecs.taskVcpu} vCPU and ${ecs.taskMemoryGb} GB with \`nofile\` ${count(ecs.nofileLimit)}: its memory holds about ${roundForWords(memoryBound)} socket.io connections at the measured ${count(socketio.rssBytesPerConnection)} B each, but the stack scales out at ${count(ecs.connectionsPerTaskTarget)} connections per task, and that target, not the measured capacity, sets the fleet. CPU-seconds measured on an AMD EPYC core are charged 1:1 to a Fargate ${ecs.arch} vCPU; the range above prices them at 0.8x to 1.5x, since a Graviton vCPU and this core differ by an unmeasured factor in that band.`,
    '',
    "Monthly cost against average concurrent connections, one line per option; each chart keeps its workload's other figures (notifications per connection, peak-to-average ratio) fixed:",
    '',
    '| small (5,000 notifications a day) | medium (200,000) | large (5,000,000) |',
    '|---|---|---|',
    '| ![Small workload](images/cost-small.svg) | ![Medium workload](images/cost-medium.svg) | ![Large workload](images/cost-large.svg) |',
    '',
    'Re-draw for your workload: `npx syncbell cost ... --chart FILE.svg --map MAP.svg` (flags: `npx syncbell cost --help`).',
    SUMMARY_END,
  ];
  return lines.join('\n');
}

/**
 * README.md's cost headline: the break-even of the deployed stacks and the two deployed options on
 * the three workloads, from the same model as docs/COST.md's section (which has every option).
 */
export function renderCostHeadline(results: BenchmarkResults, deployment: Deployment): string {
  const options: ComputeCostsOptions = { capacity: results, deployment };
  const deployed = deployedBreakEven(options);
  const usd = (report: CostReport, id: string) =>
    money(report.options.find((option) => option.id === id)?.monthlyUsd ?? Number.NaN);
  const rows = Object.entries(DOC_WORKLOADS).map(([name, workload]) => {
    const report = computeCosts(workload, options);
    return `| ${name}: ${count(workload.avgConnections)}, ${count(workload.notificationsPerDay)} | ${usd(report, 'ecs-socketio')} | ${usd(report, 'apigw')} |`;
  });
  return [
    HEADLINE_BEGIN,
    '<!-- Generated by `npx tsx cost/write-docs.ts` (cost/docs.ts, renderCostHeadline); test/cost/docs.test.ts checks it. -->',
    `Monthly AWS bill in us-east-1 of what \`npx cdk deploy\` creates from this checkout, ECS capacity measured by the committed benchmark run of ${results.date.slice(0, 10)}: API Gateway WebSocket is cheaper than ECS socket.io + Redis below about **${roundForWords(deployed.avgConnections)} average concurrent connections**, and dearer above. Every option (raw ws, SSE, long polling, AppSync Events priced only), the ranges and every assumption: [docs/COST.md](docs/COST.md).`,
    '',
    '| Workload (average connections, notifications a day) | ECS socket.io + Redis | API Gateway WebSocket |',
    '|---|---:|---:|',
    ...rows,
    HEADLINE_END,
  ].join('\n');
}

/**
 * docs/COST.md's "What moves the break-even": the medium workload with one change at a time,
 * each a `syncbell cost` flag or a stack knob.
 */
export function renderSensitivity(results: BenchmarkResults, deployment: Deployment): string {
  const cases: [change: string, options: ComputeCostsOptions, workload: WorkloadInput][] = [
    ['none', {}, {}],
    [
      '`--keepalive-seconds 540` (every option; the ALB idle timeout raised to match)',
      {},
      { keepaliveSeconds: 540 },
    ],
    ['`--keepalive-seconds 60`', {}, { keepaliveSeconds: 60 }],
    ['`--arch x86_64` (both stacks)', {}, { arch: 'x86_64' }],
    ['`--region eu-west-1`', {}, { region: 'eu-west-1' }],
    ['knob `natGateways: 2`', { deployment: deploymentWith(deployment, { natGateways: 2 }) }, {}],
    [
      'knob `redisReplicas: 0, redisMultiAz: false`',
      { deployment: deploymentWith(deployment, { redisReplicas: 0, redisMultiAz: false }) },
      {},
    ],
    ['knob `workerCount: 0`', { deployment: deploymentWith(deployment, { workerCount: 0 }) }, {}],
    ['`--documented-defaults` (capacity not measured)', { capacity: undefined }, {}],
  ];
  const rows = cases.map(([change, extra, workload]) => {
    const options: ComputeCostsOptions = { capacity: results, deployment, ...extra };
    const input = { ...DOC_WORKLOADS.medium, ...workload };
    const report = computeCosts(input, options);
    const usd = (id: string) => money(report.options.find((option) => option.id === id)?.monthlyUsd ?? 0);
    const crossover = findCrossovers(resolveWorkload(input), options).find(
      (c) => c.cheaperAbove === 'ecs-socketio',
    );
    return `| ${change} | ${usd('apigw')} | ${usd('ecs-socketio')} | ${crossover ? `~${roundForWords(crossover.avgConnections)}` : 'none'} |`;
  });
  return [
    SENSITIVITY_BEGIN,
    '| Change (medium workload) | API Gateway | ECS socket.io | Break-even |',
    '|---|---:|---:|---|',
    ...rows,
    SENSITIVITY_END,
  ].join('\n');
}

/** The deployment with ECS knobs changed, as `cdk.json` context would change it. */
function deploymentWith(deployment: Deployment, knobs: Record<string, unknown>): Deployment {
  return { ...deploymentFrom(knobs), source: `${deployment.source}, with ${JSON.stringify(knobs)}` };
}

/** `text` with the block between the markers replaced by `block` (markers included in `block`). */
export function replaceBlock(text: string, block: string, begin = SUMMARY_BEGIN, end = SUMMARY_END): string {
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`markers ${begin} ... ${end} not found`);
  return text.slice(0, from) + block + text.slice(to + end.length);
}

export function extractBlock(text: string, begin = SUMMARY_BEGIN, end = SUMMARY_END): string {
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  return from < 0 || to < from ? '' : text.slice(from, to + end.length);
}
