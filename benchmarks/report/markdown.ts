import { evaluateGate, gateFileSchema } from '../gate.js';
import fullGate from '../gates/full.json' with { type: 'json' };
import type { BenchResults, ContenderResult } from '../results-schema.js';
import { measuredInOneRun } from '../merge.js';
import { fitScale, SCALE_PROJECTION_CONTAINERS, type ScaleFit, scaleGrowth } from '../scale.js';
import { clusterScaleSection, clusterScaleSummary } from './cluster.js';
import { err, fmt, name } from './format.js';

type C = ContenderResult;
const kb = (bytes: number | null | undefined) =>
  bytes === null || bytes === undefined ? 'n/a' : `${(bytes / 1024).toFixed(1)} KB`;

export function headline(c: C) {
  return c.unicast.ok ? c.unicast.value[c.unicast.value.length - 1] : undefined;
}

/** The machine, Node, date and exact command: every report opens with them. */
export function headerLines(r: BenchResults): string[] {
  const m = r.machine;
  return [
    `- Machine: ${m.hostname}, ${m.cpus} x ${m.cpuModel}, ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB, ${m.platform} ${m.kernel}`,
    `- Node: ${r.node}`,
    `- Date: ${r.date} (took ${r.durationSeconds} s)`,
    `- Command: \`${r.command}\``,
    `- Git commit: ${r.gitCommit}; profile: **${r.profile}**${r.target ? `; target: ${r.target}` : ''}`,
    `- Load average at start ${m.loadAverageAtStart.join(' / ')}, at end ${m.loadAverageAtEnd.join(' / ')} (1/5/15 min, ${m.cpus} cores).${m.loadAverageAtStart[0] !== undefined && m.loadAverageAtStart[0] > 1 ? ' Other work was running on this machine at the same time: treat tail latencies as noisy.' : ''}`,
    ...remeasuredNote(r)
      .filter(Boolean)
      .map((line) => `- ${line}`),
  ];
}

export interface Verdict {
  claim: string;
  verdict: 'confirmed' | 'refuted' | 'not measured';
  evidence: string;
}

const find = (r: BenchResults, id: string) => r.contenders.find((c) => c.id === id);

