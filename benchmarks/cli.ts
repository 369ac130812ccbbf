import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { MultiBar, Presets } from 'cli-progress';
import type { Contender } from './contenders/contender.js';
import { CONTENDERS } from './contenders/index.js';
import { evaluateGate, type GateFile, loadGateFile, printGateReport, printRunSummary } from './gate.js';
import { runBenchmarks, SCENARIOS, type ScenarioId } from './harness.js';
import { mergeResults } from './merge.js';
import { PROFILES } from './profiles.js';
import {
  FIGURE_DOCS,
  figuresBlock,
  HEADLINE_MARKERS,
  readmeHeadline,
  replaceFiguresBlock,
} from './report/markdown.js';
import { writeReport } from './report/write.js';
import { type BenchResults, resultsSchema } from './results-schema.js';
import { targetContender } from './target.js';

const HELP = `usage: syncbell bench [options]

Runs every contender through every scenario and writes DIR/results.json, DIR/report.md and
DIR/report.html.

  --quick              small counts, every contender and scenario, under 60 s (CI smoke)
  --out DIR            where results go (default: benchmarks/results/latest for the full
                       profile; a fresh temp directory for --quick, --merge-into and
                       --cpu-prof, printed at the end)
  --contenders a,b     only these (${CONTENDERS.map((c) => c.id).join(', ')})
  --scenarios x,y      only these (${SCENARIOS.join(', ')})
  --runs N             measured runs per figure (after one warm-up)
  --scale-containers a,b  the scale and scale-cluster scenarios' container counts (full: 2,4,8;
                          quick: 2,4 and 2)
  --scale-connections N   its connections, spread over the containers (full: 10000)
  --scale-rate N          its notifications per second (full: 500)
  --target URL         run the client side against a deployed stack (unicast and fan-out only),
                       publishing through its POST /v1/publish: https://… the socket.io
                       variant's load balancer (the route at URL/v1/publish, with
                       SYNCBELL_PUBLISH_API_KEY, one of the containers' PUBLISH_API_KEYS);
                       wss://… the API Gateway stage (with --publish-url). Clients sign tokens
                       with JWT_SECRET: export the stack's secret
  --publish-url URL    the stack's POST /v1/publish URL (required for API Gateway). API Gateway
                       requests are SigV4-signed from the default AWS credential chain, or carry
                       SYNCBELL_PUBLISH_API_KEY (environment only: argv lands in the report)
                       in x-api-key when that is set. API Gateway runs are capped at 1,000
                       connections, 100/s (docs/DEPLOY.md says what each scenario costs)
  --redis-url URL      use this Redis (default: a private redis-server for the run)
  --cpu-prof DIR       profile the server processes (ECS containers, contender servers; not the
                       emulated API Gateway's serverless-offline) with V8's
                       CPU profiler: one .cpuprofile per process in DIR, written when the run
                       stops it (gracefully, SIGTERM); open them in Chrome DevTools or speedscope.
                       The profiler costs CPU: figures of a profiled run are not comparable
  --gate FILE          check FILE's ratios between contenders of this run (JSON, see
                       benchmarks/gates/); exit 1 when a check fails or its metric is missing
                       (a contender or scenario that did not run or failed; the table says which)
  --render DIR         only re-render DIR/report.md and DIR/report.html from DIR/results.json;
                       with --gate, write nothing: evaluate DIR/results.json against the gate
  --docs               with --render: also rewrite the figures block of docs/BENCHMARKS.md and the
                       headline of README.md (<!-- bench:latest -->, <!-- readme:bench -->); run from the
                       repository root
  --merge-into DIR     put the scenarios this run measured into DIR/results.json (same profile),
                       record that they were re-measured, and re-render DIR's report
  --help

Every run ends with a summary table on stdout (and the gate's table with --gate). Exit codes:
0 done (and the gate passed), 1 a gate check failed or could not be evaluated.
`;

/** Prints the end-of-run summary and, with a gate, its verdicts; the exit code. */
function finish(results: BenchResults, gate: { file: GateFile; path: string } | undefined): number {
  printRunSummary(results, process.stdout);
  if (!gate) return 0;
  const report = evaluateGate(results, gate.file);
  printGateReport(report, gate.path, process.stdout);
  return report.passed ? 0 : 1;
}

