import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { APIGW_UNPRICED } from '../../cost/apigw.js';
import { DEFAULT_DEPLOYMENT, type Deployment, deploymentFrom } from '../../cost/deployed.js';
import { ECS_UNPRICED } from '../../cost/ecs.js';
import { CostInputError } from '../../cost/errors.js';
import { computeCosts } from '../../cost/model.js';
import { CACHE_NODE_TYPES, VALKEY_NODE_PRICE_FACTOR } from '../../cost/prices.js';
import type { CostLine, CostReport } from '../../cost/report.js';
import { HOURS_PER_MONTH } from '../../cost/workload.js';
import type { ApiGwWebSocketOptions, EcsSocketIoOptions } from '../../infra/lib/config.js';
import { ApiGwWebSocketStack } from '../../infra/lib/apigw-websocket-stack.js';
import { EcsSocketIoStack } from '../../infra/lib/ecs-socketio-stack.js';
import { unbundledApp } from '../infra/support/unbundled-app.js';

/**
 * The model prices what `cdk deploy` creates: both stacks are synthesized from the same knobs
 * the model reads, every resource in the templates is either checked against its line of the
 * bill (count and size) or named as free or unpriced with a reason, and a resource type the
 * model does not know fails the test, so a new billable resource cannot slip in unpriced.
 */

type Resource = { Type: string; Properties?: Record<string, unknown> };

const WORKLOAD = { avgConnections: 10_000, peakConnections: 25_000, notificationsPerDay: 200_000 };

/** Resource types that cost nothing by themselves (or are billed through another line). */
const FREE_TYPES = new Set([
  'AWS::EC2::VPC',
  'AWS::EC2::Subnet',
  'AWS::EC2::RouteTable',
  'AWS::EC2::SubnetRouteTableAssociation',
  'AWS::EC2::Route',
  'AWS::EC2::InternetGateway',
  'AWS::EC2::VPCGatewayAttachment',
  'AWS::EC2::SecurityGroup',
  'AWS::EC2::SecurityGroupIngress',
  'AWS::EC2::SecurityGroupEgress',
  'AWS::EC2::FlowLog', // billed as the logs it writes (the flow-log group)
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::ElastiCache::SubnetGroup',
  'AWS::ECS::Cluster', // Container Insights: in ECS_UNPRICED
  'AWS::ECS::TaskDefinition', // billed through the services that run it
  'AWS::ApplicationAutoScaling::ScalableTarget',
  'AWS::ApplicationAutoScaling::ScalingPolicy', // billed as the alarms it creates
  'AWS::ElasticLoadBalancingV2::Listener',
  'AWS::ElasticLoadBalancingV2::TargetGroup',
  'AWS::SNS::TopicPolicy',
  'AWS::S3::BucketPolicy',
  'AWS::Lambda::Permission',
  'AWS::ApiGatewayV2::Integration',
  'AWS::ApiGatewayV2::Route',
  'AWS::ApiGatewayV2::Authorizer',
  'AWS::ApiGatewayV2::Stage',
  'AWS::ElastiCache::ParameterGroup', // noeviction (and, in cluster mode, cluster-enabled)
  'AWS::Lambda::EventInvokeConfig',
  // notify's dead-letter queue: billed per request, and only failed events are sent to it.
  'AWS::SQS::Queue',
  'AWS::SQS::QueuePolicy',
]);

/** Billable types the model leaves out on purpose, each in the option's "Not priced" list. */
const UNPRICED_TYPES: Record<string, string> = {
  'AWS::SNS::Topic': 'SNS alarm topic',
  'AWS::S3::Bucket': 'ALB access-log bucket',
};

function resources(template: Template): Resource[] {
  return Object.values(template.toJSON().Resources as Record<string, Resource>);
}

function ofType(template: Template, type: string): Resource[] {
  return resources(template).filter((resource) => resource.Type === type);
}

function lineOf(report: CostReport, id: string, start: string): CostLine | undefined {
  return report.options.find((option) => option.id === id)?.lines.find((line) => line.item.startsWith(start));
}

function mustLine(report: CostReport, id: string, start: string): CostLine {
  const found = lineOf(report, id, start);
  if (!found) throw new Error(`no line "${start}" in ${id}`);
  return found;
}

