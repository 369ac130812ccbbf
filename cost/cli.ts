import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeCrossovers, findCrossovers } from './breakeven.js';
import { benchmarkResultsSchema, type BenchmarkResults } from './capacity.js';
import { CostInputError } from './errors.js';
import { deploymentFromCdkJson } from './deployed.js';
import { explainReport, formatReport } from './format.js';
import { computeCosts, describeZodError } from './model.js';
import { REGIONS } from './prices.js';
import { ARCHES, type WorkloadInput } from './workload.js';

export const COST_USAGE = `usage: syncbell cost [options]

Monthly cost of each option (ECS socket.io / raw ws / SSE / long polling + Redis, API Gateway
WebSocket + Lambda + DynamoDB, and AppSync Events: priced, not implemented or measured here)
for a workload, line by line, priced as infra/ deploys it (infra/lib/config.ts + cdk.json),
then the break-even points and every assumption. A month is 730 hours; free tiers are not
applied. ECS capacity is measured: the committed benchmark results unless told otherwise.

options (defaults in brackets):
  --avg-connections N        average concurrent connections [1000]
  --peak-connections N       concurrent connections at the busiest hour [2.5 x average]
  --connects-per-day N       new connections a day [average x 24: 1-hour connections]
  --notifications-per-day N  notifications published a day [20 x average connections]
  --message-bytes N          bytes of one notification frame [512]
  --connections-per-user N   connections each notification goes to (tabs, devices) [1.2]
  --keepalive-seconds N      keep-alive interval for every option, below 600 (API
                             Gateway's idle timeout) [each option's own: 25 s on ECS,
                             300 s on API Gateway]
  --region NAME              ${REGIONS.join(', ')} [us-east-1]
  --arch NAME                ${ARCHES.join(', ')}, overriding both stacks [as deployed: arm64]
  --from-results FILE        benchmark results.json: its measured capacity per option
                             [benchmarks/results/latest/results.json]
  --documented-defaults      price ECS with the documented default capacity instead
  --json                     print the report as JSON
  --explain                  every line item and assumption in words
  --chart FILE.svg           also write the cost-vs-connections chart as SVG
  --map FILE.svg             also write the break-even map (cheapest option by connections
                             and notifications per connection per day) as SVG
  --help                     this text

Exit codes: 0 done, 2 bad input.
`;

/** The committed benchmark results: the ECS capacity `syncbell cost` prices with by default. */
export const COMMITTED_RESULTS = fileURLToPath(
  new URL('../benchmarks/results/latest/results.json', import.meta.url),
);

const NUMERIC_FLAGS = {
  'avg-connections': 'avgConnections',
  'peak-connections': 'peakConnections',
  'connects-per-day': 'connectsPerDay',
  'notifications-per-day': 'notificationsPerDay',
  'message-bytes': 'messageBytes',
  'connections-per-user': 'connectionsPerUser',
  'keepalive-seconds': 'keepaliveSeconds',
} as const satisfies Record<string, keyof WorkloadInput>;

function parseNumber(flag: string, text: string): number {
  // Number('') is 0 and Number('0x10') is 16: accept plain decimals only.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text.trim())) {
    throw new CostInputError(`--${flag} must be a number, got "${text}"`, { field: `--${flag}` });
  }
  const value = Number(text);
  if (value < 0)
    throw new CostInputError(`--${flag} must not be negative, got ${text}`, { field: `--${flag}` });
  return value;
}

async function readResults(file: string): Promise<BenchmarkResults> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CostInputError(`--from-results: cannot read ${file} (${(error as Error).message})`, {
      field: '--from-results',
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CostInputError(`--from-results: ${file} is not JSON (${(error as Error).message})`, {
      field: '--from-results',
      cause: error,
    });
  }
  const parsed = benchmarkResultsSchema.safeParse(json);
  if (!parsed.success) {
    throw new CostInputError(
      `--from-results: ${file} does not match the results schema: ${describeZodError(parsed.error)}`,
      {
        field: '--from-results',
      },
    );
  }
  return parsed.data;
}

/**
 * `--peak-connections -5` would make parseArgs complain that the option "is ambiguous"; join a
 * negative number to its flag so the user hears the real problem (it must not be negative).
 */
function joinNegativeNumbers(argv: readonly string[]): string[] {
  const joined: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] as string;
    const next = argv[index + 1];
    if (arg.slice(2) in NUMERIC_FLAGS && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      joined.push(`${arg}=${next}`);
      index++;
    } else {
      joined.push(arg);
    }
  }
  return joined;
}

async function run(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: joinNegativeNumbers(argv),
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(Object.keys(NUMERIC_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
        region: { type: 'string' },
        arch: { type: 'string' },
        'from-results': { type: 'string' },
        'documented-defaults': { type: 'boolean' },
        chart: { type: 'string' },
        map: { type: 'string' },
        json: { type: 'boolean' },
        explain: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    // parseArgs words these well ("Unknown option '--avg'"); keep its message.
    throw new CostInputError((error as Error).message, { cause: error });
  }
  if (values.help) {
    process.stdout.write(COST_USAGE);
    return 0;
  }
  const input: Record<string, unknown> = {};
  for (const [flag, field] of Object.entries(NUMERIC_FLAGS)) {
    const text = values[flag];
    if (typeof text === 'string') input[field] = parseNumber(flag, text);
  }
  if (typeof values.region === 'string') input.region = values.region;
  if (typeof values.arch === 'string') input.arch = values.arch;
  if (values['documented-defaults'] && typeof values['from-results'] === 'string') {
    throw new CostInputError('--from-results and --documented-defaults exclude each other', {
      field: '--documented-defaults',
    });
  }
  const capacity = values['documented-defaults']
    ? undefined
    : await readResults(
        typeof values['from-results'] === 'string' ? values['from-results'] : COMMITTED_RESULTS,
      );
  const options = { ...(capacity ? { capacity } : {}), deployment: deploymentFromCdkJson() };
  const report = computeCosts(input as WorkloadInput, options);
  const crossovers = findCrossovers(report.workload, options);
  const sentences = describeCrossovers(report.workload, crossovers, options);

  if (typeof values.chart === 'string') {
    if (report.workload.avgConnections <= 0) {
      throw new CostInputError(
        '--chart needs --avg-connections above 0 (the chart scales the workload from it)',
        { field: '--chart' },
      );
    }
    // vega is heavy to load: only when a chart is asked for.
    const { renderCostChartSvg } = await import('./chart.js');
    const chart = await renderCostChartSvg(report.workload, options);
    await writeFile(values.chart, chart.svg);
  }
  if (typeof values.map === 'string') {
    const { renderBreakEvenMapSvg } = await import('./map.js');
    await writeFile(values.map, await renderBreakEvenMapSvg(report.workload, options));
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ...report, breakEven: { crossovers, sentences } }, null, 2)}\n`);
  } else {
    process.stdout.write(values.explain ? explainReport(report, sentences) : formatReport(report, sentences));
    if (typeof values.chart === 'string') process.stdout.write(`\nchart written to ${values.chart}\n`);
    if (typeof values.map === 'string') process.stdout.write(`\nmap written to ${values.map}\n`);
  }
  return 0;
}

/** `syncbell cost`: exit 0 on success, 2 on bad input (the message says which flag and why). */
export async function runCost(argv: string[]): Promise<number> {
  try {
    return await run(argv);
  } catch (error) {
    if (error instanceof CostInputError) {
      process.stderr.write(`syncbell cost: ${error.message}\nrun "syncbell cost --help" for the flags\n`);
      return 2;
    }
    throw error;
  }
}