export async function runBench(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      contenders: { type: 'string' },
      scenarios: { type: 'string' },
      runs: { type: 'string' },
      'scale-containers': { type: 'string' },
      'scale-connections': { type: 'string' },
      'scale-rate': { type: 'string' },
      target: { type: 'string' },
      'publish-url': { type: 'string' },
      'redis-url': { type: 'string' },
      'cpu-prof': { type: 'string' },
      render: { type: 'string' },
      docs: { type: 'boolean' },
      'merge-into': { type: 'string' },
      gate: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  // Read before a run of up to an hour, so a typo in the gate file fails at once.
  const knownIds = [...CONTENDERS.map((c) => c.id), ...(values.target ? ['target'] : [])];
  const gate = values.gate
    ? { file: await loadGateFile(values.gate, knownIds), path: values.gate }
    : undefined;
  if (values.render) {
    // Re-render the report from an existing results file (after a report change, no re-run).
    const results = resultsSchema.parse(
      JSON.parse(await readFile(join(values.render, 'results.json'), 'utf8')),
    );
    if (gate) {
      if (values.docs) throw new Error('--render DIR --gate FILE writes nothing: leave out --docs');
      return finish(results, gate);
    }
    const paths = await writeReport(values.render, results);
    process.stdout.write(`rewrote ${paths.markdown}\n        ${paths.html}\n`);
    if (values.docs) {
      const { guide, readme } = FIGURE_DOCS;
      const report = relative(dirname(guide), paths.markdown).split(sep).join('/');
      const guideText = await readFile(guide, 'utf8');
      await writeFile(guide, replaceFiguresBlock(guideText, figuresBlock(results, report)));
      const headline = readmeHeadline(results, relative(dirname(readme), guide).split(sep).join('/'));
      await writeFile(
        readme,
        replaceFiguresBlock(await readFile(readme, 'utf8'), headline, HEADLINE_MARKERS),
      );
      process.stdout.write(`        ${guide} (figures block), ${readme} (headline)\n`);
    }
    return 0;
  }
  if (values.docs) throw new Error('--docs goes with --render DIR');
  const profile = { ...PROFILES[values.quick ? 'quick' : 'full'] };
  if (values.runs) {
    const runs = Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
    profile.runs = runs;
  }
  const positiveInt = (flag: string, raw: string) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer`);
    return n;
  };
  if (values['scale-containers']) {
    profile.scaleContainers = values['scale-containers']
      .split(',')
      .map((s) => positiveInt('--scale-containers', s.trim()));
    profile.scaleClusterContainers = profile.scaleContainers;
  }
  if (values['scale-connections'])
    profile.scaleConnections = positiveInt('--scale-connections', values['scale-connections']);
  if (values['scale-rate']) profile.scaleRatePerSecond = positiveInt('--scale-rate', values['scale-rate']);
  const list = (raw: string | undefined) =>
    raw
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const wanted = list(values.contenders);
  const unknown = wanted?.filter((id) => !CONTENDERS.some((c) => c.id === id)) ?? [];
  if (unknown.length > 0) throw new Error(`unknown contender(s): ${unknown.join(', ')}`);
  let contenders: Contender[] = CONTENDERS.filter((c) => !wanted || wanted.includes(c.id));
  const scenarioList = list(values.scenarios) ?? [...SCENARIOS];
  const badScenarios = scenarioList.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (badScenarios.length > 0) throw new Error(`unknown scenario(s): ${badScenarios.join(', ')}`);
  let scenarios = scenarioList as ScenarioId[];
  if (values['publish-url'] && !values.target) throw new Error('--publish-url goes with --target');
  if (values.target) {
    const apiKey = process.env.SYNCBELL_PUBLISH_API_KEY;
    contenders = [
      targetContender({
        url: values.target,
        ...(values['publish-url'] ? { publishUrl: values['publish-url'] } : {}),
        ...(apiKey ? { publishApiKey: apiKey } : {}),
      }),
    ];
    scenarios = scenarios.filter((s) => s === 'unicast' || s === 'fanout');
  }
  const cpuProfileDir = values['cpu-prof'] ? resolve(values['cpu-prof']) : undefined;
  if (cpuProfileDir) {
    // A profiled run's figures carry the profiler's cost: never merged into, or written as, a committed run.
    if (values.target)
      throw new Error('--cpu-prof profiles local server processes: it does not go with --target');
    if (values['merge-into'])
      throw new Error('--cpu-prof figures carry the profiler: they are not merged (leave out --merge-into)');
    await mkdir(cpuProfileDir, { recursive: true });
  }
  const out =
    values.out ??
    (values.quick || values['merge-into'] || cpuProfileDir
      ? await mkdtemp(join(tmpdir(), 'syncbell-bench-'))
      : 'benchmarks/results/latest');
  if (values['merge-into'] && resolve(values['merge-into']) === resolve(out))
    throw new Error(
      '--merge-into DIR needs --out elsewhere: the partial run must not overwrite the run it merges into',
    );

  const tty = process.stderr.isTTY;
  const bars = tty
    ? new MultiBar(
        {
          stream: process.stderr,
          clearOnComplete: false,
          hideCursor: true,
          format: ' {bar} {value}/{total} {label}',
        },
        Presets.shades_classic,
      )
    : undefined;
  const bar = bars?.create(1, 0, { label: 'starting' });
  let lastLabel = '';
  const started = Date.now();
  const results = await runBenchmarks({
    profile,
    contenders,
    scenarios,
    command: `syncbell bench ${argv.join(' ')}`.trim(),
    ...(values['redis-url'] ? { redisUrl: values['redis-url'] } : {}),
    ...(values.target ? { target: values.target } : {}),
    ...(cpuProfileDir ? { cpuProfileDir } : {}),
    progress: (label, done, total) => {
      if (bar) {
        bar.setTotal(Math.max(1, total));
        bar.update(done, { label });
      } else if (label !== lastLabel) {
        process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${label}\n`);
      }
      lastLabel = label;
    },
    log: (line) => {
      if (/failed|error/i.test(line)) bars ? bars.log(`${line}\n`) : process.stderr.write(`${line}\n`);
    },
  });
  bars?.stop();
  const paths = await writeReport(out, results);
  process.stdout.write(`wrote ${paths.json}\n      ${paths.markdown}\n      ${paths.html}\n`);
  if (values['merge-into']) {
    // The merged results are what lands: the summary and the gate speak of them.
    const into = values['merge-into'];
    const base = resultsSchema.parse(JSON.parse(await readFile(join(into, 'results.json'), 'utf8')));
    const merged = mergeResults(base, results, scenarios);
    const mergedPaths = await writeReport(into, merged);
    process.stdout.write(`merged ${scenarios.join(', ')} into ${mergedPaths.json}\n`);
    return finish(merged, gate);
  }
  return finish(results, gate);
}
