import type { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { EcsSocketIoOptions } from '../../../infra/lib/config.js';
import type { SyncbellSocketIoServiceProps } from '../../../infra/lib/socketio-service.js';

/** An account's existing network, cluster, ALB listener and Redis, imported as a CDK app would. */
export function existing(stack: Stack) {
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    vpcCidrBlock: '10.20.0.0/16',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    publicSubnetIds: ['subnet-pub1', 'subnet-pub2'],
    privateSubnetIds: ['subnet-app1', 'subnet-app2'],
  });
  const cluster = ecs.Cluster.fromClusterAttributes(stack, 'Cluster', {
    clusterName: 'platform',
    vpc,
  });
  const albSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(stack, 'AlbSg', 'sg-alb0000000000000');
  const listener = elbv2.ApplicationListener.fromApplicationListenerAttributes(stack, 'Listener', {
    listenerArn:
      'arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/platform/0123456789abcdef/0123456789abcdef',
    securityGroup: albSecurityGroup,
  });
  const redisSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(stack, 'RedisSg', 'sg-redis000000000000');
  const redisAuth = secretsmanager.Secret.fromSecretNameV2(stack, 'RedisAuth', 'platform/redis-auth');
  const jwtSecret = secretsmanager.Secret.fromSecretNameV2(stack, 'Jwt', 'platform/jwt');
  const alarmTopic = sns.Topic.fromTopicArn(
    stack,
    'Topic',
    'arn:aws:sns:us-east-1:111111111111:platform-alarms',
  );
  return { vpc, cluster, listener, albSecurityGroup, redisSecurityGroup, redisAuth, jwtSecret, alarmTopic };
}

/** Everything brought: the existing resources above, your image and command, no worker. */
export function broughtProps(stack: Stack): SyncbellSocketIoServiceProps {
  const e = existing(stack);
  return {
    vpc: e.vpc,
    cluster: e.cluster,
    listener: { listener: e.listener, priority: 40, url: 'https://app.example.com' },
    redis: {
      url: 'rediss://platform.abc123.use1.cache.amazonaws.com:6380',
      authToken: e.redisAuth,
      securityGroup: e.redisSecurityGroup,
    },
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/example/calendar-api:1.4.2'),
    command: ['node', 'dist/main.js'],
    workerCount: 0,
    jwtSecret: e.jwtSecret,
    alarmTopic: e.alarmTopic,
    environment: { CALENDAR_API_URL: 'https://calendar.example.com' },
  };
}

/** The demo stack's switches the other way round: https, polling, one Redis node, no worker, no access logs. */
export const OPPOSITE_SWITCHES: EcsSocketIoOptions = {
  allowPolling: true,
  certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000',
  redisMultiAz: false,
  redisReplicas: 0,
  idleTimeoutSeconds: 120,
  drainTimeoutMs: 20_000,
  // Longer than the drain window (a fleet of many clients per task): the target group's delay and
  // the server's DEREGISTRATION_DELAY_MS follow it, stopTimeout stays the drain's.
  deregistrationDelaySeconds: 90,
  workerCount: 0,
  albAccessLogs: false,
};
