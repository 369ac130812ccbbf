import { readFileSync } from 'node:fs';
import {
  type ApiGwWebSocketConfig,
  APIGW_CONTEXT_KEY,
  ECS_CONTEXT_KEY,
  type EcsSocketIoConfig,
  InfraConfigError,
  resolveApiGwWebSocketConfig,
  resolveEcsSocketIoConfig,
} from '../infra/lib/config.js';
import { CostInputError } from './errors.js';
import type { Arch } from './workload.js';

/**
 * What `cdk deploy` creates, as far as the bill depends on it, derived from the same
 * configuration the CDK app reads (`infra/lib/config.ts`, with the context in `cdk.json`). The
 * cost model prices these figures; `test/cost/deployed.test.ts` synthesizes both stacks and
 * checks every billable resource against them, so the model and the stacks cannot drift apart.
 */
export interface EcsDeployment {
  arch: Arch;
  /** vCPU of a server task (`taskCpu` / 1024). */
  taskVcpu: number;
  /** GB of a server task (`taskMemoryMiB` / 1024). */
  taskMemoryGb: number;
  /** Autoscaling floor (`desiredCount`). */
  minTasks: number;
  /** Autoscaling ceiling (`maxCount`). */
  maxTasks: number;
  /** Target-tracking goals of the service's two scaling policies. */
  cpuTargetPercent: number;
  connectionsPerTaskTarget: number;
  /** `nofile` of the server container. */
  nofileLimit: number;
  /** socket.io ping interval (`pingIntervalMs` / 1000). */
  pingIntervalSeconds: number;
  workerTasks: number;
  workerVcpu: number;
  workerMemoryGb: number;
  natGateways: number;
  /** An internet-facing ALB holds a public IPv4 address in every AZ it spans. */
  albPublicIpv4: number;
  redis: {
    kind: 'replication-group';
    nodeType: string;
    /** Every node billed: shards x (primary + replicas). */
    nodes: number;
    /** Node groups: 1 with cluster mode disabled. The replay log spreads over them. */
    shards: number;
    engine: 'redis' | 'valkey';
    snapshotRetentionDays: number;
  };
  /** VPC flow logs (rejects), server logs, worker logs (when there is a worker). */
  logGroups: string[];
  logRetentionDays: number;
  /** Secrets the stack creates: the Redis AUTH token, and the JWT secret unless an existing one is named. */
  secrets: number;
  /** Metrics read by CloudWatch alarms, including the four target-tracking alarms autoscaling creates. */
  alarmMetrics: { inTemplate: number; createdByAutoscaling: number };
}

export interface ApigwDeployment {
  arch: Arch;
  lambdaMemoryMb: number;
  /** Every function of the stack (the seven handlers). */
  functions: string[];
  /** A log group per function and one per API stage's access log. */
  logGroups: string[];
  logRetentionDays: number;
  tables: { name: string; billing: 'on-demand' }[];
  secrets: number;
  alarmMetrics: number;
}

export interface Deployment {
  ecs: EcsDeployment;
  apigw: ApigwDeployment;
  /** Where the knobs came from, for the printed assumptions. */
  source: string;
}

/** The seven handlers of `infra/lib/handler-function.ts`, each its own function and log group. */
const HANDLERS = ['connect', 'disconnect', 'default', 'notify', 'jobs', 'authorizer', 'publish'];

/**
 * The alarms of `infra/lib/apigw-alarms.ts`, counted in metrics: WebSocket 5xx (integration +
 * execution errors), HTTP API (publish and jobs) 5xx, function errors (one metric per function),
 * throttles (one per function but notify, whose throttles queue), stale connections; and
 * `infra/lib/apigw-service.ts`'s dead-lettered notify events (one).
 */
function apigwAlarmMetrics(functions: number): number {
  return 2 + 1 + functions + (functions - 1) + 1 + 1;
}

