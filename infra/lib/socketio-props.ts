import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { EcsSocketIoOptions } from './config.js';

/** A Redis the service joins instead of creating ElastiCache. */
export interface SyncbellRedisEndpoint {
  /** `REDIS_URL` of the containers: `redis://` or `rediss://` (TLS) `host:port`. */
  url: string;
  /** Injected as `REDIS_AUTH_TOKEN`. @default undefined (no AUTH) */
  authToken?: secretsmanager.ISecret;
  /**
   * The Redis's security group: the tasks are let in on `port` (an ingress rule on it) and out to it.
   * @default undefined (the tasks may reach `port` anywhere in the VPC's CIDR, which the VPC must then know)
   */
  securityGroup?: ec2.ISecurityGroup;
  /** @default 6379 */
  port?: number;
  /**
   * `url` is a Redis Cluster's configuration endpoint (cluster mode enabled): the tasks run
   * cluster clients (`REDIS_CLUSTER=true`), which takes `redisAdapter: 'sharded'`. @default false
   */
  cluster?: boolean;
}

/** An existing listener (on your ALB) the service joins with a rule, instead of creating an ALB. */
export interface SyncbellListenerRule {
  /**
   * The listener, e.g. `elbv2.ApplicationListener.fromApplicationListenerAttributes(...)` with the
   * ALB's `securityGroup` (the tasks admit it on `containerPort`).
   */
  listener: elbv2.IApplicationListener;
  /** Rule priority on the listener (unique per listener, 1 to 50000). */
  priority: number;
  /**
   * Which requests reach syncbell. Socket.io clients use `/socket.io/` unless configured otherwise.
   * @default [ListenerCondition.pathPatterns(['/socket.io/*'])]
   */
  conditions?: elbv2.ListenerCondition[];
  /** What browsers connect to (`url` of the construct, e.g. `https://app.example.com`). @default undefined */
  url?: string;
}

/**
 * Props: every knob of `EcsSocketIoOptions` (sizes, scaling, timeouts, Redis sizing; validated at
 * synth), plus what to bring instead of creating it. Everything left out is created as the demo stack
 * (`SyncbellEcsSocketIo`) creates it.
 */
export interface SyncbellSocketIoServiceProps extends EcsSocketIoOptions {
  /** @default a new VPC (`maxAzs`, `natGateways`): public, private-with-egress and isolated subnets, reject flow logs */
  vpc?: ec2.IVpc;
  /** Where the tasks run (they need egress to ECR, Secrets Manager and CloudWatch Logs). @default private subnets with egress */
  taskSubnets?: ec2.SubnetSelection;
  /** @default a new cluster in `vpc`, with Container Insights (the connections-per-task scaling reads it) */
  cluster?: ecs.ICluster;
  /**
   * Join an existing listener with a rule (your ALB; `certificateArn`, `ingressCidr`,
   * `idleTimeoutSeconds` and `albAccessLogs` are then yours to set on it, and the service scales on
   * CPU only: the ALB's connection count would include your other apps' connections).
   * @default a new internet-facing ALB with its own listener
   */
  listener?: SyncbellListenerRule;
  /** Subnets of a new ALB. @default public subnets */
  loadBalancerSubnets?: ec2.SubnetSelection;
  /** Join an existing Redis. @default new ElastiCache for Redis (TLS, AUTH, Multi-AZ; the `redis*` knobs) */
  redis?: SyncbellRedisEndpoint;
  /** Subnets of a new Redis. @default isolated subnets */
  redisSubnets?: ec2.SubnetSelection;
  /**
   * The container image: your own (your app with syncbell attached, e.g.
   * `ecs.ContainerImage.fromAsset('.', { file: 'Dockerfile' })`), or syncbell's.
   * @default syncbell's server image, built from `ecs-socketio/Dockerfile` of a syncbell checkout
   */
  image?: ecs.ContainerImage;
  /** Server command. @default syncbell's server command with syncbell's image; the image's own CMD with yours */
  command?: string[];
  /**
   * Worker command (required with your own image while `workerCount` > 0).
   * @default syncbell's worker command with syncbell's image
   */
  workerCommand?: string[];
  /** More container environment, beside syncbell's (it wins over syncbell's on a clash). @default {} */
  environment?: Record<string, string>;
  /** More environment for the worker only, over `environment` (e.g. `{ ROLE: 'worker' }`). @default {} */
  workerEnvironment?: Record<string, string>;
  /** More container secrets, beside `JWT_SECRET` and `REDIS_AUTH_TOKEN`. @default {} */
  secrets?: Record<string, ecs.Secret>;
  /**
   * The container health check.
   * @default `node -e fetch('http://127.0.0.1:<containerPort>/healthz')` (syncbell's server answers
   * it); with your image, the same on `healthCheckPath` (so the image needs `node`)
   */
  containerHealthCheck?: ecs.HealthCheck;
  /** The HS256 token secret (`JWT_SECRET`). @default the secret named `jwtSecretName`, else a new one */
  jwtSecret?: secretsmanager.ISecret;
  /** Where the alarms notify. @default a new topic (`alarmEmail` subscribed) */
  alarmTopic?: sns.ITopic;
}

/** Knobs that do nothing when the resource they size is brought instead of created. */
export const IGNORED_WHEN: Partial<
  Record<keyof SyncbellSocketIoServiceProps, readonly (keyof SyncbellSocketIoServiceProps)[]>
> = {
  vpc: ['maxAzs', 'natGateways'],
  jwtSecret: ['jwtSecretName'],
  alarmTopic: ['alarmEmail'],
  redis: [
    'redisKind',
    'redisNodeType',
    'redisEngine',
    'redisEngineVersion',
    'redisMode',
    'redisShards',
    'redisReplicas',
    'redisMultiAz',
    'redisPort',
    'redisSnapshotRetentionDays',
  ],
  listener: [
    'certificateArn',
    'domainName',
    'hostedZoneId',
    'hostedZoneName',
    'allowPlainHttp',
    'ingressCidr',
    'idleTimeoutSeconds',
    'albAccessLogs',
    'connectionsPerTaskTarget',
  ],
};

/** The resource props, apart from the knobs `resolveEcsSocketIoConfig` validates. */
export const RESOURCE_PROPS = [
  'vpc',
  'taskSubnets',
  'cluster',
  'listener',
  'loadBalancerSubnets',
  'redis',
  'redisSubnets',
  'image',
  'command',
  'workerCommand',
  'environment',
  'workerEnvironment',
  'secrets',
  'containerHealthCheck',
  'jwtSecret',
  'alarmTopic',
] as const satisfies readonly Exclude<keyof SyncbellSocketIoServiceProps, keyof EcsSocketIoOptions>[];