/** Metrics an alarm reads: one for a plain metric, one per MetricStat of a math expression. */
function alarmMetrics(alarm: Resource): number {
  const metrics = alarm.Properties?.Metrics as { MetricStat?: unknown }[] | undefined;
  return metrics ? metrics.filter((metric) => metric.MetricStat !== undefined).length : 1;
}

/** A target-tracking policy makes a high and a low alarm, each reading the policy's metrics. */
function targetTrackingMetrics(policy: Resource): number {
  const config = policy.Properties?.TargetTrackingScalingPolicyConfiguration as
    | { CustomizedMetricSpecification?: { Metrics?: { MetricStat?: unknown }[] } }
    | undefined;
  const metrics = config?.CustomizedMetricSpecification?.Metrics;
  return 2 * (metrics ? metrics.filter((metric) => metric.MetricStat !== undefined).length : 1);
}

function expectKnownTypes(template: Template, unpriced: readonly { what: string }[]): void {
  for (const { Type } of resources(template)) {
    if (FREE_TYPES.has(Type)) continue;
    if (Type in UNPRICED_TYPES) {
      expect(unpriced.map((item) => item.what)).toContain(UNPRICED_TYPES[Type]);
      continue;
    }
    expect(PRICED_TYPES, `resource type ${Type} is neither priced nor listed as free`).toContain(Type);
  }
}

const PRICED_TYPES = [
  'AWS::EC2::NatGateway',
  'AWS::EC2::EIP',
  'AWS::ElasticLoadBalancingV2::LoadBalancer',
  'AWS::ECS::Service',
  'AWS::ElastiCache::ReplicationGroup',
  'AWS::Logs::LogGroup',
  'AWS::SecretsManager::Secret',
  'AWS::CloudWatch::Alarm',
  'AWS::Lambda::Function',
  'AWS::DynamoDB::GlobalTable',
  'AWS::ApiGatewayV2::Api',
];