export function ecsDeployment(config: EcsSocketIoConfig): EcsDeployment {
  const shards = config.redisMode === 'cluster' ? config.redisShards : 1;
  // Every node billed (and watched by the RedisMemory alarms): shards x (primary + replicas).
  const redisNodes = shards * (1 + config.redisReplicas);
  return {
    arch: config.cpuArchitecture,
    taskVcpu: config.taskCpu / 1024,
    taskMemoryGb: config.taskMemoryMiB / 1024,
    minTasks: config.desiredCount,
    maxTasks: config.maxCount,
    cpuTargetPercent: config.cpuTargetPercent,
    connectionsPerTaskTarget: config.connectionsPerTaskTarget,
    nofileLimit: config.nofileLimit,
    pingIntervalSeconds: config.pingIntervalMs / 1000,
    workerTasks: config.workerCount,
    workerVcpu: config.workerTaskCpu / 1024,
    workerMemoryGb: config.workerTaskMemoryMiB / 1024,
    natGateways: config.natGateways,
    albPublicIpv4: config.maxAzs,
    redis: {
      kind: 'replication-group',
      nodeType: config.redisNodeType,
      nodes: redisNodes,
      shards,
      engine: config.redisEngine,
      snapshotRetentionDays: config.redisSnapshotRetentionDays,
    },
    logGroups: ['VPC flow logs', 'server', ...(config.workerCount > 0 ? ['worker'] : [])],
    logRetentionDays: config.logRetentionDays,
    secrets: 1 + (config.jwtSecretName === undefined ? 1 : 0),
    // Target5xx and UnhealthyTargets read one metric each, the RedisMemory alarms one per node
    // (math, up to 10 nodes an alarm). Each target-tracking policy makes a high and a low alarm:
    // CPU reads one metric, connections per task reads two (math).
    alarmMetrics: { inTemplate: 2 + redisNodes, createdByAutoscaling: 2 * 1 + 2 * 2 },
  };
}

export function apigwDeployment(config: ApiGwWebSocketConfig): ApigwDeployment {
  return {
    arch: config.lambdaArchitecture,
    lambdaMemoryMb: config.memoryMiB,
    functions: [...HANDLERS],
    logGroups: [
      ...HANDLERS.map((name) => `${name} function`),
      // The WebSocket stage logs only with the account's API Gateway role (apiGatewayLogRole).
      ...(config.apiGatewayLogRole === 'none' ? [] : ['WebSocket access']),
      'HTTP API access',
    ],
    logRetentionDays: config.logRetentionDays,
    tables: [
      { name: 'connections', billing: 'on-demand' },
      { name: 'notifications', billing: 'on-demand' },
    ],
    secrets: config.jwtSecretName === undefined ? 1 : 0,
    alarmMetrics: apigwAlarmMetrics(HANDLERS.length),
  };
}

/**
 * The deployment for knobs given as the CDK app takes them (an options object, or the raw
 * context value). Bad knobs are refused with the infra's own message.
 */
export function deploymentFrom(
  ecsOptions: unknown = {},
  apigwOptions: unknown = {},
  source = 'infra/lib/config.ts defaults',
): Deployment {
  try {
    return {
      ecs: ecsDeployment(resolveEcsSocketIoConfig(ecsOptions)),
      apigw: apigwDeployment(resolveApiGwWebSocketConfig(apigwOptions)),
      source,
    };
  } catch (error) {
    if (error instanceof InfraConfigError)
      throw new CostInputError(error.message, { field: 'deployment', cause: error });
    throw error;
  }
}

/** The deployment `npx cdk deploy` makes from this checkout: the config defaults plus `cdk.json`'s context. */
export function deploymentFromCdkJson(file = new URL('../cdk.json', import.meta.url)): Deployment {
  const text = readFileSync(file, 'utf8');
  const context = (JSON.parse(text) as { context?: Record<string, unknown> }).context ?? {};
  return deploymentFrom(
    context[ECS_CONTEXT_KEY],
    context[APIGW_CONTEXT_KEY],
    'infra/lib/config.ts + cdk.json context',
  );
}

/** The stacks' defaults: what `computeCosts` prices unless told otherwise. */
export const DEFAULT_DEPLOYMENT: Deployment = deploymentFrom();
