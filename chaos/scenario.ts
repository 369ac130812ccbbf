// The benchmarks' one median/min/max helper (the chaos runner reports spreads the same way).
import { spreadOf } from '../benchmarks/histogram.js';

/**
 * What every chaos scenario reports. The runner prints these as a table and writes them to
 * docs/RELIABILITY.md; `passed` is derived in one place (`verdict`) so the table, the exit code
 * and the tests can never disagree.
 */
export type Variant = 'ecs-socketio' | 'apigw-websocket';

export interface MemoryReading {
  /** Which process was measured (e.g. `ecs-2`, `serverless-offline`). */
  process: string;
  beforeBytes: number;
  afterBytes: number;
  /** The stated bound: `afterBytes - beforeBytes` must not exceed it. */
  maxGrowthBytes: number;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ScenarioResult {
  id: string;
  variant: Variant;
  title: string;
  /** The fault injected, in words (what, how, how long). */
  fault: string;
  /** The bad inputs tried, in words with counts; `-` when none. */
  badInputs: string;
  /** Peak SDK connections held while the fault ran. */
  connections: number;
  /** Notifications published (and jobs accepted) while the scenario ran. */
  notifications: number;
  lost: number;
  duplicates: number;
  crossUser: number;
  memory: MemoryReading[];
  /** Scenario-specific assertions (e.g. "the idle cut happened", "every stale row deleted"). */
  checks: Check[];
  /** Figures worth reading that are not pass/fail (cuts, reconnects, replays, 410s). */
  observations: string[];
  /** How long clients took to notice a silent drop, where the scenario makes one. */
  detection?: Detection;
  /** Publish-to-hand-off delays, where the scenario is about late delivery. */
  delivery?: DeliveryDelays;
  durationMs: number;
  /** Set when the scenario itself threw: it then fails. */
  error?: string;
}

/** How big a run is. `quick` is what `npm test` runs; `full` is `npm run chaos`. */
export type Scale = 'quick' | 'full';

export interface ScenarioContext {
  scale: Scale;
  /** Progress lines (the CLI prints them; tests discard them). */
  log(line: string): void;
}

export interface Scenario {
  id: string;
  variant: Variant;
  title: string;
  /** True when a `quick` run finishes in a few seconds, so `npm test` runs it too. */
  fast: boolean;
  run(context: ScenarioContext): Promise<ScenarioResult>;
}

/**
 * Silent-drop detection: from the moment the network went dark to the moment each client's state
 * left `connected`, over the clients that were connected when it did.
 */
export interface Detection {
  /** The liveness mechanism and its timings, in words (e.g. "ping every 5 s, pong deadline 3 s"). */
  heartbeat: string;
  /** Clients that were connected when the fault started. */
  clients: number;
  /** Of those, the ones that left `connected` before the fault ended. */
  noticed: number;
  minMs: number;
  medianMs: number;
  maxMs: number;
}

/** Min, median and max of the per-client detection times (`undefined` when none noticed). */
export function summarizeDetection(
  heartbeat: string,
  clients: number,
  detectedMs: number[],
): Detection | undefined {
  if (detectedMs.length === 0) return undefined;
  const { min, median, max } = spreadOf(detectedMs);
  return { heartbeat, clients, noticed: detectedMs.length, minMs: min, medianMs: median, maxMs: max };
}

/**
 * Delivery delay: from the publish (the envelope's `createdAtMs`) to the moment each client handed
 * the notification to its app, over every hand-off of the run.
 */
export interface DeliveryDelays {
  /** The catch-up mechanism and its timings, in words (e.g. "ping every 5 s, pong deadline 3 s"). */
  keepAlive: string;
  /** Notifications handed over (one per client and notification). */
  handOffs: number;
  minMs: number;
  medianMs: number;
  maxMs: number;
}

/** Min, median and max of the delivery delays (`undefined` when nothing was handed over). */
export function summarizeDelays(keepAlive: string, delaysMs: number[]): DeliveryDelays | undefined {
  if (delaysMs.length === 0) return undefined;
  const { min, median, max } = spreadOf(delaysMs);
  return { keepAlive, handOffs: delaysMs.length, minMs: min, medianMs: median, maxMs: max };
}

export const MiB = 1024 * 1024;

export function memoryWithinBound(reading: MemoryReading): boolean {
  return reading.afterBytes - reading.beforeBytes <= reading.maxGrowthBytes;
}

/** The one definition of "passed". */
export function verdict(result: ScenarioResult): boolean {
  return (
    result.error === undefined &&
    result.lost === 0 &&
    result.duplicates === 0 &&
    result.crossUser === 0 &&
    result.memory.every(memoryWithinBound) &&
    result.checks.every((check) => check.ok)
  );
}

/** Builds a check from a condition, so scenario code reads as a list of claims. */
export function check(name: string, ok: boolean, detail: string): Check {
  return { name, ok, detail };
}

/** A result with nothing measured yet; the scenario fills it in as it goes. */
export function newResult(
  fields: Pick<ScenarioResult, 'id' | 'variant' | 'title' | 'fault'> & { badInputs?: string },
): ScenarioResult {
  return {
    badInputs: '-',
    ...fields,
    connections: 0,
    notifications: 0,
    lost: 0,
    duplicates: 0,
    crossUser: 0,
    memory: [],
    checks: [],
    observations: [],
    durationMs: 0,
  };
}
