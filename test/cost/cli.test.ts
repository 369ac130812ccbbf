import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { DEFAULT_LABEL, OPTION_IDS } from '../../cost/capacity.js';
import type { CostReport } from '../../cost/report.js';

const BIN = new URL('../../bin/syncbell.js', import.meta.url).pathname;
const REPO = new URL('../..', import.meta.url).pathname;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in its own process, as a user would. */
function syncbell(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 90_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const OVERHEAD_LINES = ['CloudWatch Logs ingested', 'CloudWatch Logs stored', 'Secrets Manager'];
const ECS_LINES = [
  'Fargate vCPU: servers',
  'Fargate memory: servers',
  'Fargate vCPU: worker',
  'Fargate memory: worker',
  'ALB hours',
  'ALB capacity units',
  'ElastiCache nodes',
  'NAT gateway hours',
  'NAT gateway data processed',
  'Public IPv4 addresses',
  'Data transfer out to the internet',
  ...OVERHEAD_LINES,
  'CloudWatch alarms',
];
const APPSYNC_LINES = [
  'AppSync Events connection-minutes',
  'AppSync Events operations: connects',
  'AppSync Events operations: subscribes',
  'AppSync Events operations: publishes',
  'AppSync Events operations: deliveries',
  'Lambda requests: authorizer',
  'Lambda compute: authorizer',
  'Lambda requests: publisher',
  'Lambda compute: publisher',
  'Lambda requests: replay add-on',
  'Lambda compute: replay add-on',
  'Replay add-on: DynamoDB log append',
  'Replay add-on: DynamoDB query',
  'Data transfer out to the internet',
  ...OVERHEAD_LINES,
];
const APIGW_LINES = [
  'API Gateway connection-minutes',
  'API Gateway messages: notifications out',
  'API Gateway messages: keep-alive pings in + pongs out',
  'API Gateway messages: catch-up resume in + replay out',
  'API Gateway messages: resume in + replay out',
  'Lambda requests: authorizer',
  'Lambda compute: authorizer',
  'Lambda requests: $connect',
  'Lambda compute: $connect',
  'Lambda requests: $disconnect',
  'Lambda compute: $disconnect',
  'Lambda requests: $default',
  'Lambda compute: $default',
  'Lambda requests: notify',
  'Lambda compute: notify',
  'DynamoDB writes: $connect',
  'DynamoDB writes: $disconnect',
  'DynamoDB writes: notify log append',
  'DynamoDB writes: notify job claim',
  'DynamoDB reads: notify GSI query',
  'DynamoDB writes: stale connections',
  'DynamoDB reads: resume query',
  'DynamoDB reads: keep-alive log position',
  'DynamoDB reads: catch-up resume query',
  'Data transfer out to the internet',
  ...OVERHEAD_LINES,
  'CloudWatch alarms',
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'syncbell-cost-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Each case spawns its own process; running them side by side keeps the file to a few seconds.
describe.concurrent('syncbell cost (the "Done when" command)', () => {
  it('prints a full breakdown for every option as JSON', async ({ expect }) => {
    // Exactly the command of issue 6's "Done when", through npx from the repository root.
    const run = await new Promise<Run>((resolve) => {
      execFile(
        'npx',
        'syncbell cost --avg-connections 10000 --peak-connections 25000 --notifications-per-day 200000 --json'.split(
          ' ',
        ),
        { cwd: REPO, timeout: 90_000 },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? -1) : 0, stdout, stderr }),
      );
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as CostReport & { breakEven: { sentences: string[] } };
    expect(report.workload).toMatchObject({
      avgConnections: 10_000,
      peakConnections: 25_000,
      notificationsPerDay: 200_000,
      region: 'us-east-1',
      arch: null,
    });
    // Priced as deployed (infra/lib/config.ts + cdk.json): arm64, and node-based Redis.
    expect(report.deployment.ecs).toMatchObject({ arch: 'arm64', redis: { kind: 'replication-group' } });
    expect(report.options.map((option) => option.id)).toEqual([...OPTION_IDS]);
    for (const option of report.options) {
      const expected =
        option.id === 'apigw' ? APIGW_LINES : option.id === 'appsync-events' ? APPSYNC_LINES : ECS_LINES;
      expect(option.lines.map((line) => expected.findIndex((start) => line.item.startsWith(start)))).toEqual(
        expected.map((_, index) => index),
      );
      for (const line of option.lines) {
        expect(Object.keys(line).sort()).toEqual(['item', 'quantity', 'unit', 'unitPriceUsd', 'usd']);
        expect(line.quantity).toBeGreaterThan(0);
        expect(line.usd).toBeGreaterThan(0);
      }
      expect(option.monthlyUsd).toBeGreaterThan(0);
      expect(option.assumptions.length).toBeGreaterThan(3);
      // Measured capacity by default: the committed benchmark results.
      if (option.id.startsWith('ecs-')) {
        expect(option.assumptions.join('\n')).toContain('(measured)');
        expect(option.assumptions.join('\n')).not.toContain(DEFAULT_LABEL);
      }
    }
    const appsync = report.options.find((option) => option.id === 'appsync-events');
    expect(appsync?.label).toContain('priced, not implemented or measured here');
    expect(appsync?.range?.highUsd).toBeGreaterThan(appsync?.monthlyUsd ?? 0);
    expect(
      Object.values(report.prices.figures).every((figure) => figure.sourceUrl.startsWith('https://')),
    ).toBe(true);
    expect(report.breakEven.sentences.length).toBeGreaterThan(1);
  }, 90_000);

  it('prints a table, break-even and assumptions without --json', async ({ expect }) => {
    const run = await syncbell('cost');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('ecs-socketio: ECS + ALB: socket.io + Redis adapter');
    expect(run.stdout).toContain('Break-even along this workload');
    expect(run.stdout).toContain('assumptions:');
    expect(run.stdout).toContain('https://aws.amazon.com/api-gateway/pricing/, read 2026-11-27');
  });

  it('explains every line item and assumption in words with --explain', async ({ expect }) => {
    const run = await syncbell('cost', '--explain');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /Deployment \(infra\/lib\/config\.ts \+ cdk\.json context\): ECS 2 to 10 server tasks/,
    );
    expect(run.stdout).toMatch(
      /- NAT gateway hours \(1\): 730 NAT gateway-hours at \$0\.045 per NAT gateway-hour come to \$32\.85\./,
    );
    expect(run.stdout).toContain(
      'AppSync Events + Lambda + DynamoDB replay (priced, not implemented or measured here)',
    );
    expect(run.stdout).toContain('Limits:');
    expect(run.stdout).toContain('240 KB');
  });

  it('prices ECS with the documented defaults on request', async ({ expect }) => {
    const run = await syncbell('cost', '--documented-defaults', '--json');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as CostReport;
    expect(report.options.find((option) => option.id === 'ecs-ws')?.assumptions.join('\n')).toContain(
      DEFAULT_LABEL,
    );
  });

  it('prints usage with --help', async ({ expect }) => {
    const run = await syncbell('cost', '--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--from-results FILE');
  });
});

