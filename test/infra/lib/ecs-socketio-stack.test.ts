import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { EcsSocketIoStack } from '../../../infra/lib/ecs-socketio-stack.js';
import { OPPOSITE_SWITCHES } from '../support/existing.js';
import { InfraErrorCode } from '../../../infra/lib/config.js';
import { withCode } from '../../support/errors.js';

// One App, synthesized once: the defaults, and a variant with the opposite switches.
const app = new App();
const env = { region: 'us-east-1' };
const stack = new EcsSocketIoStack(app, 'Ecs', { env });
const variant = new EcsSocketIoStack(app, 'EcsVariant', {
  env,
  options: OPPOSITE_SWITCHES,
});
let template: Template;
let variantTemplate: Template;

beforeAll(() => {
  template = Template.fromStack(stack);
  variantTemplate = Template.fromStack(variant);
});

function serverContainer(t: Template): Record<string, unknown> {
  const defs = t.findResources('AWS::ECS::TaskDefinition', {
    Properties: { ContainerDefinitions: [Match.objectLike({ Name: 'socketio' })] },
  });
  const [def] = Object.values(defs);
  return (def as { Properties: { ContainerDefinitions: Record<string, unknown>[] } }).Properties
    .ContainerDefinitions[0] as Record<string, unknown>;
}

/** One variable of the server container's environment, as synthesized. */
function serverEnv(t: Template, name: string): unknown {
  return (serverContainer(t).Environment as { Name: string; Value: unknown }[]).find((e) => e.Name === name)
    ?.Value;
}

describe('EcsSocketIoStack: load balancer', () => {
  it('sets the ALB idle timeout from the knob (default 60 s)', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'idle_timeout.timeout_seconds', Value: '60' }]),
    });
    variantTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'idle_timeout.timeout_seconds', Value: '120' }]),
    });
  });

  it('health-checks /healthz and drains for the drain window, without stickiness by default', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/healthz',
      Port: 3000,
      TargetType: 'ip',
      TargetGroupAttributes: Match.arrayWith([
        { Key: 'deregistration_delay.timeout_seconds', Value: '10' },
        { Key: 'stickiness.enabled', Value: 'false' },
      ]),
    });
  });

  it('turns stickiness on only when long-polling is allowed, and follows the deregistration delay knob', () => {
    variantTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetGroupAttributes: Match.arrayWith([
        { Key: 'deregistration_delay.timeout_seconds', Value: '90' },
        { Key: 'stickiness.enabled', Value: 'true' },
        { Key: 'stickiness.type', Value: 'lb_cookie' },
      ]),
    });
  });

  it('listens on HTTPS with the given certificate, on HTTP 80 without one', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
    variantTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: Match.stringLikeRegexp('^arn:aws:acm:') }],
    });
  });

  it('writes access logs to an encrypted, SSL-only bucket', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'access_logs.s3.enabled', Value: 'true' }]),
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
  });
});

describe('EcsSocketIoStack: service', () => {
  it('raises the nofile ulimit of the server container', () => {
    expect(serverContainer(template).Ulimits).toEqual([
      { Name: 'nofile', SoftLimit: 65536, HardLimit: 65536 },
    ]);
  });

  it('gives ECS a stop timeout longer than the drain window', () => {
    expect(serverContainer(template).StopTimeout).toBe(15);
    // The variant's 90 s deregistration delay runs before SIGTERM: it leaves stopTimeout alone.
    expect(serverContainer(variantTemplate).StopTimeout).toBe(25);
  });

  it('tells the server the deregistration delay it spreads its moves over', () => {
    expect(serverEnv(template, 'DEREGISTRATION_DELAY_MS')).toBe('10000');
    expect(serverEnv(variantTemplate, 'DEREGISTRATION_DELAY_MS')).toBe('90000');
  });

  it('runs arm64 Fargate tasks with a deployment circuit breaker that rolls back', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      RequiresCompatibilities: ['FARGATE'],
    });
    template.resourcePropertiesCountIs(
      'AWS::ECS::Service',
      {
        DeploymentConfiguration: Match.objectLike({
          DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        }),
      },
      2,
    );
  });

  it('injects secrets from Secrets Manager and only configuration through the environment', () => {
    const container = serverContainer(template);
    expect((container.Secrets as { Name: string }[]).map((s) => s.Name).sort()).toEqual([
      'JWT_SECRET',
      'REDIS_AUTH_TOKEN',
    ]);
    const environment = Object.fromEntries(
      (container.Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]),
    );
    expect(environment).toMatchObject({
      NODE_ENV: 'production',
      PORT: '3000',
      REDIS_ADAPTER: 'classic',
      ALLOW_POLLING: 'false',
      DRAIN_TIMEOUT_MS: '10000',
      PING_INTERVAL_MS: '25000',
    });
    expect(JSON.stringify(environment.REDIS_URL)).toContain('rediss://');
    expect(Object.keys(environment)).not.toContain('JWT_SECRET');
  });

  it('tells the containers whether a worker runs (they refuse publishVia "worker" without one)', () => {
    expect(serverEnv(template, 'WORKER_PUBLISH')).toBe('true');
    expect(serverEnv(variantTemplate, 'WORKER_PUBLISH')).toBe('false');
  });

  it('health-checks the container on /healthz and logs to CloudWatch', () => {
    const container = serverContainer(template);
    expect(JSON.stringify(container.HealthCheck)).toContain('/healthz');
    expect(container.LogConfiguration).toMatchObject({ LogDriver: 'awslogs' });
    expect(container.ReadonlyRootFilesystem).toBe(true);
  });

  it('runs the worker from the same image with the worker command, and omits it when workerCount is 0', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({ Name: 'worker', Command: Match.arrayWith(['dist/worker.mjs']) }),
      ],
    });
    variantTemplate.resourceCountIs('AWS::ECS::Service', 1);
  });

  it('scales on CPU and on connections per task', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2,
      MaxCapacity: 10,
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        TargetValue: 60,
      },
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 5000,
        CustomizedMetricSpecification: {
          Metrics: Match.arrayWith([
            Match.objectLike({
              Id: 'connections',
              MetricStat: Match.objectLike({
                Metric: Match.objectLike({ MetricName: 'ActiveConnectionCount' }),
              }),
            }),
            Match.objectLike({ Id: 'perTask', Expression: 'connections / 2 / tasks', ReturnData: true }),
          ]),
          MetricName: Match.absent(),
        },
      },
    });
  });
});