/** Each pro and con from the seed, marked by a measurement of this run. */
export function verdicts(r: BenchResults): Verdict[] {
  const out: Verdict[] = [];
  const sio = find(r, 'socketio-redis');
  const mem = find(r, 'socketio-memory');
  const ws = find(r, 'raw-ws-redis');
  const lp = find(r, 'long-polling-redis');
  const sse = find(r, 'sse-redis');
  const api = find(r, 'apigw-emulated');
  if (sio?.wireBytes.ok && ws?.wireBytes.ok && sio && ws && headline(sio) && headline(ws)) {
    const extra = sio.wireBytes.value.downBytesPerNotification - ws.wireBytes.value.downBytesPerNotification;
    const ratio = (headline(sio)?.median.p50Ms ?? 0) / Math.max(0.001, headline(ws)?.median.p50Ms ?? 0);
    out.push({
      claim: 'Socket.io adds protocol overhead (bytes on the wire)',
      verdict: extra > 0 ? 'confirmed' : 'refuted',
      evidence: `${sio.wireBytes.value.downBytesPerNotification} bytes per notification vs ${ws.wireBytes.value.downBytesPerNotification} for raw ws carrying the API Gateway JSON frame (${extra >= 0 ? '+' : ''}${extra})`,
    });
    out.push({
      claim: 'Socket.io adds protocol overhead (latency)',
      verdict: ratio > 1.1 ? 'confirmed' : 'refuted',
      evidence: `unicast p50 ${ratio.toFixed(2)}x raw ws (both through Redis; socket.io also through the load-balancer hop and its auth, replay log and metrics)`,
    });
  } else
    out.push({
      claim: 'Socket.io adds protocol overhead',
      verdict: 'not measured',
      evidence: 'wire bytes or unicast missing',
    });
  if (lp && ws && headline(lp) && headline(ws) && lp.wireBytes.ok) {
    const ratio = (headline(lp)?.median.p50Ms ?? 0) / Math.max(0.001, headline(ws)?.median.p50Ms ?? 0);
    out.push({
      claim: 'Long polling: high latency',
      verdict: ratio > 1.5 ? 'confirmed' : 'refuted',
      evidence: `unicast p50 ${fmt(headline(lp)?.median.p50Ms, 3)} ms vs raw ws ${fmt(headline(ws)?.median.p50Ms, 3)} ms (${ratio.toFixed(2)}x) while a poll is parked; p99 ${fmt(headline(lp)?.median.p99Ms, 3)} ms`,
    });
    const cpuLp = headline(lp)?.cpuSecondsPer1000Notifications.median ?? 0;
    const cpuWs = headline(ws)?.cpuSecondsPer1000Notifications.median ?? 0;
    out.push({
      claim: 'Long polling wastes resources',
      verdict:
        cpuLp > cpuWs * 1.2 || lp.wireBytes.value.upBytesPerNotification > 100 ? 'confirmed' : 'refuted',
      evidence: `${cpuLp.toFixed(4)} vs ${cpuWs.toFixed(4)} CPU s per 1,000 notifications (raw ws); ${lp.wireBytes.value.downBytesPerNotification + lp.wireBytes.value.upBytesPerNotification} bytes per notification both ways (a new request per delivery) vs ${ws.wireBytes.ok ? ws.wireBytes.value.downBytesPerNotification + ws.wireBytes.value.upBytesPerNotification : 'n/a'}`,
    });
  } else
    out.push({
      claim: 'Long polling: high latency, wastes resources',
      verdict: 'not measured',
      evidence: 'unicast or wire bytes missing',
    });
  if (sio && mem && headline(sio) && headline(mem)) {
    const diff = (headline(sio)?.median.p50Ms ?? 0) - (headline(mem)?.median.p50Ms ?? 0);
    out.push({
      claim: 'The Redis adapter adds negligible overhead',
      verdict: diff < 0.5 ? 'confirmed' : 'refuted',
      evidence: `p50 ${fmt(headline(sio)?.median.p50Ms, 3)} ms (Redis adapter, 2 containers, via load balancer) vs ${fmt(headline(mem)?.median.p50Ms, 3)} ms (in-memory, 1 container): +${diff.toFixed(3)} ms; "negligible" taken as under 0.5 ms`,
    });
  } else
    out.push({
      claim: 'The Redis adapter adds negligible overhead',
      verdict: 'not measured',
      evidence: 'unicast missing',
    });
  const hb = r.settings.heartbeat as { intervalMs: number; timeoutMs: number } | undefined;
  const defaults = hb?.intervalMs === 25_000 && hb.timeoutMs === 20_000;
  if (sio?.drop.ok && sio.drop.value.withResume && defaults) {
    const detected = (
      sio.drop.value.withResume as unknown as { clientDetectionMs: { median: number } | null }
    ).clientDetectionMs?.median;
    out.push({
      claim: 'Network drops are detected in ~25 s',
      verdict: detected !== undefined && Math.abs(detected - 25_000) < 5_000 ? 'confirmed' : 'refuted',
      evidence: `client-side detection ${detected === undefined ? 'none within the window' : `${(detected / 1000).toFixed(1)} s`} with socket.io's default pingInterval 25 s + pingTimeout 20 s`,
    });
  } else {
    out.push({
      claim: 'Network drops are detected in ~25 s',
      verdict: 'not measured',
      evidence: !sio?.drop.ok
        ? 'the silent-drop scenario was not part of this run'
        : `this profile shrinks heartbeats to ${hb?.intervalMs} + ${hb?.timeoutMs} ms to stay short; only the full profile uses socket.io's defaults`,
    });
  }
  if (sse?.drop.ok) {
    const server = (sse.drop.value.withResume as unknown as { serverDetectionMs: number | null })
      .serverDetectionMs;
    // (observable for SSE: the server counts closed streams)
    out.push({
      claim: 'SSE is one-way (no back channel)',
      verdict: server === null ? 'confirmed' : 'refuted',
      evidence: `after a silent drop the SSE server ${server === null ? 'never noticed within the window (heartbeat writes land in a kernel buffer)' : `noticed in ${server} ms`}`,
    });
  }
  if (api && headline(api) && ws && headline(ws)) {
    out.push({
      claim: 'API Gateway WebSockets: higher per-message latency than a held socket (emulated)',
      verdict:
        (headline(api)?.median.p50Ms ?? 0) > (headline(ws)?.median.p50Ms ?? 0) * 2 ? 'confirmed' : 'refuted',
      evidence: `emulated p50 ${fmt(headline(api)?.median.p50Ms, 3)} ms (DynamoDB query + @connections POST per delivery, serverless-offline + dynalite) vs raw ws ${fmt(headline(ws)?.median.p50Ms, 3)} ms. Emulation: not AWS's figure`,
    });
  }
  return out;
}

export interface GoalCheck {
  goal: string;
  measured: string;
  status: 'met' | 'missed' | 'not measured at goal scale' | 'not measured';
}

/** Issue 16's overhead goals: benchmarks/gates/full.json, the file `bench --gate` checks. */
const OVERHEAD_GOALS = gateFileSchema.parse(fullGate);

