import { type DeliveryLedger, recordDeliveries } from './ledger.js';
import { hold, type PublishLoad, type PublishLoadOptions, startPublishLoad, stopLoad } from './load.js';
import {
  type Check,
  check,
  type Detection,
  type Scale,
  type ScenarioResult,
  summarizeDelays,
} from './scenario.js';

export interface FaultPhase {
  ledger: DeliveryLedger;
  users: string[];
  perSecond: number;
  publish: PublishLoadOptions['publish'];
  scale: Scale;
  /** Load before the fault starts. @default 1000 at full scale, 500 quick */
  warmupMs?: number | undefined;
  /** Load after the fault ends. @default 1500 at full scale, 800 quick */
  cooldownMs?: number | undefined;
  /** How long clients may take to catch up once the load stops. @default 30000 */
  settleTimeoutMs?: number | undefined;
  /** The fault itself, injected while the load runs. */
  inject(load: PublishLoad): Promise<FaultOutcome>;
  /** For scenarios about late delivery: the report then gives the delay distribution. @default none */
  catchUp?: CatchUp | undefined;
}

/** How clients catch up on what live delivery missed, and the bound that promises. */
export interface CatchUp {
  /** The mechanism and its timings, in words (e.g. "SDK ping every 5 s, pong deadline 3 s"). */
  keepAlive: string;
  /** Every hand-off's publish-to-hand-off delay must be at most this (one keep-alive round plus slack). */
  boundMs: number;
}

/** What a fault reports besides the ledger's counts. */
export interface FaultOutcome {
  checks?: Check[];
  observations?: string[];
  /** Set by faults that cut clients silently and time how long they took to notice. */
  detection?: Detection;
}

/**
 * The middle both variants' fault scenarios share: notifications flowing, a warm-up, the fault,
 * a cool-down, the load stopped (publishes in flight answered), everyone given time to catch up,
 * then the ledger and the fault's own checks written into `result`. The load is stopped on every
 * path, the fault throwing included.
 */
export async function runFaultPhase(phase: FaultPhase, result: ScenarioResult): Promise<void> {
  const { ledger, users, perSecond, publish, scale } = phase;
  const load = startPublishLoad({ ledger, users, perSecond, publish });
  let outcome: Awaited<ReturnType<FaultPhase['inject']>>;
  try {
    await hold(phase.warmupMs ?? (scale === 'full' ? 1000 : 500));
    outcome = await phase.inject(load);
    await hold(phase.cooldownMs ?? (scale === 'full' ? 1500 : 800));
  } finally {
    await stopLoad(load, result);
  }
  await recordDeliveries(ledger, result, phase.settleTimeoutMs ?? 30_000);
  if (phase.catchUp) {
    const { keepAlive, boundMs } = phase.catchUp;
    const delivery = summarizeDelays(keepAlive, ledger.deliveryDelaysMs());
    if (delivery) result.delivery = delivery;
    result.checks.push(
      check(
        'every notification was handed over within one keep-alive round of its publish (interval + deadline + 2 s for a loaded machine)',
        delivery !== undefined && delivery.maxMs <= boundMs,
        `max ${delivery ? (delivery.maxMs / 1000).toFixed(1) : '-'} s, bound ${boundMs / 1000} s`,
      ),
    );
  }
  result.checks.push(...(outcome.checks ?? []));
  result.observations.push(...(outcome.observations ?? []));
  if (outcome.detection) result.detection = outcome.detection;
}
