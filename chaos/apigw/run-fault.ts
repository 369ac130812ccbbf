import type { ApigwLocalOptions } from '../../apigw-websocket/local/stack.js';
import type { ApigwTransportOptions } from '../../shared/client/apigw.js';
import { type FaultEnv, type FaultPlan, runFault } from '../run-fault.js';
import { MiB, type Scale, type ScenarioContext, type ScenarioResult } from '../scenario.js';
import { type ChaosApigw, offlineMemory, startChaosApigw } from './harness.js';

export interface ApigwFaultEnv extends FaultEnv {
  apigw: ChaosApigw;
}

/** A fault plan on the API Gateway variant: the shared plan (chaos/run-fault.ts) and what only it has. */
export interface ApigwFaultPlan extends FaultPlan<ApigwFaultEnv> {
  fault: string;
  /** The local stack's options (per scale, e.g. quotas scaled to the fleet). @default {} */
  stack?: ApigwLocalOptions | ((scale: Scale) => ApigwLocalOptions);
  transport?: ApigwTransportOptions;
  /** Connection attempts in flight at once while the fleet comes up. @default 5 */
  connectConcurrency?: number;
  /** How long the whole fleet may take to come up. @default 120000 */
  readyTimeoutMs?: number;
  /** The publish the load uses. @default the notify core (`apigw.publish`) */
  publish?: FaultPlan<ApigwFaultEnv>['publish'];
  /** Before the fleet connects (e.g. plant stale rows). */
  prepare?: (apigw: ChaosApigw, users: string[], scale: Scale) => Promise<void>;
  /** @default 96 MiB (serverless-offline compiles and caches handlers lazily; read after a full GC, harness.ts) */
  maxGrowthBytes?: number;
}

/** `runFault` on the API Gateway variant under serverless-offline. */
export function runApigwFault(plan: ApigwFaultPlan, context: ScenarioContext): Promise<ScenarioResult> {
  return runFault<ChaosApigw, ApigwFaultEnv>(
    plan,
    {
      variant: 'apigw-websocket',
      fault: plan.fault,
      start: () =>
        startChaosApigw(typeof plan.stack === 'function' ? plan.stack(context.scale) : (plan.stack ?? {})),
      prepare: async (apigw, users) => plan.prepare?.(apigw, users, context.scale),
      url: (apigw) => apigw.stack.wsUrl,
      fleet: (apigw) => ({
        transport: () => apigw.transport(plan.transport),
        token: (userId) => apigw.token(userId),
        connectConcurrency: plan.connectConcurrency ?? 5,
        minReconnectDelayMs: 200,
      }),
      clientProcesses: (apigw) => ({
        kind: 'apigw',
        urls: [apigw.stack.wsUrl],
        jwtSecret: apigw.jwtSecret,
        transport: {
          ...(plan.transport?.keepAliveIntervalMs
            ? { keepAliveIntervalMs: plan.transport.keepAliveIntervalMs }
            : {}),
          ...(plan.transport?.pongTimeoutMs ? { pongTimeoutMs: plan.transport.pongTimeoutMs } : {}),
          ...(plan.transport?.resumeTimeoutMs ? { resumeTimeoutMs: plan.transport.resumeTimeoutMs } : {}),
        },
        // The fleet comes up through the quota gate and serverless-offline (tens of upgrades a second here).
        rampPerSecond: 100,
      }),
      readyTimeoutMs: plan.readyTimeoutMs ?? 120_000,
      publish: (apigw) => (userId, sequence) => apigw.publish(userId, sequence),
      env: (apigw) => ({ apigw }),
      memory: offlineMemory,
      maxGrowthBytes: 96 * MiB,
      stop: (apigw) => apigw.stop(),
    },
    context,
  );
}
