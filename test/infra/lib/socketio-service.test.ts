import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import { broughtProps, existing } from '../support/existing.js';
import { unacknowledgedFindings } from '../support/nag.js';
import {
  SyncbellSocketIoService,
  type SyncbellSocketIoServiceProps,
} from '../../../infra/lib/socketio-service.js';
import { withCode } from '../../support/errors.js';
import { InfraErrorCode } from '../../../infra/lib/config.js';

const env = { account: '111111111111', region: 'us-east-1' };

function container(template: Template, name: string): Record<string, unknown> {
  const defs = Object.values(
    template.findResources('AWS::ECS::TaskDefinition', {
      Properties: { ContainerDefinitions: [Match.objectLike({ Name: name })] },
    }),
  ) as { Properties: { ContainerDefinitions: Record<string, unknown>[] } }[];
  expect(defs).toHaveLength(1);
  return defs[0]?.Properties.ContainerDefinitions[0] as Record<string, unknown>;
}

function envOf(c: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    (c.Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]),
  );
}

describe('SyncbellSocketIoService: bring your own VPC, cluster, ALB listener, Redis and image', () => {
  const stack = new Stack(new App(), 'Brought', { env });
  const service = new SyncbellSocketIoService(stack, 'Syncbell', broughtProps(stack));
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(stack);
  });

  it('creates no VPC, cluster, load balancer, listener, Redis, JWT secret or topic of its own', () => {
    for (const type of [
      'AWS::EC2::VPC',
      'AWS::EC2::NatGateway',
      'AWS::ECS::Cluster',
      'AWS::ElasticLoadBalancingV2::LoadBalancer',
      'AWS::ElasticLoadBalancingV2::Listener',
      'AWS::ElastiCache::ReplicationGroup',
      'AWS::SecretsManager::Secret',
      'AWS::SNS::Topic',
    ])
      template.resourceCountIs(type, 0);
    expect(service.loadBalancer).toBeUndefined();
    expect(service.redis).toBeUndefined();
    expect(service.url).toBe('https://app.example.com');
  });

  it('runs in the given cluster, in the VPC’s private subnets', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      Cluster: 'platform',
      NetworkConfiguration: {
        AwsvpcConfiguration: Match.objectLike({
          AssignPublicIp: 'DISABLED',
          Subnets: ['subnet-app1', 'subnet-app2'],
        }),
      },
    });
  });

  it('adds a target group and a /socket.io/* rule at the given priority to the existing listener', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      ListenerArn: Match.stringLikeRegexp('listener/app/platform/'),
      Priority: 40,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/socket.io/*'] } }],
      Actions: [Match.objectLike({ Type: 'forward' })],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 3000,
      TargetType: 'ip',
      VpcId: 'vpc-0123456789abcdef0',
      HealthCheckPath: '/healthz',
    });
  });

  it('lets the ALB’s security group reach the tasks, and the tasks reach the Redis security group', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      SourceSecurityGroupId: 'sg-alb0000000000000',
      FromPort: 3000,
      ToPort: 3000,
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: 'sg-redis000000000000',
      FromPort: 6380,
      ToPort: 6380,
    });
  });

  it('runs your image with your command, syncbell’s environment plus yours, and your secrets', () => {
    const server = container(template, 'socketio');
    expect(server.Image).toBe('public.ecr.aws/example/calendar-api:1.4.2');
    expect(server.Command).toEqual(['node', 'dist/main.js']);
    expect(envOf(server)).toMatchObject({
      REDIS_URL: 'rediss://platform.abc123.use1.cache.amazonaws.com:6380',
      WORKER_PUBLISH: 'false',
      CALENDAR_API_URL: 'https://calendar.example.com',
    });
    expect(JSON.stringify(server.Secrets)).toContain('platform/jwt');
    expect(JSON.stringify(server.Secrets)).toContain('platform/redis-auth');
    template.resourceCountIs('AWS::ECS::Service', 1);
  });

  it('scales on CPU only (the shared ALB’s connection count is not syncbell’s) and alarms to your topic', () => {
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'HTTPCode_Target_5XX_Count',
      AlarmActions: ['arn:aws:sns:us-east-1:111111111111:platform-alarms'],
    });
  });

  it('has no unacknowledged AwsSolutions finding', () => {
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });
});

describe('SyncbellSocketIoService: creates what it is not given', () => {
  const stack = new Stack(new App(), 'Created', { env });
  const service = new SyncbellSocketIoService(stack, 'Syncbell', { desiredCount: 3, workerCount: 2 });
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(stack);
  });

  it('creates a VPC, a cluster with Container Insights, an ALB, ElastiCache, the JWT secret and a topic', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.resourceCountIs('AWS::ElastiCache::ReplicationGroup', 1);
    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    expect(service.url).toMatch(/^http:\/\//);
  });

  it('grants the server task DescribeTargetHealth and nothing more, and passes it its target group and delay', () => {
    const server = container(template, 'socketio');
    const tgLogicalId = stack.getLogicalId(service.targetGroup.node.defaultChild as CfnElement);
    expect(envOf(server)).toMatchObject({
      TARGET_GROUP_ARN: { Ref: tgLogicalId },
      DEREGISTRATION_DELAY_MS: '10000',
    });
    expect(envOf(container(template, 'worker'))).not.toHaveProperty('TARGET_GROUP_ARN');
    // The server task role's policies, all of them: the one read the drain needs.
    const serverDef = Object.values(
      template.findResources('AWS::ECS::TaskDefinition', {
        Properties: { ContainerDefinitions: [Match.objectLike({ Name: 'socketio' })] },
      }),
    )[0] as { Properties: { TaskRoleArn: { 'Fn::GetAtt': [string, string] } } };
    const taskRole = serverDef.Properties.TaskRoleArn['Fn::GetAtt'][0];
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(taskRole))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([
      { Action: 'elasticloadbalancing:DescribeTargetHealth', Effect: 'Allow', Resource: '*' },
    ]);
  });

  it('runs syncbell’s image: the server and worker commands, the sizes asked for', () => {
    expect(container(template, 'socketio').Command).toEqual([
      'node',
      '--enable-source-maps',
      'dist/server.mjs',
    ]);
    expect(container(template, 'worker').Command).toEqual([
      'node',
      '--enable-source-maps',
      'dist/worker.mjs',
    ]);
    // The server's count is autoscaling's (floor 3, no DesiredCount); the worker's is in the template.
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 3 });
    template.resourcePropertiesCountIs('AWS::ECS::Service', { DesiredCount: Match.absent() }, 1);
    template.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 2 });
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 2);
  });

  it('has no unacknowledged AwsSolutions finding', () => {
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });
});

describe('SyncbellSocketIoService: a cluster-mode Valkey replication group', () => {
  const stack = new Stack(new App(), 'ClusterMode', { env });
  new SyncbellSocketIoService(stack, 'Syncbell', {
    redisMode: 'cluster',
    redisEngine: 'valkey',
    redisShards: 3,
    redisReplicas: 1,
    redisAdapter: 'sharded',
  });
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(stack);
  });

  it('creates shards x (1 + replicas) Valkey nodes in cluster mode, with TLS, AUTH and failover', () => {
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      Engine: 'valkey',
      EngineVersion: '8.0',
      NumNodeGroups: 3,
      ReplicasPerNodeGroup: 1,
      ClusterMode: 'enabled',
      AutomaticFailoverEnabled: true,
      TransitEncryptionEnabled: true,
      AuthToken: Match.anyValue(),
      NumCacheClusters: Match.absent(),
      CacheParameterGroupName: { Ref: Match.stringLikeRegexp('ClusterParameters') },
    });
    // One parameter group per mode, both never evicting the replay log.
    template.resourceCountIs('AWS::ElastiCache::ParameterGroup', 1);
    template.hasResourceProperties('AWS::ElastiCache::ParameterGroup', {
      CacheParameterGroupFamily: 'valkey8',
      Properties: { 'cluster-enabled': 'yes', 'maxmemory-policy': 'noeviction' },
    });
  });

  it('alarms on the memory of every node of every shard ({group}-{shard}-{node})', () => {
    const alarms = Object.values(
      template.findResources('AWS::CloudWatch::Alarm', {
        Properties: { AlarmDescription: Match.stringLikeRegexp('^Redis memory') },
      }),
    );
    expect(alarms).toHaveLength(1);
    const metrics = JSON.stringify(alarms[0]?.Properties.Metrics);
    expect(metrics.match(/"MetricName":"DatabaseMemoryUsagePercentage"/g)).toHaveLength(6);
    for (const shard of ['0001', '0002', '0003'])
      for (const node of ['001', '002']) expect(metrics).toContain(`"${shard}-${node}"]`);
    expect(alarms[0]?.Properties.AlarmDescription).toContain('more redisShards');
  });

  it('splits the memory alarm past 10 nodes (an alarm on metric math reads at most 10 metrics)', () => {
    const big = new Stack(new App(), 'BigCluster', { env });
    new SyncbellSocketIoService(big, 'Syncbell', {
      redisMode: 'cluster',
      redisShards: 4,
      redisReplicas: 2,
      redisAdapter: 'sharded',
    });
    const alarms = Object.values(
      Template.fromStack(big).findResources('AWS::CloudWatch::Alarm', {
        Properties: { AlarmDescription: Match.stringLikeRegexp('^Redis memory') },
      }),
    );
    const counts = alarms.map(
      (alarm) =>
        JSON.stringify(alarm.Properties.Metrics).match(/"MetricName":"DatabaseMemoryUsagePercentage"/g)
          ?.length,
    );
    expect(counts.sort()).toEqual([10, 2].sort());
  });

  it('gives the server and the worker the configuration endpoint and REDIS_CLUSTER=true', () => {
    for (const name of ['socketio', 'worker']) {
      const environment = envOf(container(template, name));
      expect(environment.REDIS_CLUSTER).toBe('true');
      expect(environment.REDIS_ADAPTER).toBe('sharded');
      expect(JSON.stringify(environment.REDIS_URL)).toContain('ConfigurationEndPoint.Address');
    }
  });

  it('has no unacknowledged AwsSolutions finding', () => {
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });

  it('refuses cluster mode with the classic adapter or without replicas, saying why', () => {
    const build = (props: SyncbellSocketIoServiceProps) =>
      new SyncbellSocketIoService(new Stack(new App(), 'Refused', { env }), 'Syncbell', props);
    expect(() => build({ redisMode: 'cluster', redisAdapter: 'classic' })).toThrow(
      withCode(InfraErrorCode.InvalidConfig, 'redisMode', "redisAdapter 'sharded'"),
    );
    expect(() =>
      build({ redisMode: 'cluster', redisAdapter: 'sharded', redisReplicas: 0, redisMultiAz: false }),
    ).toThrow(withCode(InfraErrorCode.InvalidConfig, 'redisReplicas >= 1'));
    expect(() => build({ redisEngine: 'valkey', redisEngineVersion: '7.1' })).toThrow(
      withCode(InfraErrorCode.InvalidConfig, 'redisEngineVersion'),
    );
  });

  it("refuses your own cluster endpoint with the classic adapter (the container's own check)", () => {
    const stack = new Stack(new App(), 'OwnCluster', { env });
    const props = broughtProps(stack);
    expect(
      () =>
        new SyncbellSocketIoService(stack, 'Syncbell', {
          ...props,
          redis: { ...(props.redis as NonNullable<SyncbellSocketIoServiceProps['redis']>), cluster: true },
        }),
    ).toThrow(withCode(InfraErrorCode.InvalidConfig, 'REDIS_ADAPTER=sharded'));
  });
});

describe('SyncbellSocketIoService: mixing what is brought and what is created', () => {
  it('creates ElastiCache in your VPC and cluster when only the Redis is left out', () => {
    const stack = new Stack(new App(), 'Mixed', { env });
    const { vpc, cluster } = existing(stack);
    // This VPC has no isolated subnets: Redis goes where it is told.
    new SyncbellSocketIoService(stack, 'Syncbell', {
      vpc,
      cluster,
      redisSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      albAccessLogs: false,
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::VPC', 0);
    template.resourceCountIs('AWS::ECS::Cluster', 0);
    template.hasResourceProperties('AWS::ElastiCache::SubnetGroup', {
      SubnetIds: ['subnet-app1', 'subnet-app2'],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Subnets: ['subnet-pub1', 'subnet-pub2'],
    });
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });

  it('lets the tasks reach a Redis without a security group anywhere in the VPC, on its port only', () => {
    const stack = new Stack(new App(), 'NoRedisSg', { env });
    const props = broughtProps(stack);
    new SyncbellSocketIoService(stack, 'Syncbell', {
      ...props,
      redis: { url: 'redis://redis.internal:6379' },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'syncbell Socket.io tasks: ingress from the ALB only',
      SecurityGroupEgress: Match.arrayWith([
        Match.objectLike({ CidrIp: '10.20.0.0/16', FromPort: 6379, ToPort: 6379 }),
      ]),
    });
    expect(JSON.stringify(container(template, 'socketio').Secrets)).not.toContain('REDIS_AUTH_TOKEN');
  });

  it('runs your worker from your image with its own command and environment', () => {
    const stack = new Stack(new App(), 'OwnWorker', { env });
    new SyncbellSocketIoService(stack, 'Syncbell', {
      ...broughtProps(stack),
      workerCount: 1,
      workerCommand: ['node', 'dist/main.js'],
      workerEnvironment: { ROLE: 'worker' },
    });
    const template = Template.fromStack(stack);
    const worker = container(template, 'worker');
    expect(worker.Image).toBe('public.ecr.aws/example/calendar-api:1.4.2');
    expect(envOf(worker)).toMatchObject({ ROLE: 'worker', CALENDAR_API_URL: 'https://calendar.example.com' });
    expect(envOf(worker)).not.toHaveProperty('PORT');
    expect(envOf(container(template, 'socketio'))).not.toHaveProperty('ROLE');
  });

  it('refuses your own image with a worker but no worker command, saying what to set', () => {
    const stack = new Stack(new App(), 'NoWorkerCommand', { env });
    expect(
      () => new SyncbellSocketIoService(stack, 'Syncbell', { ...broughtProps(stack), workerCount: 1 }),
    ).toThrow(withCode(InfraErrorCode.InvalidConfig, 'workerCommand', 'workerCount: 0'));
  });

  it('refuses a bad knob with the construct’s path in the message', () => {
    const stack = new Stack(new App(), 'BadKnob', { env });
    expect(() => new SyncbellSocketIoService(stack, 'Syncbell2', { taskCpu: 300 as 256 })).toThrow(
      withCode(InfraErrorCode.InvalidConfig, 'BadKnob/Syncbell2 props', 'taskCpu'),
    );
  });

  it('warns at synth about knobs that size a resource you brought', () => {
    const stack = new Stack(new App(), 'Ignored', { env });
    new SyncbellSocketIoService(stack, 'Syncbell', {
      ...broughtProps(stack),
      natGateways: 2,
      redisReplicas: 2,
      jwtSecretName: 'other/jwt',
    });
    const annotations = Annotations.fromStack(stack);
    annotations.hasWarning(
      '*',
      Match.stringLikeRegexp('jwtSecretName has no effect: the jwtSecret is yours'),
    );
    annotations.hasNoWarning('*', Match.stringLikeRegexp('alarmEmail'));
    annotations.hasWarning('*', Match.stringLikeRegexp('natGateways has no effect: the vpc is yours'));
    annotations.hasWarning('*', Match.stringLikeRegexp('redisReplicas has no effect: the redis is yours'));
  });

  it('holds a health path to syncbell’s only for syncbell’s image', () => {
    const stack = new Stack(new App(), 'HealthPath', { env });
    expect(() => new SyncbellSocketIoService(stack, 'Syncbell', { healthCheckPath: '/health' })).toThrow(
      withCode(InfraErrorCode.InvalidConfig, "healthCheckPath '/health'"),
    );
    new SyncbellSocketIoService(stack, 'Own', { ...broughtProps(stack), healthCheckPath: '/health' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/health',
    });
    // The container check follows it: /healthz is syncbell's server's path, not yours.
    const check = JSON.stringify(container(template, 'socketio').HealthCheck);
    expect(check).toContain('127.0.0.1:3000/health\\"');
    expect(check).not.toContain('/healthz');
  });
});