/** The overhead goals, each a ratio of two contenders of this run; only the full profile is at goal scale. */
export function overheadGoalChecks(r: BenchResults): GoalCheck[] {
  return evaluateGate(r, OVERHEAD_GOALS).verdicts.map((v) => ({
    goal: v.check.at
      ? `${v.check.contender} ${v.check.metric}: ${v.check.at.adapter} at ${v.check.at.containers} containers within ${v.check.max}x of ${v.check.baseline === v.check.contender ? '' : `${v.check.baseline}'s `}${v.check.baselineAt?.adapter} at ${v.check.baselineAt?.containers}, same run (issue 16)`
      : `${v.check.contender} ${v.check.metric} within ${v.check.max}x of ${v.check.baseline}, same run (issue 16)`,
    measured: v.ratio === null ? `n/a: ${v.detail}` : `${v.ratio.toFixed(2)}x (${v.detail})`,
    status:
      v.status === 'missing'
        ? 'not measured'
        : r.profile !== 'full'
          ? 'not measured at goal scale'
          : v.status === 'pass'
            ? 'met'
            : 'missed',
  }));
}

/** The performance goals of issues 5 and 16, each checked against this run. */
export function goalChecks(r: BenchResults): GoalCheck[] {
  const sio = find(r, 'socketio-redis');
  const ws = find(r, 'raw-ws-redis');
  const h = sio ? headline(sio) : undefined;
  const atScale = (h?.connected ?? 0) >= 10_000 && (h?.ratePerSecond ?? 0) >= 500;
  const checks: GoalCheck[] = [];
  const status = (ok: boolean, scale: boolean): GoalCheck['status'] =>
    !scale ? 'not measured at goal scale' : ok ? 'met' : 'missed';
  checks.push({
    goal: 'socket.io + Redis, 2 containers: unicast p50 <= 0.6 ms at 500/s with 10,000 connections',
    measured: h
      ? `p50 ${fmt(h.median.p50Ms, 3)} ms at ${h.ratePerSecond}/s with ${h.connected} connections`
      : 'n/a',
    status: status((h?.median.p50Ms ?? Infinity) <= 0.6, atScale),
  });
  checks.push({
    goal: 'socket.io + Redis, 2 containers: unicast p99 <= 5 ms at 500/s with 10,000 connections',
    measured: h ? `p99 ${fmt(h.median.p99Ms, 3)} ms` : 'n/a',
    status: status((h?.median.p99Ms ?? Infinity) <= 5, atScale),
  });
  const hw = ws ? headline(ws) : undefined;
  const oneRun = measuredInOneRun(r, 'socketio-redis', 'raw-ws-redis', 'unicast');
  checks.push({
    goal: 'socket.io p50 within 1.3x of raw ws, same run',
    measured: !oneRun
      ? 'n/a: socketio-redis and raw-ws-redis unicast were measured in different runs (merged results)'
      : h && hw
        ? `${(h.median.p50Ms / Math.max(0.001, hw.median.p50Ms)).toFixed(2)}x (${fmt(h.median.p50Ms, 3)} vs ${fmt(hw.median.p50Ms, 3)} ms)`
        : 'n/a',
    status: !oneRun
      ? 'not measured'
      : status(!!h && !!hw && h.median.p50Ms <= 1.3 * hw.median.p50Ms, !!h && !!hw),
  });
  const cap = sio?.capacity.ok ? sio.capacity.value : undefined;
  checks.push({
    goal: 'each container holds >= 19,500 connections at <= 8 KB RSS per connection',
    measured: cap
      ? `${cap.connectionsHeld} of ${cap.target} held, ${kb(cap.rssBytesPerConnection)} RSS each`
      : 'n/a',
    status: status(
      !!cap && cap.connectionsHeld >= 19_500 && cap.rssBytesPerConnection <= 8 * 1024,
      (cap?.target ?? 0) >= 19_500,
    ),
  });
  const fan = sio?.fanout.ok ? sio.fanout.value : undefined;
  checks.push({
    goal: 'a broadcast to 10,000 reaches the last client in <= 150 ms',
    measured: fan ? `last after ${fmt(fan.lastMs.median, 1)} ms to ${fan.connected}` : 'n/a',
    status: status(!!fan && fan.lastMs.median <= 150, (fan?.connected ?? 0) >= 10_000),
  });
  checks.push(...overheadGoalChecks(r));
  return checks;
}

function serverDetection(pass: {
  serverDetectionMs: number | null;
  serverDetectionObservable: boolean;
}): string {
  if (!pass.serverDetectionObservable) return 'n/a';
  return pass.serverDetectionMs === null ? 'not during the drop' : String(pass.serverDetectionMs);
}

