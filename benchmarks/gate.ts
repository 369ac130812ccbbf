import { readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { z } from 'zod';
import { GateFileError } from './errors.js';
import type { BenchResults, ContenderResult } from './results-schema.js';
import type { ScenarioId } from './harness.js';
import { measuredInOneRun } from './merge.js';

/**
 * `syncbell bench --gate FILE`: thresholds on ratios between two contenders of the same run, like
 * k6 thresholds or Artillery's `ensure`, but never on absolute times (they vary 3x between
 * machines here; a ratio measured in one sitting carries the machine's speed on both sides).
 */

type Outcome = { ok: true; value: number; detail: string } | { ok: false; reason: string };
const failed = (c: ContenderResult, scenario: string, o: { ok: boolean; error?: string }): Outcome => ({
  ok: false,
  reason: `${c.id} ${scenario} ${o.error === 'not selected (--scenarios)' ? 'was not run (--scenarios)' : `failed: ${o.error}`}`,
});

function unicast(c: ContenderResult, pick: (h: HeadlineLevel) => number, unit: string): Outcome {
  if (!c.unicast.ok) return failed(c, 'unicast', c.unicast);
  const h = c.unicast.value.at(-1);
  if (!h) return { ok: false, reason: `${c.id} unicast measured no level` };
  return { ok: true, value: pick(h), detail: `${unit} at ${h.connected} connections, ${h.ratePerSecond}/s` };
}
type HeadlineLevel = Extract<ContenderResult['unicast'], { ok: true }>['value'][number];

/** Which point of a contender's scale scenario a `scale.*` metric reads. */
export interface ScaleSelector {
  adapter: 'classic' | 'sharded';
  containers: number;
}

function scale(
  c: ContenderResult,
  at: ScaleSelector | undefined,
  pick: (p: ScalePoint) => number,
  unit: string,
): Outcome {
  if (!at) return { ok: false, reason: 'a scale metric needs "at" (adapter and containers)' };
  if (!c.scale) return { ok: false, reason: `${c.id} has no scale scenario` };
  if (!c.scale.ok) return failed(c, 'scale', c.scale);
  const point = c.scale.value.find((p) => p.adapter === at.adapter && p.containers === at.containers);
  if (!point)
    return {
      ok: false,
      reason: `${c.id} scale measured no ${at.adapter} point at ${at.containers} containers`,
    };
  return {
    ok: true,
    value: pick(point),
    detail: `${unit}, ${at.adapter} x${at.containers}, ${point.connected} connections`,
  };
}
type ScalePoint = Extract<NonNullable<ContenderResult['scale']>, { ok: true }>['value'][number];

/** The scenario each metric family reads. */
const METRIC_SCENARIO = {
  unicast: 'unicast',
  broadcast: 'fanout',
  capacity: 'capacity',
  wire: 'wire-bytes',
  scale: 'scale',
} as const satisfies Record<string, ScenarioId>;

/**
 * Every metric a gate can name, each read from one contender's results (lower is better for all).
 * `scale.*` metrics read one point of the scale scenario (`at`; the baseline's is `baselineAt`).
 */
const METRICS = {
  'unicast.p50': (c) => unicast(c, (h) => h.median.p50Ms, 'p50 ms'),
  'unicast.p90': (c) => unicast(c, (h) => h.median.p90Ms, 'p90 ms'),
  'unicast.p99': (c) => unicast(c, (h) => h.median.p99Ms, 'p99 ms'),
  'unicast.cpuSecondsPer1000': (c) =>
    unicast(c, (h) => h.cpuSecondsPer1000Notifications.median, 'CPU s per 1,000'),
  'broadcast.first': (c) =>
    c.fanout.ok
      ? { ok: true, value: c.fanout.value.firstMs.median, detail: `first ms, N=${c.fanout.value.connected}` }
      : failed(c, 'fanout', c.fanout),
  'broadcast.last': (c) =>
    c.fanout.ok
      ? { ok: true, value: c.fanout.value.lastMs.median, detail: `last ms, N=${c.fanout.value.connected}` }
      : failed(c, 'fanout', c.fanout),
  'capacity.rssBytesPerConnection': (c) =>
    c.capacity.ok
      ? {
          ok: true,
          value: c.capacity.value.rssBytesPerConnection,
          detail: `RSS bytes per connection, ${c.capacity.value.connectionsHeld} held`,
        }
      : failed(c, 'capacity', c.capacity),
  'wire.downBytesPerNotification': (c) =>
    c.wireBytes.ok
      ? { ok: true, value: c.wireBytes.value.downBytesPerNotification, detail: 'bytes down per notification' }
      : failed(c, 'wire-bytes', c.wireBytes),
  'scale.cpuSecondsPer1000': (c, at) =>
    scale(c, at, (p) => p.cpuSecondsPer1000.median, 'server + Redis CPU s per 1,000'),
  'scale.p50': (c, at) => scale(c, at, (p) => p.p50Ms, 'p50 ms'),
  'scale.p99': (c, at) => scale(c, at, (p) => p.p99Ms, 'p99 ms'),
} satisfies Record<string, (c: ContenderResult, at?: ScaleSelector) => Outcome>;

export type GateMetric = keyof typeof METRICS;
export const GATE_METRICS = Object.keys(METRICS) as [GateMetric, ...GateMetric[]];

const selectorSchema = z.strictObject({
  adapter: z.enum(['classic', 'sharded']),
  containers: z.number().int().positive(),
});

const checkSchema = z
  .strictObject({
    metric: z.enum(GATE_METRICS),
    /** The contender under test: the numerator. */
    contender: z.string().min(1),
    /** The contender it is held against, in the same run: the denominator. */
    baseline: z.string().min(1),
    /** Fails when contender / baseline is above this. */
    max: z.number().positive().optional(),
    /** Fails when contender / baseline is below this. */
    min: z.number().nonnegative().optional(),
    /** Why this bound, shown next to the check. */
    why: z.string().optional(),
    /** `scale.*` metrics: the contender's point (adapter and container count). */
    at: selectorSchema.optional(),
    /** `scale.*` metrics: the baseline's point. */
    baselineAt: selectorSchema.optional(),
  })
  .refine((c) => c.max !== undefined || c.min !== undefined, { message: 'a check needs "max" or "min"' })
  .refine(
    (c) =>
      c.metric.startsWith('scale.')
        ? c.at !== undefined && c.baselineAt !== undefined
        : c.at === undefined && c.baselineAt === undefined,
    {
      message: 'a scale.* metric needs "at" and "baselineAt"; other metrics take neither',
    },
  )
  .refine((c) => c.contender !== c.baseline || JSON.stringify(c.at) !== JSON.stringify(c.baselineAt), {
    message: 'contender and baseline must differ (or, for a scale.* metric, their points)',
  });

export const gateFileSchema = z.strictObject({
  /** What the gate is for and how its margins were chosen (JSON has no comments). */
  description: z.string().optional(),
  checks: z.array(checkSchema).min(1),
});
export type GateFile = z.infer<typeof gateFileSchema>;
export type GateCheck = GateFile['checks'][number];

/** Validates a parsed gate file; contender ids must be among `knownContenders`. */
export function parseGateFile(
  raw: unknown,
  knownContenders: readonly string[],
  source = 'gate file',
): GateFile {
  const parsed = gateFileSchema.safeParse(raw);
  if (!parsed.success)
    throw new GateFileError(`${source}: ${z.prettifyError(parsed.error)}`, { cause: parsed.error });
  const unknown = parsed.data.checks.flatMap((check, i) =>
    [check.contender, check.baseline]
      .filter((id) => !knownContenders.includes(id))
      .map((id) => `checks[${i}]: unknown contender "${id}"`),
  );
  if (unknown.length > 0)
    throw new GateFileError(`${source}: ${unknown.join('; ')} (known: ${knownContenders.join(', ')})`);
  return parsed.data;
}

export async function loadGateFile(path: string, knownContenders: readonly string[]): Promise<GateFile> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new GateFileError(`${path}: ${(error as Error).message}`, { cause: error });
  }
  return parseGateFile(raw, knownContenders, path);
}

