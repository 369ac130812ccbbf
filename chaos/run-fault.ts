import { type FaultProxy, startFaultProxy } from '../dev-tools/index.js';
import { type CatchUp, type FaultOutcome, runFaultPhase } from './fault-phase.js';
import { type ClientProcesses, type Fleet, type FleetOptions, startFleet } from './fleet.js';
import { DeliveryLedger } from './ledger.js';
import { chaosUsers, type PublishLoad, type PublishLoadOptions } from './load.js';
import {
  type Scale,
  type ScenarioContext,
  type ScenarioResult,
  type Variant,
  newResult,
} from './scenario.js';

/** What every fault's `inject` gets, beside its variant's stack. */
export interface FaultEnv {
  fleet: Fleet;
  ledger: DeliveryLedger;
  load: PublishLoad;
  users: string[];
  /** Clients that reach the stack through their own cuttable network, by fleet label. */
  networks: Map<string, FaultProxy>;
  scale: Scale;
  log(line: string): void;
}

/** A fault scenario's plan, the part both variants share (`EcsFaultPlan`, `ApigwFaultPlan`). */
export interface FaultPlan<Env extends FaultEnv> {
  id: string;
  title: string;
  users: Record<Scale, number>;
  /** @default { quick: 1, full: 2 } */
  clientsPerUser?: Record<Scale, number>;
  perSecond: Record<Scale, number>;
  /**
   * Run the fleet's SDK clients in this many client processes (chaos/fleet.ts, `processes`),
   * where one process cannot hold them beside the stack. @default 0 (in this process)
   */
  clientProcesses?: Record<Scale, number>;
  /** How many fleet clients get their own `FaultProxy`. @default 0 */
  networkedClients?: Record<Scale, number>;
  /** SDK connect timeout. @default 10000 */
  connectTimeoutMs?: number;
  /** The publish the load uses. @default the variant's (`FaultVariant.publish`) */
  publish?: (env: Omit<Env, 'load'>) => PublishLoadOptions['publish'];
  /** Load before the fault starts. @default 1000 */
  warmupMs?: number;
  /** Load after the fault ends. @default 1500 */
  cooldownMs?: number;
  /** How long clients may take to catch up once the load stops. @default 30000 */
  settleTimeoutMs?: number;
  /**
   * How much a process that lived through the run may grow, or a function of the scale (a storm's
   * survivor takes the dead container's clients on). @default the variant's
   */
  maxGrowthBytes?: number | ((scale: Scale) => number);
  inject(env: Env): Promise<FaultOutcome>;
  /** How the clients catch up on failed live deliveries: the report then gives the delay distribution. @default none */
  catchUp?: CatchUp;
}

/** What differs between the variants' runs: the stack, how clients reach it, what is measured. */
export interface FaultVariant<Stack, Env extends FaultEnv> {
  variant: Variant;
  fault: string;
  start(): Promise<Stack>;
  /** Before the fleet connects (e.g. plant stale rows). @default nothing */
  prepare?(stack: Stack, users: string[]): Promise<void>;
  url(stack: Stack): string;
  /** How the fleet's clients connect, beside what the plan sets. */
  fleet(
    stack: Stack,
  ): Pick<FleetOptions, 'transport' | 'token' | 'connectConcurrency' | 'minReconnectDelayMs'>;
  /** Where and how clients in client processes connect (`FaultPlan.clientProcesses`). @default in-process only */
  clientProcesses?(stack: Stack): Omit<ClientProcesses, 'count'>;
  /** How long the fleet may take to connect. @default the fleet's */
  readyTimeoutMs?: number;
  publish(stack: Stack): PublishLoadOptions['publish'];
  /** The variant's part of the env (`{ ecs }`, `{ apigw }`). */
  env(stack: Stack): Omit<Env, keyof FaultEnv>;
  /** Resident memory of the stack's long-lived processes, by name. */
  memory(stack: Stack): Promise<Map<string, { pid: number; bytes: number }>>;
  maxGrowthBytes: number;
  stop(stack: Stack): Promise<void>;
}

/**
 * The shape every fault scenario shares: stack up, a fleet of SDK clients connected,
 * notifications flowing, the fault injected, the load stopped, everyone given time to catch up,
 * then the ledger read, and the memory of each process that lived through it. Every process and
 * socket started here is stopped in `finally`.
 */
export async function runFault<Stack, Env extends FaultEnv>(
  plan: FaultPlan<Env>,
  variant: FaultVariant<Stack, Env>,
  context: ScenarioContext,
): Promise<ScenarioResult> {
  const startedAtMs = Date.now();
  const { scale, log } = context;
  const result = newResult({
    id: plan.id,
    variant: variant.variant,
    title: plan.title,
    fault: variant.fault,
  });
  const ledger = new DeliveryLedger();
  const networks = new Map<string, FaultProxy>();
  let stack: Stack | undefined;
  let fleet: Fleet | undefined;
  try {
    stack = await variant.start();
    const started = stack;
    const users = chaosUsers(plan.id, plan.users[scale]);
    await variant.prepare?.(started, users);
    const perUser = (plan.clientsPerUser ?? { quick: 1, full: 2 })[scale];
    const labels = users.flatMap((u) => Array.from({ length: perUser }, (_, i) => `${u}#${i}`));
    const url = variant.url(started);
    for (const label of labels.slice(0, plan.networkedClients?.[scale] ?? 0))
      networks.set(label, await startFaultProxy({ target: url }));
    const processCount = plan.clientProcesses?.[scale] ?? 0;
    const processes =
      processCount > 0 && variant.clientProcesses
        ? { ...variant.clientProcesses(started), count: processCount }
        : undefined;
    fleet = startFleet({
      ...variant.fleet(started),
      ...(processes ? { processes } : {}),
      ledger,
      url,
      urlFor: (label) => networks.get(label)?.url,
      users,
      clientsPerUser: perUser,
      connectTimeoutMs: plan.connectTimeoutMs ?? 10_000,
    });
    await fleet.ready(variant.readyTimeoutMs);
    result.connections = fleet.members.length;
    log(`  ${fleet.members.length} clients connected`);
    const before = await variant.memory(started);

    const env = { ...variant.env(started), fleet, ledger, users, networks, scale, log } as Omit<Env, 'load'>;
    await runFaultPhase(
      {
        ledger,
        users,
        perSecond: plan.perSecond[scale],
        publish: plan.publish ? plan.publish(env) : variant.publish(started),
        scale,
        warmupMs: plan.warmupMs,
        cooldownMs: plan.cooldownMs,
        settleTimeoutMs: plan.settleTimeoutMs,
        inject: (load) => plan.inject({ ...env, load } as Env),
        catchUp: plan.catchUp,
      },
      result,
    );
    result.observations.push(fleet.describe());

    const after = await variant.memory(started);
    for (const [process, reading] of before) {
      const later = after.get(process);
      // A process that was killed and replaced is a new process: its growth means nothing.
      if (!later || later.pid !== reading.pid) continue;
      result.memory.push({
        process,
        beforeBytes: reading.bytes,
        afterBytes: later.bytes,
        maxGrowthBytes:
          typeof plan.maxGrowthBytes === 'function'
            ? plan.maxGrowthBytes(scale)
            : (plan.maxGrowthBytes ?? variant.maxGrowthBytes),
      });
    }
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    await fleet?.close();
    for (const network of networks.values()) await network.close();
    if (stack !== undefined) await variant.stop(stack);
    result.durationMs = Date.now() - startedAtMs;
  }
  return result;
}