export function optionsTable(r: BenchResults): string[] {
  const rows = [
    '| Option | Unicast p50 / p99 (ms) | Broadcast first / last (ms) | Connections held (1 process) | RSS / heap per conn | CPU s per 1,000 | Wire bytes down / up per notification | Drop: client / server detection (ms) | Drop: lost (duplicated) of published, with / without resume | Sticky: error rate with / without |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of r.contenders) {
    const h = headline(c);
    const drop = c.drop.ok ? c.drop.value : undefined;
    const dr = drop?.withResume as
      | {
          clientDetectionMs: { median: number } | null;
          serverDetectionMs: number | null;
          serverDetectionObservable: boolean;
          lost: number;
          duplicated: number;
          published: number;
        }
      | undefined;
    const dn = drop?.withoutResume as { lost: number; duplicated: number; published: number } | undefined;
    const loss = (p: { lost: number; duplicated: number; published: number }) =>
      `${p.lost} (${p.duplicated}) of ${p.published}`;
    const sticky = c.sticky.ok ? c.sticky.value : undefined;
    const stickyCell = !sticky
      ? err(c.sticky)
      : sticky.applicable
        ? sticky.passes.map((p) => `${fmt(p.errorRate * 100, 1)} %`).join(' / ')
        : 'n/a (single long-lived connection)';
    rows.push(
      `| ${name(c)} | ${h ? `${fmt(h.median.p50Ms, 3)} / ${fmt(h.median.p99Ms, 3)}` : err(c.unicast)} | ${c.fanout.ok ? `${fmt(c.fanout.value.firstMs.median, 1)} / ${fmt(c.fanout.value.lastMs.median, 1)} (N=${c.fanout.value.connected})` : err(c.fanout)} | ${c.capacity.ok ? `${c.capacity.value.connectionsHeld} of ${c.capacity.value.target}` : err(c.capacity)} | ${c.capacity.ok ? `${kb(c.capacity.value.rssBytesPerConnection)} / ${kb(c.capacity.value.heapBytesPerConnection)}` : 'n/a'} | ${h ? fmt(h.cpuSecondsPer1000Notifications.median, 4) : 'n/a'} | ${c.wireBytes.ok ? `${c.wireBytes.value.downBytesPerNotification} / ${c.wireBytes.value.upBytesPerNotification}` : err(c.wireBytes)} | ${dr ? `${fmt(dr.clientDetectionMs?.median, 0)} / ${serverDetection(dr)}` : err(c.drop)} | ${dr && dn ? `${c.canResume === false ? 'n/a (no replay log)' : loss(dr)} / ${loss(dn)}` : 'n/a'} | ${stickyCell} |`,
    );
  }
  return rows;
}

/** The scenarios a later run re-measured (`--merge-into`), said right under the run's own header. */
export function remeasuredNote(r: BenchResults): string[] {
  return (r.remeasured ?? []).flatMap((m) => [
    `Re-measured later and merged in: **${m.scenarios.join(', ')}** for ${m.contenders.join(', ')}, on ${m.date.slice(0, 16).replace('T', ' ')} UTC, Node ${m.node}, commit ${m.gitCommit.slice(0, 7)}, ${Math.round(m.durationSeconds / 60)} minutes, load average ${m.loadAverageAtStart[0]} at start and ${m.loadAverageAtEnd[0]} at end, with \`${m.command}\`.`,
    '',
  ]);
}

/**
 * Which client the "lost with resume" cells describe. Runs from before the load generator could
 * drive the SDK lack the field: their clients were the load generator's own.
 */