export interface GateVerdict {
  check: GateCheck;
  status: 'pass' | 'fail' | 'missing';
  /** contender / baseline, when both were measured. */
  ratio: number | null;
  /** The two values, or why the check could not be evaluated. */
  detail: string;
}

const bound = (c: GateCheck) =>
  [c.min !== undefined ? `>= ${c.min}` : '', c.max !== undefined ? `<= ${c.max}` : '']
    .filter(Boolean)
    .join(', ');

const side = (id: string, at: ScaleSelector | undefined) =>
  at ? `${id} (${at.adapter} x${at.containers})` : id;

const round = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));

function evaluateCheck(results: BenchResults, check: GateCheck): GateVerdict {
  const missing = (detail: string): GateVerdict => ({ check, status: 'missing', ratio: null, detail });
  const measure = (id: string, at: ScaleSelector | undefined): Outcome => {
    const c = results.contenders.find((r) => r.id === id);
    return c ? METRICS[check.metric](c, at) : { ok: false, reason: `${id} was not part of this run` };
  };
  const scenario = METRIC_SCENARIO[check.metric.split('.')[0] as keyof typeof METRIC_SCENARIO];
  if (!measuredInOneRun(results, check.contender, check.baseline, scenario))
    return missing(
      `${check.contender} and ${check.baseline} were measured in different runs (merged results): no same-run ratio`,
    );
  const top = measure(check.contender, check.at);
  const bottom = measure(check.baseline, check.baselineAt);
  const absent = [top, bottom].flatMap((o) => (o.ok ? [] : [o.reason]));
  if (absent.length > 0 || !top.ok || !bottom.ok) return missing([...new Set(absent)].join('; '));
  if (!(bottom.value > 0)) return missing(`${check.baseline} measured ${bottom.value}: no ratio to take`);
  const ratio = top.value / bottom.value;
  const ok =
    (check.max === undefined || ratio <= check.max) && (check.min === undefined || ratio >= check.min);
  return {
    check,
    status: ok ? 'pass' : 'fail',
    ratio,
    detail: `${round(top.value)} vs ${round(bottom.value)} (${top.detail})`,
  };
}

