import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { extractBlock, replaceBlock } from '../cost/docs.js';

// docs/DEPLOY.md's "Deploys without a storm" figures, generated from the committed storms report
// (docs/RELIABILITY-STORMS.md, written by `syncbell chaos --suite storms`): numbers in docs come
// from a committed run, and test/chaos/storm-docs.test.ts keeps the two in step.
//   npx tsx chaos/storm-docs.ts      rewrites the block in docs/DEPLOY.md

export const STORM_REPORT = new URL('../docs/RELIABILITY-STORMS.md', import.meta.url);
export const DEPLOY_DOC = new URL('../docs/DEPLOY.md', import.meta.url);
export const STORM_FIGURES_BEGIN = '<!-- storm-figures:start -->';
export const STORM_FIGURES_END = '<!-- storm-figures:end -->';

/** One scenario's section of the report: its `### … (\`id\`, …)` heading to the next heading. */
function section(report: string, id: string): string {
  const start = report.indexOf(`(\`${id}\`,`);
  if (start < 0) throw new Error(`the storms report has no section for ${id}`);
  const end = report.indexOf('\n### ', start);
  return report.slice(start, end < 0 ? undefined : end);
}

type Groups = [string, string, string, string];

/**
 * A row the storm sampler added (issue 24): absent from reports written before it, so it is left
 * out of the block rather than refused.
 */
function optional(text: string, pattern: RegExp): string | undefined {
  return pattern.exec(text)?.[1];
}

/** The (up to four) capture groups of `pattern` in `text`, or an error naming what is missing. */
function read(text: string, pattern: RegExp, what: string): Groups {
  const match = pattern.exec(text);
  if (!match) throw new Error(`the storms report does not state ${what} (${pattern})`);
  const [a = '', b = '', c = '', d = ''] = match.slice(1);
  return [a, b, c, d];
}

/** The summary table's row for a scenario: its connections, lost, duplicates and result. */
function row(report: string, title: string) {
  const line = report.split('\n').find((l) => l.startsWith(`| ${title} |`));
  if (!line) throw new Error(`the storms report's table has no row for "${title}"`);
  const cells = line.split('|').map((c) => c.trim());
  // | Scenario | Variant | Fault | Bad inputs | Connections | Notifications | Lost | Duplicates | Cross-user | RSS | Result |
  return {
    fault: cells[3],
    connections: cells[5],
    lost: cells[7],
    duplicates: cells[8],
    result: cells[11]?.replace(/\*/g, ''),
  };
}

const n = (value: string) => Number(value).toLocaleString('en-US', { maximumFractionDigits: 0 });
const s = (ms: string) => `${(Number(ms) / 1000).toFixed(1)} s`;

interface Rolling {
  cut: string;
  moved: string;
  /** Moved without a gap (reports from before the make-before-break move lack it). */
  gapless: string | undefined;
  /** The target group's deregistration delay in seconds, from the row's fault. */
  delayS: string;
  mean: string;
  max: string;
  before: [string, string];
  during: [string, string];
  deployMs: string;
  healthyMs: string;
  goal: boolean;
  lost: string;
  duplicates: string;
  survivors: string | undefined;
}

function rolling(report: string, id: string, title: string): Rolling {
  const text = section(report, id);
  const [cut, moved] = read(
    text,
    /closed by the load balancer at the end of the delay: (\d+); clients told to move by a draining container: (\d+)/,
    'the cut and moved clients',
  );
  const gapless = optional(text, /of which moved without a gap[^)]*\) (\d+)/);
  const [mean, max] = read(text, /reconnects per client: mean ([\d.]+), max (\d+)/, 'reconnects per client');
  const [b50, b99, d50, d99] = read(
    text,
    /latency before: p50 ([\d.]+) ms, p99 ([\d.]+) ms;.*while the old ones stop: p50 ([\d.]+) ms, p99 ([\d.]+) ms/,
    'the latency before and during',
  );
  const [deployMs, healthyMs] = read(
    text,
    /deploy (\d+) ms \(new containers healthy after (\d+) ms\)/,
    'the deploy duration',
  );
  // The product's row holds the goal as a check; the baseline reports it (met / missed) unheld.
  const goal =
    optional(text, /([✓✗]) p99 while the old containers stop/) ??
    read(
      text,
      /p99 while the old containers stop[^(]*\(baseline, not held to it\): (met|missed)/,
      'the p99 goal',
    )[0];
  const survivors = optional(text, /while the old ones stop, containers \(sampled[^)]*\): (.*)/);
  const { lost, duplicates, fault } = row(report, title);
  const [delayS] = read(fault ?? '', /deregistration delay (\d+) s/, 'the deregistration delay');
  return {
    cut: cut,
    moved: moved,
    gapless,
    delayS,
    mean: mean,
    max: max,
    before: [b50, b99],
    during: [d50, d99],
    deployMs: deployMs,
    healthyMs: healthyMs,
    goal: goal === '✓' || goal === 'met',
    lost: lost ?? '?',
    duplicates: duplicates ?? '?',
    survivors,
  };
}

const ms = (value: string) => `${n(String(Math.round(Number(value))))} ms`;