function checkEcs(template: Template, deployment: Deployment): void {
  const report = computeCosts(WORKLOAD, { deployment });
  const ecs = deployment.ecs;
  expectKnownTypes(template, ECS_UNPRICED);
  // No ElastiCache Serverless: the model prices nodes, the stack deploys nodes.
  expect(ofType(template, 'AWS::ElastiCache::ServerlessCache')).toHaveLength(0);

  // NAT gateways and their Elastic IPs; the ALB's address in each of its subnets.
  const nats = ofType(template, 'AWS::EC2::NatGateway').length;
  expect(nats).toBe(ecs.natGateways);
  expect(mustLine(report, 'ecs-socketio', 'NAT gateway hours').quantity).toBe(nats * HOURS_PER_MONTH);
  const [alb] = ofType(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
  expect(alb?.Properties?.Scheme).toBe('internet-facing');
  const albSubnets = ((alb?.Properties?.Subnets ?? []) as unknown[]).length;
  const eips = ofType(template, 'AWS::EC2::EIP').length;
  expect(mustLine(report, 'ecs-socketio', 'Public IPv4 addresses').quantity).toBe(
    (eips + albSubnets) * HOURS_PER_MONTH,
  );
  expect(ofType(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer')).toHaveLength(1);
  expect(mustLine(report, 'ecs-socketio', 'ALB hours').quantity).toBe(HOURS_PER_MONTH);

  // Services: the server's floor, ceiling, task size and architecture; the worker's size and count.
  const services = ofType(template, 'AWS::ECS::Service');
  const tasks = ofType(template, 'AWS::ECS::TaskDefinition');
  const taskOf = (container: string) =>
    tasks.find((task) =>
      ((task.Properties?.ContainerDefinitions ?? []) as { Name: string }[]).some((c) => c.Name === container),
    );
  const server = taskOf('socketio');
  expect(Number(server?.Properties?.Cpu) / 1024).toBe(ecs.taskVcpu);
  expect(Number(server?.Properties?.Memory) / 1024).toBe(ecs.taskMemoryGb);
  const platform = server?.Properties?.RuntimePlatform as { CpuArchitecture: string };
  expect(platform.CpuArchitecture.toLowerCase().replace('x86_64', 'x86_64')).toBe(
    ecs.arch === 'arm64' ? 'arm64' : 'x86_64',
  );
  // The autoscaled server service has no DesiredCount (autoscaling owns it: its floor is minTasks,
  // below); the worker's is in the template.
  const desired = services
    .filter((service) => service.Properties?.DesiredCount !== undefined)
    .map((service) => Number(service.Properties?.DesiredCount));
  expect(desired).toEqual(ecs.workerTasks > 0 ? [ecs.workerTasks] : []);
  const [target] = ofType(template, 'AWS::ApplicationAutoScaling::ScalableTarget');
  expect(target?.Properties?.MinCapacity).toBe(ecs.minTasks);
  expect(target?.Properties?.MaxCapacity).toBe(ecs.maxTasks);
  const serverLine = mustLine(report, 'ecs-socketio', 'Fargate vCPU: servers');
  expect(serverLine.item).toContain(`x ${ecs.taskVcpu} vCPU, ${ecs.arch}`);
  expect(mustLine(report, 'ecs-socketio', 'Fargate memory: servers').item).toContain(
    `x ${ecs.taskMemoryGb} GB`,
  );
  const worker = taskOf('worker');
  if (ecs.workerTasks > 0) {
    expect(mustLine(report, 'ecs-socketio', 'Fargate vCPU: worker').quantity).toBe(
      ((ecs.workerTasks * Number(worker?.Properties?.Cpu)) / 1024) * HOURS_PER_MONTH,
    );
    expect(mustLine(report, 'ecs-socketio', 'Fargate memory: worker').quantity).toBe(
      ((ecs.workerTasks * Number(worker?.Properties?.Memory)) / 1024) * HOURS_PER_MONTH,
    );
  } else {
    expect(worker).toBeUndefined();
    expect(lineOf(report, 'ecs-socketio', 'Fargate vCPU: worker')).toBeUndefined();
  }

  // Redis: the replication group's node type and node count (cluster mode: shards x (1 + replicas)).
  const [group] = ofType(template, 'AWS::ElastiCache::ReplicationGroup');
  const props = group?.Properties ?? {};
  const nodes =
    props.NumNodeGroups === undefined
      ? Number(props.NumCacheClusters)
      : Number(props.NumNodeGroups) * (1 + Number(props.ReplicasPerNodeGroup));
  const redis = mustLine(report, 'ecs-socketio', 'ElastiCache nodes');
  expect(redis.item).toContain(`${nodes} x ${props.CacheNodeType}`);
  expect(redis.quantity).toBe(nodes * HOURS_PER_MONTH);
  if (props.NumNodeGroups !== undefined) expect(redis.item).toContain(`${props.NumNodeGroups} shards`);
  // The engine's rate: Valkey's is Redis OSS's x VALKEY_NODE_PRICE_FACTOR (marked "verify").
  const ossRate = CACHE_NODE_TYPES[String(props.CacheNodeType)]?.hourUsd['us-east-1'].usd ?? Number.NaN;
  expect(redis.unitPriceUsd).toBeCloseTo(
    props.Engine === 'valkey' ? ossRate * VALKEY_NODE_PRICE_FACTOR : ossRate,
    6,
  );

  // Log groups, their retention, secrets, alarm metrics (with the target-tracking alarms).
  const logGroups = ofType(template, 'AWS::Logs::LogGroup');
  expect(mustLine(report, 'ecs-socketio', 'CloudWatch Logs ingested').item).toContain(
    `(${logGroups.length} log groups)`,
  );
  for (const group of logGroups) expect(group.Properties?.RetentionInDays).toBe(ecs.logRetentionDays);
  expect(mustLine(report, 'ecs-socketio', 'CloudWatch Logs stored').item).toContain(
    `${ecs.logRetentionDays}-day`,
  );
  expect(mustLine(report, 'ecs-socketio', 'Secrets Manager').quantity).toBe(
    ofType(template, 'AWS::SecretsManager::Secret').length,
  );
  const metrics =
    ofType(template, 'AWS::CloudWatch::Alarm').reduce((sum, alarm) => sum + alarmMetrics(alarm), 0) +
    ofType(template, 'AWS::ApplicationAutoScaling::ScalingPolicy').reduce(
      (sum, policy) => sum + targetTrackingMetrics(policy),
      0,
    );
  expect(mustLine(report, 'ecs-socketio', 'CloudWatch alarms').quantity).toBe(metrics);
}

function checkApigw(template: Template, deployment: Deployment): void {
  const report = computeCosts(WORKLOAD, { deployment });
  const apigw = deployment.apigw;
  expectKnownTypes(template, APIGW_UNPRICED);
  const functions = ofType(template, 'AWS::Lambda::Function');
  expect(functions).toHaveLength(apigw.functions.length);
  for (const fn of functions) {
    expect(fn.Properties?.MemorySize).toBe(apigw.lambdaMemoryMb);
    expect(fn.Properties?.Architectures).toEqual([apigw.arch]);
  }
  const lambdaLines = report.options
    .find((option) => option.id === 'apigw')
    ?.lines.filter((line) => line.item.startsWith('Lambda compute'));
  // Five handlers priced (jobs, the demo entry point, and publish, notify's work behind HTTP, are
  // in APIGW_UNPRICED).
  expect(lambdaLines).toHaveLength(apigw.functions.length - 2);
  for (const line of lambdaLines ?? []) expect(line.item).toContain(`(${apigw.arch})`);
  expect(APIGW_UNPRICED.map((item) => item.what).join(' ')).toContain('jobs function');
  expect(APIGW_UNPRICED.map((item) => item.what).join(' ')).toContain('publish function');

  const tables = ofType(template, 'AWS::DynamoDB::GlobalTable');
  expect(tables).toHaveLength(apigw.tables.length);
  for (const table of tables) expect(table.Properties?.BillingMode).toBe('PAY_PER_REQUEST');
  expect(mustLine(report, 'apigw', 'DynamoDB writes: $connect').unit).toBe('WRU');

  const apis = ofType(template, 'AWS::ApiGatewayV2::Api').map((api) => api.Properties?.ProtocolType);
  expect(apis.sort()).toEqual(['HTTP', 'WEBSOCKET']);
  expect(mustLine(report, 'apigw', 'API Gateway connection-minutes').quantity).toBeGreaterThan(0);

  const logGroups = ofType(template, 'AWS::Logs::LogGroup');
  expect(mustLine(report, 'apigw', 'CloudWatch Logs ingested').item).toContain(
    `(${logGroups.length} log groups)`,
  );
  for (const group of logGroups) expect(group.Properties?.RetentionInDays).toBe(apigw.logRetentionDays);
  expect(mustLine(report, 'apigw', 'Secrets Manager').quantity).toBe(
    ofType(template, 'AWS::SecretsManager::Secret').length,
  );
  const metrics = ofType(template, 'AWS::CloudWatch::Alarm').reduce(
    (sum, alarm) => sum + alarmMetrics(alarm),
    0,
  );
  expect(mustLine(report, 'apigw', 'CloudWatch alarms').quantity).toBe(metrics);
}

const ECS_VARIANT: EcsSocketIoOptions = {
  // maxAzs stays 2: without an account the synth cannot look the region's AZs up and uses two.
  natGateways: 2,
  cpuArchitecture: 'x86_64',
  taskCpu: 1024,
  taskMemoryMiB: 2048,
  desiredCount: 3,
  maxCount: 20,
  workerCount: 0,
  redisNodeType: 'cache.t4g.small',
  redisReplicas: 2,
  logRetentionDays: 90,
  jwtSecretName: 'shared-jwt',
};
const ECS_CLUSTER_VARIANT: EcsSocketIoOptions = {
  redisMode: 'cluster',
  redisShards: 3,
  redisReplicas: 1,
  redisEngine: 'valkey',
  redisAdapter: 'sharded',
};
const APIGW_VARIANT: ApiGwWebSocketOptions = {
  memoryMiB: 1024,
  lambdaArchitecture: 'x86_64',
  logRetentionDays: 7,
};

describe('the bill prices exactly what the stacks deploy', () => {
  // One App per stack: an App synthesizes once.
  const env = { region: 'us-east-1' };

  it('ECS stack, defaults', () => {
    checkEcs(Template.fromStack(new EcsSocketIoStack(new App(), 'Ecs', { env })), DEFAULT_DEPLOYMENT);
  });

  it('ECS stack, every sizing knob turned', () => {
    const template = Template.fromStack(
      new EcsSocketIoStack(new App(), 'EcsVariant', { env, options: ECS_VARIANT }),
    );
    checkEcs(template, deploymentFrom(ECS_VARIANT));
  });

  it('ECS stack, cluster-mode Valkey (3 shards x (primary + 1 replica))', () => {
    const template = Template.fromStack(
      new EcsSocketIoStack(new App(), 'EcsCluster', { env, options: ECS_CLUSTER_VARIANT }),
    );
    checkEcs(template, deploymentFrom(ECS_CLUSTER_VARIANT));
  });

  it('API Gateway stack, defaults and with memory, architecture and retention turned', () => {
    // Priced from the template: no handler bundles needed.
    checkApigw(
      Template.fromStack(new ApiGwWebSocketStack(unbundledApp(), 'ApiGw', { env })),
      DEFAULT_DEPLOYMENT,
    );
    const variant = new ApiGwWebSocketStack(unbundledApp(), 'ApiGwVariant', { env, options: APIGW_VARIANT });
    checkApigw(Template.fromStack(variant), deploymentFrom({}, APIGW_VARIANT));
  }, 240_000);
});

describe('a knob in infra/lib/config.ts changes the bill', () => {
  const base = computeCosts(WORKLOAD);
  const usd = (report: CostReport, id: string) =>
    report.options.find((option) => option.id === id)?.monthlyUsd ?? Number.NaN;

  it('prices the config defaults unless told otherwise', () => {
    expect(base.deployment).toEqual(deploymentFrom());
  });

  it.each([
    // One more NAT gateway: 730 h x ($0.045 + $0.005 for its Elastic IP) = $36.50
    [{ natGateways: 2 }, 36.5],
    // A third node: 730 h x $0.016 = $11.68, and its metric in the Redis memory alarm: $0.10
    [{ redisReplicas: 2 }, 11.78],
    // cache.t4g.small instead of micro, 2 nodes: 2 x 730 x ($0.032 - $0.016) = $23.36
    [{ redisNodeType: 'cache.t4g.small' }, 23.36],
    // No worker: minus 0.25 vCPU and 0.5 GB of arm64 Fargate for 730 h (-$7.20875) and its 4 image
    // pulls of 200 MiB through the NAT (0.78125 GB x $0.045 = -$0.035156): -$7.243906
    [{ workerCount: 0 }, -7.243906],
  ] as [EcsSocketIoOptions, number][])('ECS: %o moves socket.io by $%d', (knob, delta) => {
    const turned = computeCosts(WORKLOAD, { deployment: deploymentFrom(knob) });
    expect(usd(turned, 'ecs-socketio') - usd(base, 'ecs-socketio')).toBeCloseTo(delta, 4);
  });

  it('ECS: x86_64 tasks cost more than arm64, and 1 vCPU tasks more than 0.5', () => {
    for (const knob of [
      { cpuArchitecture: 'x86_64' },
      { taskCpu: 1024, taskMemoryMiB: 2048 },
    ] as EcsSocketIoOptions[]) {
      const turned = computeCosts(WORKLOAD, { deployment: deploymentFrom(knob) });
      expect(usd(turned, 'ecs-socketio')).toBeGreaterThan(usd(base, 'ecs-socketio'));
    }
  });

  it('API Gateway: memory, architecture and log retention move the bill', () => {
    for (const knob of [
      { memoryMiB: 1024 },
      { lambdaArchitecture: 'x86_64' },
      { logRetentionDays: 365 },
    ] as ApiGwWebSocketOptions[]) {
      const turned = computeCosts(WORKLOAD, { deployment: deploymentFrom({}, knob) });
      expect(usd(turned, 'apigw')).toBeGreaterThan(usd(base, 'apigw'));
    }
  });

  it('refuses ElastiCache Serverless with the reason, and a node type it has no price for', () => {
    expect(() => deploymentFrom({ redisKind: 'serverless' })).toThrow(CostInputError);
    expect(() => deploymentFrom({ redisKind: 'serverless' })).toThrow(/PSUBSCRIBE.*issue 553/);
    expect(() =>
      computeCosts(WORKLOAD, { deployment: deploymentFrom({ redisNodeType: 'cache.x9.huge' }) }),
    ).toThrow(/no price for redisNodeType "cache.x9.huge"/);
  });
});