export interface GateReport {
  verdicts: GateVerdict[];
  /** True when every check passed; a missing metric fails the gate. */
  passed: boolean;
}

export function evaluateGate(results: BenchResults, gate: GateFile): GateReport {
  const verdicts = gate.checks.map((check) => evaluateCheck(results, check));
  return { verdicts, passed: verdicts.every((v) => v.status === 'pass') };
}

/**
 * A plain text table, columns padded to their widest cell. Hand-written because `console.table`
 * quotes every string cell and adds an index column, which reads badly in a CI log.
 */
export function textTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n`;
}

/** The summary printed at the end of every run: each contender's headline figures. */
export function printRunSummary(results: BenchResults, out: Writable): void {
  const rows = results.contenders.map((c) => {
    const cell = (metric: GateMetric, digits: number, scale = 1) => {
      const m = METRICS[metric](c, undefined);
      return m.ok ? (m.value / scale).toFixed(digits) : 'n/a';
    };
    return [
      c.id,
      cell('unicast.p50', 3),
      cell('unicast.p99', 3),
      cell('broadcast.last', 1),
      cell('capacity.rssBytesPerConnection', 1, 1024),
      cell('unicast.cpuSecondsPer1000', 4),
    ];
  });
  out.write(`\nsummary (${results.profile} profile; n/a: not run or failed, see the report)\n`);
  out.write(
    textTable(
      ['contender', 'unicast p50 ms', 'p99 ms', 'broadcast last ms', 'RSS KB/conn', 'CPU s/1,000'],
      rows,
    ),
  );
  const scaled = results.contenders.flatMap((c) => (c.scale?.ok ? c.scale.value.map((p) => ({ c, p })) : []));
  if (scaled.length > 0) {
    out.write('\nscale (server + Redis CPU per 1,000 deliveries; same connections and rate at each count)\n');
    out.write(
      textTable(
        ['contender', 'adapter', 'containers', 'connections', 'p50 ms', 'p99 ms', 'CPU s/1,000'],
        scaled.map(({ c, p }) => [
          c.id,
          p.adapter === 'sharded' ? 'sharded (per-user channels)' : 'classic',
          String(p.containers),
          String(p.connected),
          p.p50Ms.toFixed(3),
          p.p99Ms.toFixed(3),
          p.cpuSecondsPer1000.median.toFixed(4),
        ]),
      ),
    );
  }
}

/** The gate's verdicts as a table, then one line saying whether the gate passed and why not. */
export function printGateReport(report: GateReport, source: string, out: Writable): void {
  out.write(`\ngate ${source}: ratios contender / baseline, same run\n`);
  out.write(
    textTable(
      ['status', 'metric', 'contender / baseline', 'ratio', 'bound', 'values'],
      report.verdicts.map((v) => [
        v.status.toUpperCase(),
        v.check.metric,
        `${side(v.check.contender, v.check.at)} / ${side(v.check.baseline, v.check.baselineAt)}`,
        v.ratio === null ? 'n/a' : `${v.ratio.toFixed(2)}x`,
        bound(v.check),
        v.detail,
      ]),
    ),
  );
  const bad = report.verdicts.filter((v) => v.status !== 'pass');
  out.write(
    report.passed
      ? `gate passed: ${report.verdicts.length} of ${report.verdicts.length} checks\n`
      : `gate FAILED: ${bad.map((v) => `${v.check.metric} ${v.check.contender}/${v.check.baseline} ${v.status}${v.status === 'missing' ? ` (${v.detail})` : ''}`).join('; ')}\n`,
  );
}
