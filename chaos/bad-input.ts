import { type Fleet, type FleetOptions, startFleet } from './fleet.js';
import { DeliveryLedger, recordDeliveries } from './ledger.js';
import { chaosUsers, hold, type PublishLoadOptions, startPublishLoad, stopLoad } from './load.js';
import {
  type Check,
  type Scale,
  type Scenario,
  type ScenarioContext,
  type ScenarioResult,
  type Variant,
  newResult,
} from './scenario.js';

/** What the attacks of a bad-input scenario work with. */
export interface Attack<Stack> {
  stack: Stack;
  ledger: DeliveryLedger;
  result: ScenarioResult;
  /** The users the fleet serves while the attacks run (whose notifications must all arrive). */
  victims: string[];
  fleet: Fleet;
  full: boolean;
  /** Closed in `finally`, whatever happened: the attacker's sockets. */
  onCleanup(close: () => void): void;
}

/** What the attacks found. */
export interface AttackOutcome {
  checks: Check[];
  /** The inputs sent, one phrase each, for the report. */
  badInputs: string[];
  /** Connections open at the end: the fleet's and the attackers'. */
  connections: number;
}

/** A variant's bad-input scenario: its stack, its fleet, its attacks. */
export interface BadInputPlan<Stack> {
  id: string;
  variant: Variant;
  title: string;
  start(scale: Scale): Promise<Stack>;
  victims: Record<Scale, number>;
  fleet(stack: Stack): Pick<FleetOptions, 'url' | 'transport' | 'token' | 'connectConcurrency'>;
  /** @default the fleet's */
  readyTimeoutMs?: number;
  /** Notifications a second to the victims while the attacks run. */
  perSecond: Record<Scale, number>;
  publish(stack: Stack): PublishLoadOptions['publish'];
  /** Resident memory of the stack's long-lived processes, by name (each must keep its pid). */
  memory(stack: Stack): Promise<Map<string, { pid: number; bytes: number }>>;
  maxGrowthBytes: number;
  attack(attack: Attack<Stack>): Promise<AttackOutcome>;
  /** The stack still serves after the attacks: the processes `before` (as `memory` read them), healthy. */
  survived(stack: Stack, before: Map<string, { pid: number; bytes: number }>): Promise<Check>;
  stop(stack: Stack): Promise<void>;
}

/** Counts by key (answer codes, outcomes), printed `key n, key n`. */
export class Counts extends Map<string, number> {
  add(key: string): void {
    this.set(key, (this.get(key) ?? 0) + 1);
  }

  override toString(): string {
    return [...this].map(([key, n]) => `${key} ${n}`).join(', ');
  }
}

/**
 * The shape both bad-input scenarios share: the stack up, a fleet of victims served while the
 * attacks run, then the load stopped, every victim's notification accounted for, the stack's
 * survival and memory checked. Every process and socket started here is closed in `finally`.
 */
export async function runBadInput<Stack>(
  plan: BadInputPlan<Stack>,
  context: ScenarioContext,
): Promise<ScenarioResult> {
  const startedAtMs = Date.now();
  const result = newResult({ id: plan.id, variant: plan.variant, title: plan.title, fault: '-' });
  const ledger = new DeliveryLedger();
  const cleanups: (() => void)[] = [];
  let stack: Stack | undefined;
  let fleet: Fleet | undefined;
  let load: ReturnType<typeof startPublishLoad> | undefined;
  try {
    stack = await plan.start(context.scale);
    const started = stack;
    const victims = chaosUsers(`${plan.id}-victim`, plan.victims[context.scale]);
    fleet = startFleet({ ...plan.fleet(started), ledger, users: victims });
    await fleet.ready(plan.readyTimeoutMs);
    const before = await plan.memory(started);
    load = startPublishLoad({
      ledger,
      users: victims,
      perSecond: plan.perSecond[context.scale],
      publish: plan.publish(started),
    });
    const outcome = await plan.attack({
      stack: started,
      ledger,
      result,
      victims,
      fleet,
      full: context.scale === 'full',
      onCleanup: (close) => cleanups.push(close),
    });
    result.connections = outcome.connections;

    // Everyone else kept being served.
    await hold(500);
    const running = load;
    load = undefined;
    await stopLoad(running, result);
    await recordDeliveries(ledger, result, 20_000);
    result.checks = [...outcome.checks, await plan.survived(started, before)];
    result.badInputs = outcome.badInputs.join('; ');
    const after = await plan.memory(started);
    for (const [process, reading] of before) {
      const later = after.get(process);
      if (later?.pid === reading.pid)
        result.memory.push({
          process,
          beforeBytes: reading.bytes,
          afterBytes: later.bytes,
          maxGrowthBytes: plan.maxGrowthBytes,
        });
    }
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    await load?.stop();
    for (const close of cleanups) close();
    await fleet?.close();
    if (stack !== undefined) await plan.stop(stack);
    result.durationMs = Date.now() - startedAtMs;
  }
  return result;
}

/** The scenario (fast: `npm test` runs it at quick scale too). */
export function badInputScenario<Stack>(plan: BadInputPlan<Stack>): Scenario {
  return {
    id: plan.id,
    variant: plan.variant,
    title: plan.title,
    fast: true,
    run: (context) => runBadInput(plan, context),
  };
}