describe.concurrent('syncbell cost files', () => {
  it('reads measured capacity with --from-results', async ({ expect }) => {
    const file = join(dir, 'results.json');
    await writeFile(
      file,
      JSON.stringify({
        date: '2026-12-02',
        machine: { cores: 2 },
        capacity: {
          'ecs-sse': {
            connectionsPerTask: 5000,
            cpuSecondsPer1000Notifications: 0.02,
            rssBytesPerConnection: 9000,
            measured: true,
          },
        },
      }),
    );
    const run = await syncbell('cost', '--from-results', file, '--json');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as CostReport;
    const sse = report.options.find((option) => option.id === 'ecs-sse');
    expect(sse?.assumptions[0]).toContain('5,000 connections (measured)');
    expect(sse?.assumptions[0]).toContain('2026-12-02');
  });

  it('writes the chart with --chart', async ({ expect }) => {
    const file = join(dir, 'chart.svg');
    const run = await syncbell('cost', '--avg-connections', '5000', '--chart', file);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`chart written to ${file}`);
    expect((await readFile(file, 'utf8')).startsWith('<svg')).toBe(true);
  }, 90_000);
});

describe.concurrent('syncbell cost bad input', () => {
  it.for([
    [['--avg-conections', '10'], /Unknown option '--avg-conections'/],
    [['--avg-connections', 'ten'], /--avg-connections must be a number, got "ten"/],
    [['--avg-connections', ''], /--avg-connections must be a number/],
    [['--notifications-per-day', '-5'], /--notifications-per-day must not be negative, got -5/],
    [
      ['--avg-connections', '100', '--peak-connections', '50'],
      /peakConnections \(50\) must not be below avgConnections \(100\)/,
    ],
    [['--region', 'mars-1'], /unknown region "mars-1" \(known: us-east-1, eu-west-1\)/],
    [
      ['--documented-defaults', '--from-results', 'x.json'],
      /--from-results and --documented-defaults exclude each other/,
    ],
    [['--arch', 'sparc'], /unknown arch "sparc" \(known: x86_64, arm64\)/],
    [['--keepalive-seconds', '0'], /keepaliveSeconds must be above 0/],
    [['--keepalive-seconds', '900'], /keepaliveSeconds must be below 600 \(got 900\)/],
    [
      ['--from-results', '/nonexistent/results.json'],
      /--from-results: cannot read \/nonexistent\/results.json/,
    ],
    [['extra'], /Unexpected argument 'extra'/],
  ] as [string[], RegExp][])('exits 2 for %j', async ([args, message], { expect }) => {
    const run = await syncbell('cost', ...args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain('syncbell cost --help');
  });

  it('exits 2 for a results file that does not match the schema', async ({ expect }) => {
    const file = join(dir, 'bad-results.json');
    await writeFile(
      file,
      JSON.stringify({ date: 'x', machine: {}, capacity: { 'ecs-sse': { measured: true } } }),
    );
    const run = await syncbell('cost', '--from-results', file);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/does not match the results schema: capacity\.ecs-sse\.connectionsPerTask/);
  });
});
