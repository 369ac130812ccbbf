import { Duration, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';
import type { EcsSocketIoConfig } from './config.js';
import type { NagAcknowledgement } from './nag.js';
import type { SyncbellRedisEndpoint } from './socketio-props.js';

/** What the server and the worker tasks of `SyncbellSocketIoService` share. */

export const EXECUTION_ROLE_WILDCARD: NagAcknowledgement = {
  id: 'AwsSolutions-IAM5[Resource::*]',
  reason:
    'ecr:GetAuthorizationToken has no resource-level permissions (it must be granted on "*"); every other statement CDK generated for the execution role names its repository, log group or secret.',
};

/**
 * The server task's "*": the execution role's, and its task role's one statement, for the drain at
 * deregistration (ecs-socketio/container/deregistration-watch.ts).
 */
export const SERVER_ROLE_WILDCARD: NagAcknowledgement = {
  id: 'AwsSolutions-IAM5[Resource::*]',
  reason: `${EXECUTION_ROLE_WILDCARD.reason} The task role's one statement, elasticloadbalancing:DescribeTargetHealth, supports no resource-level permissions either (Service Authorization Reference, "Actions, resources, and condition keys for Elastic Load Balancing V2": no resource type for it), so it is granted on "*"; it is a read of target health, nothing else.`,
};

export const ENV_SUPPRESSION: NagAcknowledgement = {
  id: 'AwsSolutions-ECS2',
  reason:
    'The environment holds only non-secret configuration (ports, timeouts, the Redis endpoint); JWT_SECRET and REDIS_AUTH_TOKEN are injected from Secrets Manager through `secrets`.',
};

/**
 * Every service: new tasks start before old ones stop, a deployment whose tasks keep failing is
 * stopped and rolled back, and tasks live in private subnets without public IPs.
 */
export function serviceDefaults(vpcSubnets: ec2.SubnetSelection) {
  return {
    minHealthyPercent: 100,
    maxHealthyPercent: 200,
    circuitBreaker: { enable: true, rollback: true },
    vpcSubnets,
    assignPublicIp: false,
  } satisfies Partial<ecs.FargateServiceProps>;
}

/**
 * What both containers set: SIGKILL only after the drain window plus the stop grace (SIGTERM
 * comes first), and a read-only root file system.
 */
export function containerDefaults(config: EcsSocketIoConfig) {
  return {
    stopTimeout: Duration.millis(config.drainTimeoutMs + config.stopGraceMs),
    readonlyRootFilesystem: true,
  } satisfies Partial<ecs.ContainerDefinitionOptions>;
}

/** Port of a literal `redis(s)://host:port` URL; undefined for a token or a URL without one. */
function portOf(url: string): number | undefined {
  if (Token.isUnresolved(url)) return undefined;
  const port = URL.canParse(url) ? new URL(url).port : '';
  return port === '' ? undefined : Number(port);
}

/**
 * A task's security group, in `scope`: no ingress of its own, egress only for HTTPS (ECR, Secrets
 * Manager, CloudWatch Logs, through the NAT) and Redis.
 */
export function taskSecurityGroup(
  scope: Construct,
  id: string,
  props: { vpc: ec2.IVpc; description: string; redis: SyncbellRedisEndpoint },
): ec2.SecurityGroup {
  const securityGroup = new ec2.SecurityGroup(scope, id, {
    vpc: props.vpc,
    description: props.description,
    allowAllOutbound: false,
  });
  securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS APIs over HTTPS');
  const { redis } = props;
  const port = ec2.Port.tcp(redis.port ?? portOf(redis.url) ?? 6379);
  if (redis.securityGroup !== undefined) {
    securityGroup.connections.allowTo(redis.securityGroup, port, 'Redis');
  } else {
    securityGroup.addEgressRule(ec2.Peer.ipv4(props.vpc.vpcCidrBlock), port, 'Redis (in the VPC)');
  }
  return securityGroup;
}