describe('EcsSocketIoStack: Redis', () => {
  it('requires TLS in transit, encrypts at rest and uses an AUTH token from Secrets Manager', () => {
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      Engine: 'redis',
      TransitEncryptionEnabled: true,
      TransitEncryptionMode: 'required',
      AtRestEncryptionEnabled: true,
      AuthToken: Match.objectLike({
        'Fn::Join': Match.arrayWith([Match.arrayWith(['{{resolve:secretsmanager:'])]),
      }),
    });
  });

  it('is Multi-AZ with failover by default and single-node when switched off', () => {
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      MultiAZEnabled: true,
      AutomaticFailoverEnabled: true,
      NumCacheClusters: 2,
    });
    variantTemplate.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      MultiAZEnabled: false,
      NumCacheClusters: 1,
    });
  });
});

describe('EcsSocketIoStack: security groups', () => {
  function groupId(t: Template, description: string): string {
    const groups = t.findResources('AWS::EC2::SecurityGroup', {
      Properties: { GroupDescription: description },
    });
    const ids = Object.keys(groups);
    expect(ids).toHaveLength(1);
    return ids[0] as string;
  }

  it('lets only the service and the worker reach Redis, on the Redis port', () => {
    const redis = groupId(template, 'syncbell Redis: ingress only from the Socket.io service and worker');
    const ingress = Object.values(
      template.findResources('AWS::EC2::SecurityGroupIngress', {
        Properties: { GroupId: { 'Fn::GetAtt': [redis, 'GroupId'] } },
      }),
    ).map((r) => (r as { Properties: Record<string, unknown> }).Properties);
    expect(
      ingress.map((r) => (r.SourceSecurityGroupId as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]).sort(),
    ).toEqual(
      [
        groupId(template, 'syncbell Socket.io tasks: ingress from the ALB only'),
        groupId(template, 'syncbell worker (runs sync jobs, publishes notifications): no ingress'),
      ].sort(),
    );
    for (const rule of ingress)
      expect(rule).toMatchObject({ FromPort: 6379, ToPort: 6379, IpProtocol: 'tcp' });
  });

  it('lets only the ALB reach the tasks, and the ALB only on its listener port', () => {
    const service = groupId(template, 'syncbell Socket.io tasks: ingress from the ALB only');
    const alb = groupId(template, 'syncbell ALB: browsers in, Socket.io tasks out');
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [service, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [alb, 'GroupId'] },
      FromPort: 3000,
      ToPort: 3000,
    });
    expect(
      Object.keys(
        template.findResources('AWS::EC2::SecurityGroupIngress', {
          Properties: { GroupId: { 'Fn::GetAtt': [service, 'GroupId'] } },
        }),
      ),
    ).toHaveLength(1);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'syncbell ALB: browsers in, Socket.io tasks out',
      SecurityGroupIngress: [Match.objectLike({ FromPort: 80, ToPort: 80, CidrIp: '0.0.0.0/0' })],
    });
  });

  it('gives the tasks no egress beyond HTTPS and Redis', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'syncbell Socket.io tasks: ingress from the ALB only',
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 })],
    });
  });
});

