import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { shutdownClientPool } from '../benchmarks/load/fleet.js';
import { DEFAULT_SEED } from './bad-frames.js';
import { formatTable, renderReliabilityMarkdown } from './report.js';
import type { Scale, Scenario, ScenarioResult } from './scenario.js';
import { newResult, verdict } from './scenario.js';
import { allScenarios, stormScenarios } from './scenarios.js';

const SUITES = {
  faults: { scenarios: allScenarios, out: 'docs/RELIABILITY.md' },
  storms: { scenarios: stormScenarios, out: 'docs/RELIABILITY-STORMS.md' },
} as const;

function isSuite(name: string): name is keyof typeof SUITES {
  return Object.hasOwn(SUITES, name);
}

const USAGE = `usage: syncbell chaos [--suite faults|storms] [--scale full|quick] [--only id,id] [--out FILE] [--no-write]

Runs the fault and abuse scenarios against the local stacks and writes docs/RELIABILITY.md
(--suite storms: the deploy and reconnect-storm measurements, docs/RELIABILITY-STORMS.md). The
faults include a Redis Cluster's failover and slot migration under load, on a private local
cluster. Exits 1 when any scenario loses, duplicates or leaks a
notification, fails a check or exceeds its memory bound. --only picks scenarios from any suite.

faults: ${allScenarios.map((s) => s.id).join(', ')}
storms: ${stormScenarios.map((s) => s.id).join(', ')}
`;

/**
 * Hard ceiling per scenario: a hung one must not hang the run. Per scenario, not per run: the
 * faults suite grows (27 scenarios, about 10 minutes on a quiet 2-core machine) and a loaded
 * machine takes 2 to 3 times as long, so a whole-run ceiling gave up on healthy runs. The longest
 * scenario (the API Gateway storm at 5,000 clients) took 125 s.
 */
const SCENARIO_TIMEOUT_MS = 8 * 60_000;

export async function runChaos(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scale: { type: 'string', default: 'full' },
      only: { type: 'string' },
      suite: { type: 'string', default: 'faults' },
      out: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.scale !== 'full' && values.scale !== 'quick') {
    process.stderr.write(USAGE);
    return 2;
  }
  if (!isSuite(values.suite)) {
    process.stderr.write(`syncbell chaos: unknown suite ${values.suite}\n\n${USAGE}`);
    return 2;
  }
  const suite = SUITES[values.suite];
  const out = values.out ?? suite.out;
  const scale: Scale = values.scale;
  const wanted = values.only?.split(',').map((id) => id.trim());
  const known = Object.values(SUITES).flatMap((s) => s.scenarios);
  const unknown = wanted?.filter((id) => !known.some((s) => s.id === id)) ?? [];
  if (unknown.length > 0) {
    process.stderr.write(`syncbell chaos: unknown scenario ${unknown.join(', ')}\n\n${USAGE}`);
    return 2;
  }
  const scenarios = wanted ? known.filter((s) => wanted.includes(s.id)) : suite.scenarios;
  const startedAt = new Date();
  const results: ScenarioResult[] = [];
  const writeReport = async () => {
    if (values['no-write']) return;
    const command = `npm run chaos${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
    const markdown = renderReliabilityMarkdown(results, {
      command,
      scale,
      startedAt,
      durationMs: Date.now() - startedAt.getTime(),
      seed: DEFAULT_SEED,
    });
    await writeFile(out, markdown);
    process.stdout.write(`\nwrote ${out}\n`);
  };
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  const watch = (id: string, scenario?: Scenario) => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => {
      const gaveUp = `gave up on ${id} after ${SCENARIO_TIMEOUT_MS / 60_000} minutes`;
      process.stderr.write(`syncbell chaos: ${gaveUp}\n`);
      // The scenarios that finished keep their rows, and the one that hung gets a failed row of
      // its own: the report says where the run stopped (scenarios after it did not run).
      if (scenario)
        results.push({
          ...newResult({ id: scenario.id, variant: scenario.variant, title: scenario.title, fault: '-' }),
          error: `${gaveUp}; the scenarios after it did not run`,
          durationMs: SCENARIO_TIMEOUT_MS,
        });
      void writeReport().finally(() => process.exit(1));
    }, SCENARIO_TIMEOUT_MS);
    watchdog.unref();
  };
  // Interrupted: exit through 'exit', whose hooks stop what the scenarios started (the
  // serverless-offline process group, private redis-servers, the ECS stack's containers and
  // worker); the pooled client processes exit when their IPC channel closes.
  const interrupt = () => process.exit(130);
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  for (const scenario of scenarios) {
    process.stdout.write(`▶ ${scenario.id}: ${scenario.title}\n`);
    watch(scenario.id, scenario);
    const result = await scenario.run({ scale, log: (line) => process.stdout.write(`${line}\n`) });
    results.push(result);
    // A failed check's detail on the console too: a run the watchdog ends reports only the rows
    // that finished, and a failed row for the one that hung.
    for (const failed of result.checks.filter((c) => !c.ok))
      process.stdout.write(`  failed check: ${failed.name}: ${failed.detail}\n`);
    process.stdout.write(
      `  ${verdict(result) ? 'pass' : 'FAIL'}: ${result.connections} connections, ${result.notifications} notifications, lost ${result.lost}, duplicates ${result.duplicates}, cross-user ${result.crossUser} (${(result.durationMs / 1000).toFixed(1)} s)\n`,
    );
  }
  // The storms' pooled client processes keep this process alive through their IPC channels: a
  // full storms run wrote its report and then never exited (found 2026-12-06).
  watch('the client pool shutdown');
  await shutdownClientPool();
  clearTimeout(watchdog);
  process.off('SIGINT', interrupt);
  process.off('SIGTERM', interrupt);
  process.stdout.write(`\n${formatTable(results)}\n`);
  await writeReport();
  return results.every(verdict) ? 0 : 1;
}