export function dropClientNote(r: BenchResults): string[] {
  const passes = r.contenders.flatMap((c) => {
    const pass = c.drop.ok ? (c.drop.value.withResume as { client?: 'sdk' | 'raw' }) : undefined;
    return pass && c.canResume !== false ? [{ id: name(c), client: pass.client ?? 'raw' }] : [];
  });
  if (passes.length === 0) return [];
  const sdk = passes.filter((p) => p.client === 'sdk').map((p) => p.id);
  const raw = passes.filter((p) => p.client === 'raw').map((p) => p.id);
  const list = (ids: string[]) => ids.map((id) => `**${id}**`).join(', ');
  return [
    `- Drop "with resume" clients: ${sdk.length > 0 ? `the SDK users get (\`createClient\` with its real transport, its own dead-peer detection, reconnects, resume and dedupe) for ${list(sdk)}` : 'no contender ran the SDK'}${raw.length > 0 ? `; the load generator's own client (a dead-connection watchdog at the heartbeat, resume by cursor) for ${list(raw)}` : ''}. Without resume, every contender runs the raw client: the baseline of what a drop costs with no replay.`,
    '',
  ];
}

/**
 * The documents `syncbell bench --render DIR --docs` rewrites, relative to the repository root:
 * the figures block of the benchmarks guide and the headline of the README.
 */
export const FIGURE_DOCS = { guide: 'docs/BENCHMARKS.md', readme: 'README.md' } as const;

/** Marks docs/BENCHMARKS.md's figures block (`figuresBlock`). */
export const FIGURES_MARKERS = { start: '<!-- bench:latest -->', end: '<!-- /bench:latest -->' } as const;
/** Marks README.md's benchmark headline (`readmeHeadline`). */
export const HEADLINE_MARKERS = { start: '<!-- readme:bench -->', end: '<!-- /readme:bench -->' } as const;

/**
 * The benchmarks guide's figures, taken from one results file: where and how they were measured,
 * the options table and the goals. `reportPath` is where the full report sits, relative to the guide.
 */
export function figuresBlock(r: BenchResults, reportPath: string): string {
  const m = r.machine;
  return [
    FIGURES_MARKERS.start,
    `Measured on ${m.hostname} (${m.cpus} x ${m.cpuModel}, ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB), Node ${r.node}, ${r.date.slice(0, 16).replace('T', ' ')} UTC, ${r.profile} profile, commit ${r.gitCommit.slice(0, 7)}, ${Math.round(r.durationSeconds / 60)} minutes, load average ${m.loadAverageAtStart[0]} at start and ${m.loadAverageAtEnd[0]} at end, with`,
    '',
    '```sh',
    r.command,
    '```',
    '',
    `Full report: [${reportPath}](${reportPath}).`,
    '',
    ...remeasuredNote(r),
    ...optionsTable(r),
    '',
    ...r.contenders.flatMap((c) =>
      c.scaleNote ? [`- **${name(c)}** ran below the profile's scale: ${c.scaleNote}.`, ''] : [],
    ),
    ...dropClientNote(r),
    ...scaleSummary(r, reportPath.replace(/[^/]*$/, SCALE_CHART_FILE)),
    ...clusterScaleSummary(r),
    '| Goal | Measured | Status |',
    '|---|---|---|',
    ...goalChecks(r).map((g) => `| ${g.goal} | ${g.measured} | **${g.status}** |`),
    '',
    gateSummary(r),
    FIGURES_MARKERS.end,
  ].join('\n');
}

/**
 * The README's few figures of the same run, one row per contender: unicast latency, memory and CPU
 * per notification, and what a silent drop lost with resume. `guidePath` is the benchmarks guide,
 * relative to the README.
 */
export function readmeHeadline(r: BenchResults, guidePath: string): string {
  const m = r.machine;
  const rows = r.contenders.map((c) => {
    const h = headline(c);
    const withResume = c.drop.ok
      ? (c.drop.value.withResume as { lost: number; published: number } | undefined)
      : undefined;
    const drop =
      c.canResume === false
        ? 'n/a (no replay log)'
        : withResume
          ? `${withResume.lost} of ${withResume.published}`
          : 'n/a';
    return `| ${name(c)} | ${h ? `${fmt(h.median.p50Ms, 3)} / ${fmt(h.median.p99Ms, 3)}` : 'n/a'} | ${c.capacity.ok ? kb(c.capacity.value.rssBytesPerConnection) : 'n/a'} | ${h ? fmt(h.cpuSecondsPer1000Notifications.median, 4) : 'n/a'} | ${drop} |`;
  });
  return [
    HEADLINE_MARKERS.start,
    '<!-- Generated by `syncbell bench --render DIR --docs` (benchmarks/report/markdown.ts, readmeHeadline); test/benchmarks/readme-figures.test.ts checks it. -->',
    `The latest ${r.profile} benchmark run, ${r.date.slice(0, 10)} on one machine (${m.cpus} x ${m.cpuModel}, Node ${r.node}): compare the rows as ratios, and read **(emulated)** as serverless-offline on this machine, not AWS. Every scenario, the goals met and missed, and what the run says: [${guidePath}](${guidePath}).`,
    '',
    '| Option | Unicast p50 / p99 (ms) | RSS per connection | CPU s per 1,000 | Silent drop: lost of published, with resume |',
    '|---|---|---|---|---|',
    ...rows,
    HEADLINE_MARKERS.end,
  ].join('\n');
}

