import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { describe, expect, it } from 'vitest';
import type { EcsSocketIoOptions } from '../../infra/lib/config.js';
import { EcsSocketIoStack } from '../../infra/lib/ecs-socketio-stack.js';
import {
  SyncbellSocketIoService,
  type SyncbellSocketIoServiceProps,
} from '../../infra/lib/socketio-service.js';
import { broughtProps, existing, OPPOSITE_SWITCHES } from './support/existing.js';

/**
 * A deployed stack keeps its resources only while their logical IDs stay: CloudFormation replaces a
 * resource whose logical ID changed (the Redis replication group with its data, the ALB with its DNS
 * name, the service). Every variant the infra tests synthesize, as sorted `LogicalId Type` lines,
 * against the committed fixture: a refactoring of the construct (sub-constructs, moved code) must
 * leave it as it is. A deliberate change is recorded with `npx vitest run --project default -u
 * test/infra/socketio-logical-ids.test.ts` and named in the commit as the replacement it causes.
 */
const env = { account: '111111111111', region: 'us-east-1' };
const CERTIFICATE = 'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000';

const stacks: Record<string, EcsSocketIoOptions & { env?: typeof env }> = {
  'stack: defaults': { env },
  'stack: defaults, no region (offline synth: no access-log bucket)': {},
  'stack: https, polling, one Redis node, no worker, no access logs': { env, ...OPPOSITE_SWITCHES },
  'stack: https on a domain with its alias record': {
    env,
    certificateArn: CERTIFICATE,
    domainName: 'notifications.example.com',
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    hostedZoneName: 'example.com',
  },
  'stack: sharded adapter': { env, redisAdapter: 'sharded' },
  'stack: an existing JWT secret by name, three replicas': {
    env,
    jwtSecretName: 'shared-jwt',
    redisReplicas: 2,
  },
  'stack: cluster-mode Valkey, 3 shards': {
    env,
    redisMode: 'cluster',
    redisShards: 3,
    redisReplicas: 1,
    redisEngine: 'valkey',
    redisAdapter: 'sharded',
  },
  'stack: cluster mode past 10 nodes (two memory alarms)': {
    env,
    redisMode: 'cluster',
    redisShards: 4,
    redisReplicas: 2,
    redisAdapter: 'sharded',
  },
};

/** Your VPC (without isolated subnets: Redis goes in the private ones) and cluster. */
function networkAndCluster(stack: Stack): SyncbellSocketIoServiceProps {
  const { vpc, cluster } = existing(stack);
  return { vpc, cluster, redisSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } };
}

const services: Record<string, (stack: Stack) => SyncbellSocketIoServiceProps> = {
  'service: creates everything, 2 workers': () => ({ desiredCount: 3, workerCount: 2 }),
  'service: brings VPC, cluster, listener, Redis, image, secret, topic': broughtProps,
  'service: brings VPC and cluster, creates the rest': (stack) => ({
    ...networkAndCluster(stack),
    albAccessLogs: false,
  }),
  'service: a Redis without a security group': (stack) => ({
    ...broughtProps(stack),
    redis: { url: 'redis://redis.internal:6379' },
  }),
  'service: your image with a worker': (stack) => ({
    ...broughtProps(stack),
    workerCount: 1,
    workerCommand: ['node', 'dist/main.js'],
    workerEnvironment: { ROLE: 'worker' },
  }),
  'service: your image and worker in your VPC and cluster, https on a new ALB': (stack) => {
    return {
      ...networkAndCluster(stack),
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/example/calendar-api:1.4.2'),
      command: ['node', 'dist/main.js'],
      workerCommand: ['node', 'dist/main.js'],
      desiredCount: 2,
      certificateArn: CERTIFICATE,
    };
  },
};

/** `LogicalId Type` of every resource in the stack's template, sorted. */
function logicalIds(stack: Stack): string[] {
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>;
  return Object.entries(resources)
    .map(([id, resource]) => `${id} ${resource.Type}`)
    .sort();
}

describe('SyncbellSocketIoService: CloudFormation logical IDs', () => {
  it('stay those of the committed fixture in every variant the tests synthesize', async () => {
    const all: Record<string, string[]> = {};
    for (const [name, { env: stackEnv, ...options }] of Object.entries(stacks))
      all[name] = logicalIds(new EcsSocketIoStack(new App(), 'Ecs', { env: stackEnv, options }));
    for (const [name, props] of Object.entries(services)) {
      const stack = new Stack(new App(), 'Service', { env });
      new SyncbellSocketIoService(stack, 'Syncbell', props(stack));
      all[name] = logicalIds(stack);
    }
    expect(Object.values(all).every((ids) => ids.length > 0)).toBe(true);
    await expect(`${JSON.stringify(all, null, 2)}\n`).toMatchFileSnapshot(
      '../fixtures/socketio-logical-ids.json',
    );
  }, 240_000);
});