describe('EcsSocketIoStack: metrics stay private', () => {
  const METRICS_PORT = 9464;
  const covers = (rule: Record<string, unknown>, port: number) =>
    rule.IpProtocol === '-1' || ((rule.FromPort as number) <= port && port <= (rule.ToPort as number));
  const propertiesOf = (resources: Record<string, unknown>) =>
    Object.values(resources).map((r) => (r as { Properties: Record<string, unknown> }).Properties);

  it('serves metrics on their own container port, which the environment names', () => {
    const container = serverContainer(template);
    expect(container.PortMappings).toEqual([
      expect.objectContaining({ ContainerPort: 3000, Name: 'http' }),
      expect.objectContaining({ ContainerPort: METRICS_PORT, Name: 'metrics' }),
    ]);
    expect(container.Environment).toEqual(
      expect.arrayContaining([{ Name: 'METRICS_PORT', Value: String(METRICS_PORT) }]),
    );
  });

  it('routes the ALB only to the public port: no target group or listener reaches the metrics port', () => {
    const groups = propertiesOf(template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup'));
    expect(groups.map((g) => g.Port)).toEqual([3000]);
    const listeners = propertiesOf(template.findResources('AWS::ElasticLoadBalancingV2::Listener'));
    expect(listeners).toHaveLength(1);
    expect(JSON.stringify(listeners)).not.toContain(String(METRICS_PORT));
    const service = propertiesOf(template.findResources('AWS::ECS::Service')).find(
      (p) => Array.isArray(p.LoadBalancers) && p.LoadBalancers.length > 0,
    );
    expect(service?.LoadBalancers).toEqual([expect.objectContaining({ ContainerPort: 3000 })]);
  });

  it('opens no security-group path to the metrics port, from the ALB or anywhere', () => {
    const ingress = [
      ...propertiesOf(template.findResources('AWS::EC2::SecurityGroupIngress')),
      ...propertiesOf(template.findResources('AWS::EC2::SecurityGroup')).flatMap(
        (g) => (g.SecurityGroupIngress as Record<string, unknown>[] | undefined) ?? [],
      ),
    ];
    expect(ingress.length).toBeGreaterThan(0);
    expect(ingress.filter((rule) => covers(rule, METRICS_PORT))).toEqual([]);
    const albEgress = propertiesOf(template.findResources('AWS::EC2::SecurityGroupEgress')).filter((rule) =>
      JSON.stringify(rule.GroupId).includes('AlbSecurityGroup'),
    );
    expect(albEgress.map((rule) => [rule.FromPort, rule.ToPort])).toEqual([[3000, 3000]]);
  });
});

describe('EcsSocketIoStack: knobs that cannot work together', () => {
  it('synthesizes the sharded adapter with the worker, which gets REDIS_ADAPTER too', () => {
    const stack = new EcsSocketIoStack(new App(), 'Sharded', { options: { redisAdapter: 'sharded' } });
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: Match.arrayWith([
        Match.objectLike({
          Name: 'worker',
          Environment: Match.arrayWith([{ Name: 'REDIS_ADAPTER', Value: 'sharded' }]),
        }),
      ]),
    });
  });

  it('stops the synth on an environment the container would refuse at start', () => {
    // Valid for the ALB (idle timeout up to 4000 s) but above the server's 600 s heartbeat cap.
    expect(
      () =>
        new EcsSocketIoStack(new App(), 'SlowPing', {
          options: { pingIntervalMs: 700_000, idleTimeoutSeconds: 1000 },
        }),
    ).toThrow(withCode(InfraErrorCode.InvalidConfig, 'container would refuse', 'PING_INTERVAL_MS'));
  });

  it('deploys a risky pair, with a synth warning that says what to change', () => {
    const risky = new EcsSocketIoStack(new App(), 'Risky', { env, options: { stopGraceMs: 0 } });
    Annotations.fromStack(risky).hasWarning('*', Match.stringLikeRegexp('stopGraceMs 0: ECS sends SIGKILL'));
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('stopGraceMs'));
  });
});

describe('EcsSocketIoStack: alarms and cdk-nag', () => {
  it('alarms on target 5xx and unhealthy targets, notifying the alarm topic', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'HTTPCode_Target_5XX_Count',
      AlarmActions: [Match.objectLike({ Ref: Match.stringLikeRegexp('^SocketIoAlarms') })],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'UnHealthyHostCount' });
  });

  it('has no unacknowledged AwsSolutions finding, with either set of switches', () => {
    const checks = new AwsSolutionsChecks();
    for (const s of [stack, variant]) {
      const report = checks.validateScope(s);
      expect(
        report.violations.map((v) => `${v.ruleName} @ ${v.violatingResources.map((r) => r.constructPath)}`),
      ).toEqual([]);
    }
  });

  it('would report a finding that nobody acknowledged (the check is live)', () => {
    const probe = new Stack(new App(), 'Probe');
    const vpc = new ec2.Vpc(probe, 'Vpc', { maxAzs: 1, natGateways: 0 });
    new ec2.SecurityGroup(probe, 'Open', { vpc }).addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
    const ruleNames = new AwsSolutionsChecks().validateScope(probe).violations.map((v) => v.ruleName);
    expect(ruleNames).toContain('AwsSolutions-EC23');
  });
});