/** `text` with the block between `markers` replaced by `block`; an error if the markers are missing. */
export function replaceFiguresBlock(
  text: string,
  block: string,
  markers: { start: string; end: string } = FIGURES_MARKERS,
): string {
  const start = text.indexOf(markers.start);
  const end = text.indexOf(markers.end);
  if (start < 0 || end < start) throw new Error(`no ${markers.start} ... ${markers.end} block to rewrite`);
  return text.slice(0, start) + block + text.slice(end + markers.end.length);
}

/** Which of an emulated contender's figures are warm, and its cold starts as their own figure. */
export function warmNote(c: C): string {
  const cold = c.coldStartsMs;
  if (!cold)
    return `- **${name(c)}**: handlers ran from TypeScript through tsx's CommonJS loader, which kept each module loaded despite the "re-instantiated on every invocation" warning it printed: every figure is warm (the start-up warm-up ran each route once before measuring). This run did not record cold starts (results before 2026-12-01).`;
  const each = Object.entries(cold)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([fn, ms]) => `${fn} ${fmt(ms, 0)} ms`)
    .join(', ');
  return `- **${name(c)}**: every figure is warm (each function's bundle loaded once, as by one Lambda instance, and run once by the start-up warm-up before measuring). Cold starts, each function's first invocation as serverless-offline timed it (bundle import, SDK clients, the request; not AWS's): ${each}.`;
}

/** Which contenders' unicast runs alternated (ABAB), once per pair. */
export function interleavedNote(r: BenchResults): string[] {
  const pairs = new Set(
    r.contenders.flatMap((c) => {
      const other = c.unicast.ok ? c.unicast.value[0]?.interleavedWith : undefined;
      return other ? [[c.id, other].sort().join(' and ')] : [];
    }),
  );
  return [...pairs].map(
    (pair) =>
      `\n- ${pair}: unicast runs interleaved, one run of each in turn (ABAB), both stacks up with their fleets connected and each on a Redis of its own, so the machine's drift during the scenario falls on both alike.`,
  );
}

/** The scale chart's file, next to report.md (benchmarks/report/write.ts writes it). */
export const SCALE_CHART_FILE = 'scale-cpu.svg';

/** One line: how many of the committed gate's checks this run passes. */
export function gateSummary(r: BenchResults): string {
  const { verdicts } = evaluateGate(r, OVERHEAD_GOALS);
  const count = (status: string) => verdicts.filter((v) => v.status === status).length;
  const failed = verdicts.filter((v) => v.status !== 'pass').map((v) => `${v.check.metric} (${v.status})`);
  return `Gate \`benchmarks/gates/full.json\` on this run (\`syncbell bench --render DIR --gate benchmarks/gates/full.json\`): **${count('pass')} of ${verdicts.length} checks pass**${failed.length > 0 ? `; not passing: ${failed.join(', ')}` : ''}.`;
}

/** The scale scenario in a few lines for the figures block: CPU per 1,000 at each count, and the chart. */
export function scaleSummary(r: BenchResults, chartPath: string): string[] {
  const scaled = r.contenders.filter((c) => c.scale?.ok);
  if (scaled.length === 0) return [];
  const rows = scaled.flatMap((c) => {
    if (!c.scale?.ok) return [];
    const points = c.scale.value;
    const adapters = [...new Set(points.map((p) => p.adapter))];
    const growth = scaleGrowth(points);
    return adapters.map((adapter) => {
      const own = points.filter((p) => p.adapter === adapter).sort((a, b) => a.containers - b.containers);
      const g = growth.find((x) => x.adapter === adapter);
      return `| ${name(c)} | ${adapterName(adapter)} | ${own.map((p) => fmt(p.cpuSecondsPer1000.median, 3)).join(' / ')} | ${own.map((p) => fmt(p.p50Ms, 3)).join(' / ')} | ${g ? `${fmt(g.ratio, 2)}x` : 'n/a'} |`;
    });
  });
  const counts = [
    ...new Set(scaled.flatMap((c) => (c.scale?.ok ? c.scale.value.map((p) => p.containers) : []))),
  ].sort((a, b) => a - b);
  return [
    `Scale: the same connections and rate over ${counts.join(', ')} containers (report section 8; CPU is the containers' and Redis's, per 1,000 delivered notifications):`,
    '',
    `| Contender | Adapter | CPU s per 1,000 at ${counts.join(' / ')} | p50 ms at ${counts.join(' / ')} | most / fewest containers |`,
    '|---|---|---|---|---|',
    ...rows,
    '',
    `![Server + Redis CPU per 1,000 deliveries against containers, with the projection](${chartPath})`,
    '',
  ];
}

const adapterName = (adapter: string) =>
  adapter === 'sharded' ? 'per-user channels (sharded)' : 'classic (every container)';

