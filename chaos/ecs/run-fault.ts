import type { FaultOutcome } from '../fault-phase.js';
import { type FaultEnv, type FaultPlan, runFault } from '../run-fault.js';
import { MiB, type Scale, type Scenario, type ScenarioContext, type ScenarioResult } from '../scenario.js';
import { type ChaosEcs, type ChaosEcsOptions, startChaosEcs } from './harness.js';

export interface EcsFaultEnv extends FaultEnv {
  ecs: ChaosEcs;
}

export type EcsFaultOutcome = FaultOutcome;

/** A fault plan on the socket.io variant: the shared plan (chaos/run-fault.ts) and what only ECS has. */
export interface EcsFaultPlan extends FaultPlan<EcsFaultEnv> {
  fault: string | ((scale: Scale) => string);
  stack: ChaosEcsOptions | ((scale: Scale) => ChaosEcsOptions);
  /** The publish the load uses. @default this version's worker path (`ecs.publish`) */
  publish?: FaultPlan<EcsFaultEnv>['publish'];
  /** @default 64 MiB */
  maxGrowthBytes?: FaultPlan<EcsFaultEnv>['maxGrowthBytes'];
  /** The SDK keep-alive the fleet runs with. @default the transport's defaults */
  keepAlive?: { keepAliveIntervalMs: number; pongTimeoutMs: number };
}

const pick = <T>(value: T | ((scale: Scale) => T), scale: Scale): T =>
  typeof value === 'function' ? (value as (scale: Scale) => T)(scale) : value;

/** `runFault` on the local ECS stack: containers behind the load balancer, the worker, Redis. */
export function runEcsFault(plan: EcsFaultPlan, context: ScenarioContext): Promise<ScenarioResult> {
  return runFault<ChaosEcs, EcsFaultEnv>(
    plan,
    {
      variant: 'ecs-socketio',
      fault: pick(plan.fault, context.scale),
      start: () => startChaosEcs(pick(plan.stack, context.scale)),
      url: (ecs) => ecs.stack.url,
      fleet: (ecs) => ({
        transport: (label) => ecs.transport(label, plan.keepAlive),
        token: (userId) => ecs.token(userId),
      }),
      clientProcesses: (ecs) => ({
        kind: 'socketio',
        // Spread over the load balancer's nodes where the stack runs several (`loadBalancerNodes`).
        urls: ecs.stack.nodeUrls.length > 0 ? ecs.stack.nodeUrls : [ecs.stack.url],
        jwtSecret: ecs.jwtSecret,
        ...(plan.keepAlive ? { transport: plan.keepAlive } : {}),
      }),
      publish: (ecs) => (userId, sequence) => ecs.publish(userId, sequence),
      env: (ecs) => ({ ecs }),
      memory: (ecs) => ecs.containerRss(),
      maxGrowthBytes: 64 * MiB,
      stop: (ecs) => ecs.stop(),
    },
    context,
  );
}

/** A full-scale-only ECS fault scenario whose whole run is `runEcsFault(plan)`. */
export function ecsFaultScenario(plan: EcsFaultPlan): Scenario {
  return {
    id: plan.id,
    variant: 'ecs-socketio',
    title: plan.title,
    fast: false,
    run: (context) => runEcsFault(plan, context),
  };
}
