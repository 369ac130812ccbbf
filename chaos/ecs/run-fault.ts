import { type FaultProxy, startFaultProxy } from '../../dev-tools/index.js';
import { type Fleet, startFleet } from '../fleet.js';
import { DeliveryLedger } from '../ledger.js';
import { type CatchUp, runFaultPhase } from '../fault-phase.js';
import { chaosUsers, type PublishLoad, type PublishLoadOptions } from '../load.js';
import {
  type Check,
  MiB,
  type MemoryReading,
  type Scale,
  type ScenarioContext,
  type ScenarioResult,
  newResult,
} from '../scenario.js';
import { type ChaosEcs, type ChaosEcsOptions, startChaosEcs } from './harness.js';

export interface EcsFaultEnv {
  ecs: ChaosEcs;
  fleet: Fleet;
  ledger: DeliveryLedger;
  load: PublishLoad;
  users: string[];
  /** Clients that reach the load balancer through their own cuttable network, by fleet label. */
  networks: Map<string, FaultProxy>;
  scale: Scale;
  log(line: string): void;
}

export interface EcsFaultOutcome {
  checks?: Check[];
  observations?: string[];
}

export interface EcsFaultPlan {
  id: string;
  title: string;
  fault: string | ((scale: Scale) => string);
  stack: ChaosEcsOptions | ((scale: Scale) => ChaosEcsOptions);
  users: Record<Scale, number>;
  /** @default { quick: 1, full: 2 } */
  clientsPerUser?: Record<Scale, number>;
  perSecond: Record<Scale, number>;
  /** The publish the load uses. @default this version's worker path (`ecs.publish`) */
  publish?: (env: Omit<EcsFaultEnv, 'load'>) => PublishLoadOptions['publish'];
  /** How many fleet clients get their own `FaultProxy`. @default 0 */
  networkedClients?: Record<Scale, number>;
  /** SDK connect timeout. @default 10000 */
  connectTimeoutMs?: number;
  /** Load before the fault starts. @default 1000 */
  warmupMs?: number;
  /** Load after the fault ends. @default 1500 */
  cooldownMs?: number;
  /** How long clients may take to catch up once the load stops. @default 30000 */
  settleTimeoutMs?: number;
  /** @default 64 MiB */
  maxGrowthBytes?: number;
  inject(env: EcsFaultEnv): Promise<EcsFaultOutcome>;
  /** The SDK keep-alive the fleet runs with. @default the transport's defaults */
  keepAlive?: { keepAliveIntervalMs: number; pongTimeoutMs: number };
  /** How the clients catch up on failed live deliveries: the report then gives the delay distribution. @default none */
  catchUp?: CatchUp;
}

const pick = <T>(value: T | ((scale: Scale) => T), scale: Scale): T =>
  typeof value === 'function' ? (value as (scale: Scale) => T)(scale) : value;

/**
 * The shape every ECS fault scenario shares: stack up, a fleet of SDK clients connected,
 * notifications flowing, the fault injected, the load stopped, everyone given time to catch
 * up, then the ledger read. Every process and socket started here is stopped in `finally`.
 */
export async function runEcsFault(plan: EcsFaultPlan, context: ScenarioContext): Promise<ScenarioResult> {
  const startedAtMs = Date.now();
  const { scale, log } = context;
  const result = newResult({
    id: plan.id,
    variant: 'ecs-socketio',
    title: plan.title,
    fault: pick(plan.fault, scale),
  });
  const ledger = new DeliveryLedger();
  const networks = new Map<string, FaultProxy>();
  let ecs: ChaosEcs | undefined;
  let fleet: Fleet | undefined;
  try {
    ecs = await startChaosEcs(pick(plan.stack, scale));
    const users = chaosUsers(plan.id, plan.users[scale]);
    const perUser = (plan.clientsPerUser ?? { quick: 1, full: 2 })[scale];
    const labels = users.flatMap((u) => Array.from({ length: perUser }, (_, i) => `${u}#${i}`));
    for (const label of labels.slice(0, plan.networkedClients?.[scale] ?? 0))
      networks.set(label, await startFaultProxy({ target: ecs.stack.url }));
    const started = ecs;
    fleet = startFleet({
      ledger,
      url: started.stack.url,
      urlFor: (label) => networks.get(label)?.url,
      transport: (label) => started.transport(label, plan.keepAlive),
      token: (userId) => started.token(userId),
      users,
      clientsPerUser: perUser,
      connectTimeoutMs: plan.connectTimeoutMs ?? 10_000,
    });
    await fleet.ready();
    result.connections = fleet.members.length;
    log(`  ${fleet.members.length} clients connected`);
    const before = await started.containerRss();

    const running = fleet;
    const env = { ecs: started, fleet: running, ledger, users, networks, scale, log };
    await runFaultPhase(
      {
        ledger,
        users,
        perSecond: plan.perSecond[scale],
        publish: plan.publish ? plan.publish(env) : (userId, sequence) => started.publish(userId, sequence),
        scale,
        warmupMs: plan.warmupMs,
        cooldownMs: plan.cooldownMs,
        settleTimeoutMs: plan.settleTimeoutMs,
        inject: (load) => plan.inject({ ...env, load }),
        catchUp: plan.catchUp,
      },
      result,
    );
    result.observations.push(fleet.describe());

    const after = await started.containerRss();
    for (const [id, reading] of before) {
      const later = after.get(id);
      // A container that was killed and replaced is a new process: its growth means nothing.
      if (!later || later.pid !== reading.pid) continue;
      const memory: MemoryReading = {
        process: id,
        beforeBytes: reading.bytes,
        afterBytes: later.bytes,
        maxGrowthBytes: plan.maxGrowthBytes ?? 64 * MiB,
      };
      result.memory.push(memory);
    }
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    fleet?.close();
    for (const network of networks.values()) await network.close();
    await ecs?.stop();
    result.durationMs = Date.now() - startedAtMs;
  }
  return result;
}