/** Issue 16, section 2: the scale scenario's table and the projection of its slope. */
export function scaleSection(r: BenchResults): string[] {
  const scaled = r.contenders.filter((c) => c.scale !== undefined);
  if (scaled.length === 0) return [];
  const lines = [
    '',
    '## 8. Scale: the same load over more containers',
    '',
    "The same connections and notification rate spread over each container count, the classic adapter (every container receives and decodes every notification) beside per-user channels (the sharded adapter, `subscriptionMode: 'dynamic'`: a notification reaches only the containers holding the user). CPU is the containers' (/proc) plus Redis's (INFO cpu) per 1,000 delivered notifications; the load balancer stand-in and the load generator are not counted. Idle CPU is the same processes with the connections open and nothing published (each container's own timers and heartbeats): at a low rate it is a large share of the total and it grows with the container count on either adapter; the column after it takes it out. Plain socket.io (the `socketio-plain` reference: nothing of syncbell's) runs the same points in the same run, so how much of the growth is this machine's (the containers share its cores with the load generator and Redis) and how much syncbell's reads off the two rows side by side. Compare the rows as ratios within this run.",
    '',
    ...(scaled.some((c) => c.scale?.ok)
      ? [`![Server + Redis CPU per 1,000 deliveries against containers](${SCALE_CHART_FILE})`, '']
      : []),
    '| Contender | Adapter | Containers | Connections | Rate/s | p50 ms | p99 ms | CPU s per 1,000 (containers + Redis) | of which Redis | idle CPU s/s | CPU above idle per 1,000 | delivered/published |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of scaled) {
    const scale = c.scale;
    if (!scale?.ok) {
      lines.push(`| ${name(c)} | ${scale ? err(scale) : 'n/a'} | | | | | | | | | | |`);
      continue;
    }
    for (const p of scale.value)
      lines.push(
        `| ${name(c)} | ${adapterName(p.adapter)} | ${p.containers} | ${p.connected}/${p.connections} | ${p.ratePerSecond} | ${fmt(p.p50Ms, 3)} | ${fmt(p.p99Ms, 3)} | ${fmt(p.cpuSecondsPer1000.median, 4)} (${fmt(p.cpuSecondsPer1000.min, 4)}-${fmt(p.cpuSecondsPer1000.max, 4)}) | ${fmt(p.redisCpuSecondsPer1000, 4)} | ${fmt(p.idleCpuSecondsPerSecond, 4)} | ${fmt(p.cpuAboveIdleSecondsPer1000, 4)} | ${p.delivered}/${p.published} |`,
      );
    const fits = fitScale(scale.value);
    if (fits.length > 0) lines.push('');
    for (const growth of scaleGrowth(scale.value))
      lines.push(
        `- ${name(c)}, ${adapterName(growth.adapter)}: CPU per 1,000 at ${growth.to} containers is **${fmt(growth.ratio, 2)}x** its figure at ${growth.from} (${fmt(growth.toValue, 4)} vs ${fmt(growth.fromValue, 4)}).`,
      );
    for (const fit of fits) lines.push(`- ${name(c)}, ${adapterName(fit.adapter)}: ${projectionText(fit)}`);
  }
  return lines;
}

/**
 * The fitted line and where it leads. A line that falls as containers are added (noise larger than
 * the trend, seen in a tiny CI run on a loaded machine) would project a negative CPU: no projection then.
 */
export function projectionText(fit: Pick<ScaleFit, 'slopePerContainer' | 'at'>): string {
  const slope = `${fit.slopePerContainer >= 0 ? '+' : ''}${fmt(fit.slopePerContainer, 5)} CPU s per 1,000 per added container (least squares over the measured counts)`;
  if (fit.slopePerContainer < 0)
    return `${slope}; **projected, not measured**: none, the CPU per 1,000 fell as containers were added in this run (noise larger than the trend), so the line says nothing about ${SCALE_PROJECTION_CONTAINERS} containers.`;
  return `${slope}; **projected, not measured**: ${fmt(fit.at(SCALE_PROJECTION_CONTAINERS), 3)} at ${SCALE_PROJECTION_CONTAINERS} containers.`;
}

