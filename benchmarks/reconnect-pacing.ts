// Issue 24 item 3: the probe the pacing defaults were chosen from. N SDK clients on 2 containers;
// SIGKILL the one holding more of them, so about N/2 reconnect at once onto the survivor. Per run
// and per setting: time until 50 / 99 / 100 % of them resumed on the survivor, the survivor's
// event-loop lag peak (its prom-client `nodejs_eventloop_lag_max_seconds`, sampled every 250 ms),
// the connects it refused, and the machine's load average. Settings alternate within a run so the
// ratios compare like with like on a shared machine.
//
//   node --import tsx benchmarks/reconnect-pacing.ts --clients 2000 --runs 3 \
//     --settings 'off=;inflight64=MAX_HANDSHAKES_IN_FLIGHT:64'
//
// Prints one JSON line per trial and a summary (medians per setting, ratios against the first).
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { DeliveryLedger } from '../chaos/ledger.js';
import { startFleet } from '../chaos/fleet.js';
import { startChaosEcs } from '../chaos/ecs/harness.js';
import { startStormSampler } from '../chaos/ecs/storm-sampler.js';
import { pollUntil } from '../dev-tools/index.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '2000' },
    runs: { type: 'string', default: '3' },
    settings: { type: 'string', default: 'off=' },
  },
});
const clients = Number(values.clients);
const runs = Number(values.runs);
/** `name=VAR:value,VAR:value;name2=...`: the container env of each setting (pacing off unless set). */
const settings = values.settings.split(';').map((entry) => {
  const [name = '', vars = ''] = entry.split('=');
  const env: Record<string, string> = { MAX_HANDSHAKES_IN_FLIGHT: '0', MAX_EVENT_LOOP_LAG_MS: '0' };
  for (const pair of vars.split(',').filter(Boolean)) {
    const [key = '', value = ''] = pair.split(':');
    env[key] = value;
  }
  return { name, env };
});

const pct = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN);
const median = (xs: number[]) =>
  pct(
    [...xs].sort((a, b) => a - b),
    50,
  );

interface Trial {
  setting: string;
  run: number;
  hit: number;
  p50Ms: number;
  p99Ms: number;
  p100Ms: number;
  survivorLagPeakMs: number;
  refused: number;
  connectErrors: number;
  load1: number;
}

async function trial(setting: (typeof settings)[number], run: number): Promise<Trial> {
  const ecs = await startChaosEcs({
    containers: 2,
    worker: false,
    ownRedis: true,
    env: { MAX_CONNECTIONS_PER_ADDRESS: '1000000', ...setting.env },
  });
  const fleet = startFleet({
    ledger: new DeliveryLedger(),
    url: ecs.stack.url,
    transport: (label) => ecs.transport(label),
    token: (userId) => ecs.token(userId),
    users: Array.from({ length: clients }, (_, i) => `pacing-${run}-${i}`),
    connectConcurrency: 50,
    // The SDK's defaults, as browsers run it.
    minReconnectDelayMs: 1000,
    maxReconnectDelayMs: 5000,
    connectTimeoutMs: 20_000,
  });
  try {
    await fleet.ready(180_000);
    const counts = new Map<string, number>();
    for (const m of fleet.members)
      counts.set(m.client.servedBy ?? '?', (counts.get(m.client.servedBy ?? '?') ?? 0) + 1);
    const [victim = ''] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? [];
    const hit = fleet.members.filter((m) => m.client.servedBy === victim);
    const survivor = ecs.stack.containers().find((c) => c.id !== victim)?.id ?? '';
    const sampler = await startStormSampler(ecs.stack, undefined, 250);
    let connectErrors = 0;
    const back = new Map<string, number>();
    const killedAtMs = Date.now();
    const offs = hit.flatMap((m) => [
      m.client.on('resumed', ({ servedBy }) => {
        if (!back.has(m.label) && servedBy === survivor) back.set(m.label, Date.now() - killedAtMs);
      }),
      m.client.on('state', ({ newState, reason }) => {
        if (newState === 'connecting' && back.size > 0 && reason?.code !== 'transport close') connectErrors++;
      }),
    ]);
    await ecs.stack.killContainer(victim, 'SIGKILL');
    await pollUntil(() => back.size === hit.length, 120_000, 20);
    const doneAtMs = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await sampler.stop();
    for (const off of offs) off();
    const figures = sampler.figures(killedAtMs, doneAtMs, [survivor]).containers.get(survivor);
    const times = [...back.values()].sort((a, b) => a - b);
    return {
      setting: setting.name,
      run,
      hit: hit.length,
      p50Ms: pct(times, 50),
      p99Ms: pct(times, 99),
      p100Ms: back.size === hit.length ? pct(times, 100) : Number.NaN,
      survivorLagPeakMs: Math.round(figures?.peakLagMs ?? Number.NaN),
      refused: Math.round(figures?.refused ?? 0),
      connectErrors,
      load1: Number(loadavg()[0]?.toFixed(2)),
    };
  } finally {
    fleet.close();
    await ecs.stop();
  }
}

const trials: Trial[] = [];
for (let run = 1; run <= runs; run++)
  for (const setting of settings) {
    const result = await trial(setting, run);
    trials.push(result);
    console.log(JSON.stringify(result));
  }
const base = settings[0]?.name;
const summary = settings.map(({ name }) => {
  const of = trials.filter((t) => t.setting === name);
  return {
    setting: name,
    runs: of.length,
    p100MedianMs: median(of.map((t) => t.p100Ms)),
    p50MedianMs: median(of.map((t) => t.p50Ms)),
    lagPeakMedianMs: median(of.map((t) => t.survivorLagPeakMs)),
    refusedMedian: median(of.map((t) => t.refused)),
  };
});
const baseRow = summary.find((s) => s.setting === base);
for (const row of summary)
  console.log(
    JSON.stringify({
      ...row,
      p100Ratio: baseRow ? Number((row.p100MedianMs / baseRow.p100MedianMs).toFixed(2)) : undefined,
      lagRatio: baseRow ? Number((row.lagPeakMedianMs / baseRow.lagPeakMedianMs).toFixed(2)) : undefined,
    }),
  );
process.exit(0);
