import type { ApigwLocalOptions } from '../../apigw-websocket/local/stack.js';
import type { ApigwTransportOptions } from '../../shared/client/apigw.js';
import { type FaultProxy, startFaultProxy } from '../../dev-tools/index.js';
import { type CatchUp, type FaultOutcome, runFaultPhase } from '../fault-phase.js';
import { type Fleet, startFleet } from '../fleet.js';
import { DeliveryLedger } from '../ledger.js';
import { chaosUsers, type PublishLoad, type PublishLoadOptions } from '../load.js';
import { MiB, type Scale, type ScenarioContext, type ScenarioResult, newResult } from '../scenario.js';
import { type ChaosApigw, startChaosApigw } from './harness.js';

export interface ApigwFaultEnv {
  apigw: ChaosApigw;
  fleet: Fleet;
  ledger: DeliveryLedger;
  load: PublishLoad;
  users: string[];
  /** Clients that reach API Gateway through their own cuttable network, by fleet label. */
  networks: Map<string, FaultProxy>;
  scale: Scale;
  log(line: string): void;
}

export interface ApigwFaultPlan {
  id: string;
  title: string;
  fault: string;
  stack?: ApigwLocalOptions;
  transport?: ApigwTransportOptions;
  users: Record<Scale, number>;
  /** @default { quick: 1, full: 2 } */
  clientsPerUser?: Record<Scale, number>;
  perSecond: Record<Scale, number>;
  /** How many fleet clients get their own `FaultProxy`. @default 0 */
  networkedClients?: Record<Scale, number>;
  /** SDK connect timeout. @default 10000 */
  connectTimeoutMs?: number;
  /** The publish the load uses. @default the notify core (`apigw.publish`) */
  publish?: (env: Omit<ApigwFaultEnv, 'load'>) => PublishLoadOptions['publish'];
  /** Before the fleet connects (e.g. plant stale rows). */
  prepare?: (apigw: ChaosApigw, users: string[], scale: Scale) => Promise<void>;
  /** @default 1000 */
  warmupMs?: number;
  /** @default 1500 */
  cooldownMs?: number;
  /** @default 30000 */
  settleTimeoutMs?: number;
  /** @default 96 MiB (serverless-offline compiles and caches handlers lazily) */
  maxGrowthBytes?: number;
  inject(env: ApigwFaultEnv): Promise<FaultOutcome>;
  /** How the clients catch up on failed live deliveries: the report then gives the delay distribution. @default none */
  catchUp?: CatchUp;
}

/** As `runEcsFault`, for the API Gateway variant under serverless-offline. */
export async function runApigwFault(plan: ApigwFaultPlan, context: ScenarioContext): Promise<ScenarioResult> {
  const startedAtMs = Date.now();
  const { scale, log } = context;
  const result = newResult({ id: plan.id, variant: 'apigw-websocket', title: plan.title, fault: plan.fault });
  const ledger = new DeliveryLedger();
  const networks = new Map<string, FaultProxy>();
  let apigw: ChaosApigw | undefined;
  let fleet: Fleet | undefined;
  try {
    apigw = await startChaosApigw(plan.stack ?? {});
    const started = apigw;
    const users = chaosUsers(plan.id, plan.users[scale]);
    await plan.prepare?.(started, users, scale);
    const perUser = (plan.clientsPerUser ?? { quick: 1, full: 2 })[scale];
    const labels = users.flatMap((u) => Array.from({ length: perUser }, (_, i) => `${u}#${i}`));
    for (const label of labels.slice(0, plan.networkedClients?.[scale] ?? 0))
      networks.set(label, await startFaultProxy({ target: started.stack.wsUrl }));
    fleet = startFleet({
      ledger,
      url: started.stack.wsUrl,
      urlFor: (label) => networks.get(label)?.url,
      transport: () => started.transport(plan.transport),
      token: (userId) => started.token(userId),
      users,
      clientsPerUser: perUser,
      connectConcurrency: 5,
      minReconnectDelayMs: 200,
      connectTimeoutMs: plan.connectTimeoutMs ?? 10_000,
    });
    await fleet.ready(120_000);
    result.connections = fleet.members.length;
    log(`  ${fleet.members.length} clients connected`);
    const before = await started.offlineRss();
    const env = { apigw: started, fleet, ledger, users, networks, scale, log };
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
    const after = await started.offlineRss();
    if (before && after && before.pid === after.pid)
      result.memory.push({
        process: 'serverless-offline',
        beforeBytes: before.bytes,
        afterBytes: after.bytes,
        maxGrowthBytes: plan.maxGrowthBytes ?? 96 * MiB,
      });
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    fleet?.close();
    for (const network of networks.values()) await network.close();
    await apigw?.stop();
    result.durationMs = Date.now() - startedAtMs;
  }
  return result;
}