export function renderMarkdown(r: BenchResults): string {
  const lines: string[] = ['# syncbell benchmark report', '', ...headerLines(r), ''];
  lines.push(
    "Latency is measured from the publisher's timestamp (taken in the publishing process just before the publish call) to receipt in a separate load-generator process; all processes share this machine's clock. Each figure is the median over the measured runs after a warm-up; spreads are in `results.json`. Contenders marked **(emulated)** run API Gateway under serverless-offline + dynalite on this machine: their figures describe the handlers and the data design, not AWS.",
    '',
  );
  lines.push('## Options considered, measured', '', ...optionsTable(r), '');
  for (const c of r.contenders)
    if (c.scaleNote) lines.push(`- **${name(c)}** ran below the profile's scale: ${c.scaleNote}.`, '');
  for (const c of r.contenders) if (c.emulated) lines.push(warmNote(c), '');
  lines.push(...dropClientNote(r));
  lines.push('## Seed claims', '', '| Claim | Verdict | Measurement |', '|---|---|---|');
  for (const v of verdicts(r)) lines.push(`| ${v.claim} | **${v.verdict}** | ${v.evidence} |`);
  lines.push(
    '',
    '## Performance goals (issues 5 and 16)',
    '',
    '| Goal | Measured | Status |',
    '|---|---|---|',
  );
  for (const g of goalChecks(r)) lines.push(`| ${g.goal} | ${g.measured} | **${g.status}** |`);
  const missed = goalChecks(r).filter((g) => g.status !== 'met');
  if (missed.length > 0)
    lines.push(
      '',
      `Goals not met in this run: ${missed.length} (${missed.map((g) => g.status).join(', ')}). ${r.profile === 'quick' ? 'A quick-profile run cannot reach goal scale by design.' : 'Why they were missed: benchmarks/results/README.md.'}`,
    );
  lines.push(
    '',
    '## 1. Unicast latency',
    '',
    '| Contender | Connections | Rate/s | p50 | p90 | p99 | p99.9 | max (ms) | p50 spread | delivered/published |',
    '|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const c of r.contenders) {
    if (!c.unicast.ok) {
      lines.push(`| ${name(c)} | ${err(c.unicast)} | | | | | | | | |`);
      continue;
    }
    for (const l of c.unicast.value) {
      lines.push(
        `| ${name(c)} | ${l.connected}/${l.connections} | ${l.ratePerSecond} | ${fmt(l.median.p50Ms, 3)} | ${fmt(l.median.p90Ms, 3)} | ${fmt(l.median.p99Ms, 3)} | ${fmt(l.median.p999Ms, 3)} | ${fmt(l.median.maxMs, 3)} | ${fmt(l.p50Spread.min, 3)}-${fmt(l.p50Spread.max, 3)} | ${l.delivered}/${l.published} |`,
      );
    }
  }
  lines.push(...interleavedNote(r));
  lines.push(
    '',
    '## 6. Connection lifecycle (detection times, ms)',
    '',
    '| Contender | Clean close (server) | Silent drop (client) | Silent drop (server) | LB idle timeout, heartbeats off (client) |',
    '|---|---|---|---|---|',
  );
  for (const c of r.contenders) {
    if (!c.lifecycle.ok) {
      lines.push(`| ${name(c)} | ${err(c.lifecycle)} | | | |`);
      continue;
    }
    const l = c.lifecycle.value as {
      cleanCloseServerDetectionMs: number | null;
      silentDropClientDetectionMs: number | null;
      silentDropServerDetectionMs: number | null;
      idleTimeoutMs: number;
      idleTimeoutClientDetectionMs: number | null;
    };
    const observable = c.drop.ok
      ? (c.drop.value.withResume as unknown as { serverDetectionObservable: boolean })
          .serverDetectionObservable
      : false;
    lines.push(
      `| ${name(c)} | ${l.cleanCloseServerDetectionMs ?? 'not observable'} | ${fmt(l.silentDropClientDetectionMs, 0)} | ${!observable ? 'n/a' : (l.silentDropServerDetectionMs ?? 'not during the drop')} | ${fmt(l.idleTimeoutClientDetectionMs, 0)} (timeout ${l.idleTimeoutMs}) |`,
    );
  }
  lines.push('', '## 7. Sticky sessions', '');
  for (const c of r.contenders) {
    if (!c.sticky.ok) lines.push(`- ${name(c)}: ${err(c.sticky)}`);
    else if (!c.sticky.value.applicable) lines.push(`- ${name(c)}: not applicable: ${c.sticky.value.reason}`);
    else
      lines.push(
        `- ${name(c)} (${c.sticky.value.reason}): ${c.sticky.value.passes.map((p) => `${p.sticky ? 'sticky' : 'not sticky'}: error rate ${fmt(p.errorRate * 100, 1)} % (${JSON.stringify(p)})`).join('; ')}`,
      );
  }
  lines.push(...scaleSection(r));
  lines.push(...clusterScaleSection(r));
  lines.push(
    '',
    '## Capacity figures for the cost model',
    '',
    '```json',
    JSON.stringify(r.capacity, null, 2),
    '```',
    '',
  );
  return `${lines.join('\n')}\n`;
}