/** The block DEPLOY.md carries, rendered from the storms report's text. */
export function renderStormFigures(report: string): string {
  const [command] = read(report, /- Command: `([^`]+)`/, 'its command');
  const [date] = read(report, /- Date: (\d{4}-\d{2}-\d{2})T/, 'its date');
  const [machine] = read(report, /- Machine: (.*)/, 'its machine');
  const [passed] = read(report, /- Result: \*\*(.*)\*\*/, 'its result');
  const drain = rolling(
    report,
    'ecs-rolling-deploy',
    'Rolling deploy of 3 containers, drain at deregistration',
  );
  const sigterm = rolling(
    report,
    'ecs-rolling-deploy-sigterm-drain',
    "Rolling deploy of 3 containers, yesterday's drain (on SIGTERM only)",
  );
  const storm = section(report, 'ecs-reconnect-storm');
  const stormRow = row(report, 'Reconnect storm: SIGKILL the container holding half the clients');
  const [hit, total] = [
    read(storm, /(\d+) clients on [\w-]+: 50 %/, 'the storm size')[0],
    stormRow.connections ?? '?',
  ];
  const [p50, p99, p100] = read(
    storm,
    /50 % resumed after (\d+) ms, 99 % after (\d+) ms, 100 % after (\w+) ms/,
    'the storm times',
  );
  const [errors, causes] = read(
    storm,
    /connect errors \(rate_limited with a hint, failed connects\): (\d+)(?: \((.*)\))?$/m,
    'connect errors',
  );
  const resumesPeak = optional(storm, /peak resumes per second per container[^:]*: (.*)/);
  const survivor = optional(storm, /during the storm, containers \(sampled[^)]*\): (.*)/);
  const machineLine = optional(storm, /during the storm, machine (.*)/);
  const redisOps = optional(storm, /during the storm, Redis operations[^:]*: (.*)/);
  const cost = optional(storm, /survivors' CPU beyond the steady load: (.*)/);
  const ratio = (r: Rolling) => (Number(r.during[1]) / Math.max(1, Number(r.before[1]))).toFixed(1);
  const goal = (r: Rolling) => `${r.goal ? 'met' : 'missed'} (${ratio(r)}x)`;
  const clients = n(
    String(Number(row(report, 'Rolling deploy of 3 containers, drain at deregistration').connections)),
  );
  return [
    STORM_FIGURES_BEGIN,
    `**Measured** (generated from docs/RELIABILITY-STORMS.md by \`npx tsx chaos/storm-docs.ts\`; run \`${command}\`, ${date}, ${machine}; ${passed}). A rolling update (minimum 100 %, maximum 200 %) of 3 containers holding ${clients} SDK clients, 200 notifications/s:`,
    '',
    '| | drain at deregistration | drain on SIGTERM only (before) |',
    '| --- | --- | --- |',
    `| deregistration delay | ${drain.delayS} s | ${sigterm.delayS} s |`,
    `| connections the ALB stand-in closed at the end of the delay | ${n(drain.cut)} | ${n(sigterm.cut)} |`,
    `| clients moved by a draining container | ${n(drain.moved)} | ${n(sigterm.moved)} |`,
    ...(drain.gapless !== undefined && sigterm.gapless !== undefined
      ? [
          `| of which moved without a gap (resumed on the new connection before the old one closed) | ${n(drain.gapless)} | ${n(sigterm.gapless)} |`,
        ]
      : []),
    `| reconnects per client (mean / max) | ${drain.mean} / ${drain.max} | ${sigterm.mean} / ${sigterm.max} |`,
    `| notification latency p50 / p99 before the deploy | ${ms(drain.before[0])} / ${ms(drain.before[1])} | ${ms(sigterm.before[0])} / ${ms(sigterm.before[1])} |`,
    `| p50 / p99 while the old containers stop | ${ms(drain.during[0])} / ${ms(drain.during[1])} | ${ms(sigterm.during[0])} / ${ms(sigterm.during[1])} |`,
    `| goal: p99 while stopping at most 3x the p99 before | ${goal(drain)} | ${goal(sigterm)} |`,
    `| lost / duplicates handed to the app | ${drain.lost} / ${drain.duplicates} | ${sigterm.lost} / ${sigterm.duplicates} |`,
    `| deploy duration (new containers healthy after) | ${s(drain.deployMs)} (${s(drain.healthyMs)}) | ${s(sigterm.deployMs)} (${s(sigterm.healthyMs)}) |`,
    ...(drain.survivors && sigterm.survivors
      ? [`| the new containers while the old ones stop | ${drain.survivors} | ${sigterm.survivors} |`]
      : []),
    '',
    [
      `A SIGKILL of the container holding ${n(hit)} of ${n(total)} SDK clients (2 containers): 50 % resumed on the survivor after ${s(p50)}, 99 % after ${s(p99)}, 100 % after ${Number.isNaN(Number(p100)) ? 'never' : s(p100)} (goal 10 s: ${Number(p100) <= 10_000 ? 'met' : 'missed'}); ${n(errors)} connect errors${causes ? ` (${causes})` : ''}; lost / duplicates ${stormRow.lost} / ${stormRow.duplicates}.`,
      resumesPeak && `Peak resumes per second: ${resumesPeak}.`,
      survivor && `The survivor: ${survivor}.`,
      machineLine && `The machine ${machineLine}.`,
      redisOps && `Redis: ${redisOps}.`,
      cost && `The survivor's CPU beyond its steady load: ${cost}.`,
    ]
      .filter(Boolean)
      .join(' '),
    STORM_FIGURES_END,
  ].join('\n');
}

/** The block as DEPLOY.md holds it now ('' without the markers). */
export function committedStormFigures(deployDoc: string): string {
  return extractBlock(deployDoc, STORM_FIGURES_BEGIN, STORM_FIGURES_END);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const block = renderStormFigures(await readFile(STORM_REPORT, 'utf8'));
  const doc = await readFile(DEPLOY_DOC, 'utf8');
  await writeFile(DEPLOY_DOC, replaceBlock(doc, block, STORM_FIGURES_BEGIN, STORM_FIGURES_END));
  console.log('docs/DEPLOY.md: storm figures written from docs/RELIABILITY-STORMS.md');
}
