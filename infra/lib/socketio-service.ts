import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as applicationautoscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
// The container's environment parser alone (@syncbell/socketio/container would load both Redis clients).
import { loadEcsConfig } from '@syncbell/socketio/config';
import { Construct } from 'constructs';
import { AlarmTopic } from './alarm-topic.js';
import {
  type EcsSocketIoConfig,
  type EcsSocketIoOptions,
  ecsConfigWarnings,
  InfraConfigError,
  resolveEcsSocketIoConfig,
} from './config.js';
import { warnIgnoredKnobs } from './ignored-knobs.js';
import { jwtSecretOf } from './jwt-secret.js';
import { stackLogGroup } from './log-group.js';
import { acknowledge } from './nag.js';
import { Network } from './network.js';
import { Redis } from './redis.js';
import { dataRemovalPolicy } from './removal.js';
import { SERVER_COMMAND, SocketIoImage, WORKER_COMMAND } from './socketio-image.js';

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

const CONTAINER_NAME = 'socketio';

/** Knobs that do nothing when the resource they size is brought instead of created. */
const IGNORED_WHEN: Partial<
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
const RESOURCE_PROPS = [
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

/**
 * The container environment both the server and the worker read (ecs-socketio's config). Secrets
 * (`JWT_SECRET`, `REDIS_AUTH_TOKEN`) are injected by ECS from Secrets Manager, never set here.
 * `CONTAINER_ID` is left unset: the server falls back to the hostname, which on Fargate is unique
 * per task.
 */
export function socketIoEnvironment(
  config: EcsSocketIoConfig,
  redisUrl: string,
  redisCluster = config.redisMode === 'cluster',
): Record<string, string> {
  return {
    NODE_ENV: 'production',
    PORT: String(config.containerPort),
    METRICS_PORT: String(config.metricsPort),
    REDIS_URL: redisUrl,
    REDIS_ADAPTER: config.redisAdapter,
    ...(redisCluster ? { REDIS_CLUSTER: 'true' } : {}),
    WORKER_PUBLISH: String(config.workerCount > 0),
    ALLOW_POLLING: String(config.allowPolling),
    PING_INTERVAL_MS: String(config.pingIntervalMs),
    PING_TIMEOUT_MS: String(config.pingTimeoutMs),
    DRAIN_TIMEOUT_MS: String(config.drainTimeoutMs),
    LOG_LEVEL: config.logLevel,
    CORS_ORIGINS: config.corsOrigins,
  };
}

/** Port of a literal `redis(s)://host:port` URL; undefined for a token or a URL without one. */
function portOf(url: string): number | undefined {
  if (Token.isUnresolved(url)) return undefined;
  const port = URL.canParse(url) ? new URL(url).port : '';
  return port === '' ? undefined : Number(port);
}

const EXECUTION_ROLE_WILDCARD = {
  id: 'AwsSolutions-IAM5[Resource::*]',
  reason:
    'ecr:GetAuthorizationToken has no resource-level permissions (it must be granted on "*"); every other statement CDK generated for the execution role names its repository, log group or secret.',
};

/**
 * The server task's "*": the execution role's, and its task role's one statement, for the drain at
 * deregistration (ecs-socketio/container/deregistration-watch.ts).
 */
const SERVER_ROLE_WILDCARD = {
  id: 'AwsSolutions-IAM5[Resource::*]',
  reason: `${EXECUTION_ROLE_WILDCARD.reason} The task role's one statement, elasticloadbalancing:DescribeTargetHealth, supports no resource-level permissions either (Service Authorization Reference, "Actions, resources, and condition keys for Elastic Load Balancing V2": no resource type for it), so it is granted on "*"; it is a read of target health, nothing else.`,
};

const ENV_SUPPRESSION = {
  id: 'AwsSolutions-ECS2',
  reason:
    'The environment holds only non-secret configuration (ports, timeouts, the Redis endpoint); JWT_SECRET and REDIS_AUTH_TOKEN are injected from Secrets Manager through `secrets`.',
};

/**
 * syncbell's socket.io variant as one construct: Fargate servers behind an ALB (yours or a new
 * one), the publishing worker, autoscaling, alarms, in your VPC and cluster (or new ones), joined by
 * your Redis (or new ElastiCache).
 *
 * Stopping a task on ECS happens in two steps: ECS deregisters it from the target group and waits
 * for the deregistration delay (the ALB sends it no new connections and, when the delay ends,
 * closes the ones still open), then sends SIGTERM and, after `stopTimeout`, SIGKILL. Both windows
 * are set from `drainTimeoutMs`, so clients are moved within one drain window plus the stop grace,
 * and the SDK's resume fills any gap.
 *
 * Container environment (see `socketIoEnvironment`): NODE_ENV=production, PORT, METRICS_PORT,
 * REDIS_URL, REDIS_ADAPTER, WORKER_PUBLISH, ALLOW_POLLING, PING_INTERVAL_MS, PING_TIMEOUT_MS,
 * DRAIN_TIMEOUT_MS, LOG_LEVEL, CORS_ORIGINS; from Secrets Manager: JWT_SECRET, REDIS_AUTH_TOKEN.
 */
export class SyncbellSocketIoService extends Construct {
  readonly config: EcsSocketIoConfig;
  readonly vpc: ec2.IVpc;
  readonly cluster: ecs.ICluster;
  readonly service: ecs.FargateService;
  readonly worker: ecs.FargateService | undefined;
  /** The ALB the construct created; undefined when it joined your `listener`. */
  readonly loadBalancer: elbv2.ApplicationLoadBalancer | undefined;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The ElastiCache the construct created; undefined when it joined your `redis`. */
  readonly redis: Redis | undefined;
  readonly jwtSecret: secretsmanager.ISecret;
  readonly alarmTopic: sns.ITopic;
  /** `http(s)://` of the ALB, the socket.io URL browsers connect to (your `listener.url` when joining a listener). */
  readonly url: string | undefined;
  private readonly alarms: AlarmTopic;

  constructor(scope: Construct, id: string, props: SyncbellSocketIoServiceProps = {}) {
    super(scope, id);
    const options = Object.fromEntries(
      Object.entries(props).filter(([key]) => !(RESOURCE_PROPS as readonly string[]).includes(key)),
    ) as EcsSocketIoOptions;
    const ownImage = props.image !== undefined;
    const config = resolveEcsSocketIoConfig(options, { ownImage, label: `${this.node.path} props` });
    this.config = config;
    warnIgnoredKnobs(this, props, IGNORED_WHEN);
    if (ownImage && config.workerCount > 0 && props.workerCommand === undefined)
      throw new InfraConfigError(
        `${this.node.path}: workerCount is ${config.workerCount} with your own image: set workerCommand (what runs syncbell's worker in that image) or workerCount: 0`,
      );

    this.vpc =
      props.vpc ??
      new Network(this, 'Network', {
        maxAzs: config.maxAzs,
        natGateways: config.natGateways,
        logRetentionDays: config.logRetentionDays,
        retainLogs: config.retainData,
      }).vpc;
    if (props.redis === undefined) {
      this.redis = new Redis(this, 'Redis', {
        vpc: this.vpc,
        subnets: props.redisSubnets,
        nodeType: config.redisNodeType,
        engine: config.redisEngine,
        engineVersion: config.redisEngineVersion,
        shards: config.redisMode === 'cluster' ? config.redisShards : undefined,
        replicas: config.redisReplicas,
        multiAz: config.redisMultiAz,
        port: config.redisPort,
        snapshotRetentionDays: config.redisSnapshotRetentionDays,
        retain: config.retainData,
      });
    }
    const redis: SyncbellRedisEndpoint = props.redis ?? {
      url: this.redis?.url ?? '',
      authToken: this.redis?.authToken,
      securityGroup: this.redis?.securityGroup,
      port: this.redis?.port,
      cluster: this.redis?.cluster ?? false,
    };
    this.jwtSecret = jwtSecretOf(this, props.jwtSecret, config);
    this.alarms = new AlarmTopic(this, 'Alarms', { topic: props.alarmTopic, email: config.alarmEmail });
    this.alarmTopic = this.alarms.topic;
    const image =
      props.image ?? new SocketIoImage(this, 'Image', { cpuArchitecture: config.cpuArchitecture }).image;
    const command = props.command ?? (ownImage ? undefined : SERVER_COMMAND);
    const workerCommand = props.workerCommand ?? (ownImage ? undefined : WORKER_COMMAND);

    const environment = socketIoEnvironment(config, redis.url, redis.cluster ?? false);
    this.refuseWhatTheContainerWould(environment);
    for (const [index, warning] of ecsConfigWarnings(config).entries())
      Annotations.of(this).addWarningV2(`syncbell:riskyConfig${index}`, warning);
    const secrets: Record<string, ecs.Secret> = {
      JWT_SECRET: ecs.Secret.fromSecretsManager(this.jwtSecret),
      ...(redis.authToken === undefined
        ? {}
        : { REDIS_AUTH_TOKEN: ecs.Secret.fromSecretsManager(redis.authToken) }),
      ...props.secrets,
    };
    const containerEnvironment = { ...environment, ...props.environment };

    this.cluster =
      props.cluster ??
      new ecs.Cluster(this, 'Cluster', { vpc: this.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const cpuArchitecture =
      config.cpuArchitecture === 'arm64' ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64;
    const taskSubnets = props.taskSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    /**
     * Every service: new tasks start before old ones stop, a deployment whose tasks keep failing is
     * stopped and rolled back, and tasks live in private subnets without public IPs.
     */
    const serviceDefaults = {
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      vpcSubnets: taskSubnets,
      assignPublicIp: false,
    } satisfies Partial<ecs.FargateServiceProps>;

    // --- server task -------------------------------------------------------------------------
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'ServerTask', {
      cpu: config.taskCpu,
      memoryLimitMiB: config.taskMemoryMiB,
      runtimePlatform: { cpuArchitecture, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    const serverLogs = stackLogGroup(this, 'ServerLogs', {
      retentionDays: config.logRetentionDays,
      retain: config.retainData,
    });
    // syncbell's server: liveness on /healthz (/readyz would fail every task during a Redis
    // outage); your image: the path the ALB checks, the one health path it is known to answer.
    const healthUrl = `http://127.0.0.1:${config.containerPort}${ownImage ? config.healthCheckPath : '/healthz'}`;
    taskDefinition.addContainer(CONTAINER_NAME, {
      image,
      command,
      environment: containerEnvironment,
      secrets,
      // `metrics` is listed for scrapers that discover ports (ADOT, the CloudWatch agent); it is not
      // in the target group and no security-group rule reaches it (see the ALB and task groups).
      portMappings: [
        { containerPort: config.containerPort, name: 'http' },
        { containerPort: config.metricsPort, name: 'metrics' },
      ],
      logging: ecs.LogDrivers.awsLogs({ logGroup: serverLogs, streamPrefix: 'server' }),
      // Every WebSocket is a file descriptor; Fargate's default of 1024 caps a task near 1000 clients.
      ulimits: [
        { name: ecs.UlimitName.NOFILE, softLimit: config.nofileLimit, hardLimit: config.nofileLimit },
      ],
      // Liveness only (same as the image's HEALTHCHECK, which ECS ignores): an unhealthy task is replaced.
      healthCheck: props.containerHealthCheck ?? {
        command: [
          'CMD',
          'node',
          '-e',
          `fetch(${JSON.stringify(healthUrl)}).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
        ],
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(20),
      },
      stopTimeout: Duration.millis(config.drainTimeoutMs + config.stopGraceMs),
      readonlyRootFilesystem: true,
    });
    acknowledge(taskDefinition, [ENV_SUPPRESSION, SERVER_ROLE_WILDCARD]);

    const serviceSecurityGroup = this.taskSecurityGroup(
      'ServerSecurityGroup',
      'syncbell Socket.io tasks: ingress from the ALB only',
      redis,
    );
    this.service = new ecs.FargateService(this, 'Server', {
      cluster: this.cluster,
      taskDefinition,
      ...serviceDefaults,
      securityGroups: [serviceSecurityGroup],
      healthCheckGracePeriod: Duration.seconds(30),
    });
    leaveDesiredCountToAutoscaling(this.service);

    // --- load balancing ----------------------------------------------------------------------
    const deregistrationDelaySeconds = Math.ceil(config.drainTimeoutMs / 1000);
    const targetGroupProps = {
      port: config.containerPort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [
        this.service.loadBalancerTarget({
          containerName: CONTAINER_NAME,
          containerPort: config.containerPort,
        }),
      ],
      healthCheck: {
        path: config.healthCheckPath,
        healthyHttpCodes: '200',
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
      deregistrationDelay: Duration.seconds(deregistrationDelaySeconds),
      // Long-polling requests must return to the task that holds the Engine.IO session (else
      // "Session ID unknown"); WebSocket-only needs no stickiness, and without it scaling spreads load.
      stickinessCookieDuration: config.allowPolling ? Duration.seconds(config.stickinessSeconds) : undefined,
    } satisfies elbv2.AddApplicationTargetsProps;
    if (props.listener === undefined) {
      const { loadBalancer, listener } = this.createLoadBalancer(props.loadBalancerSubnets);
      this.loadBalancer = loadBalancer;
      this.targetGroup = listener.addTargets('Server', targetGroupProps);
      this.url = this.publicUrl(loadBalancer);
    } else {
      this.loadBalancer = undefined;
      this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'ServerTargets', {
        vpc: this.vpc,
        ...targetGroupProps,
      });
      new elbv2.ApplicationListenerRule(this, 'ListenerRule', {
        listener: props.listener.listener,
        priority: props.listener.priority,
        conditions: props.listener.conditions ?? [elbv2.ListenerCondition.pathPatterns(['/socket.io/*'])],
        targetGroups: [this.targetGroup],
      });
      this.url = props.listener.url;
    }

    // The drain at deregistration: ECS sends SIGTERM only after the deregistration delay, when the
    // ALB has cut every connection still open (ECS developer guide, "Optimize load balancer
    // connection draining parameters"), so the server asks ELB whether its own target is
    // `draining` and moves its clients while they are still connected.
    const server = taskDefinition.findContainer(CONTAINER_NAME);
    server?.addEnvironment('TARGET_GROUP_ARN', this.targetGroup.targetGroupArn);
    server?.addEnvironment('DEREGISTRATION_DELAY_MS', String(deregistrationDelaySeconds * 1000));
    taskDefinition.addToTaskRolePolicy(
      new iam.PolicyStatement({ actions: ['elasticloadbalancing:DescribeTargetHealth'], resources: ['*'] }),
    );

    // --- autoscaling -------------------------------------------------------------------------
    const scaling = this.service.autoScaleTaskCount({
      minCapacity: config.desiredCount,
      maxCapacity: config.maxCount,
    });
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: config.cpuTargetPercent });
    if (this.loadBalancer !== undefined)
      this.scaleOnConnectionsPerTask(scaling, this.loadBalancer, config.connectionsPerTaskTarget);

    // --- alarms ------------------------------------------------------------------------------
    this.alarms.watch(
      new cloudwatch.Alarm(this, 'Target5xx', {
        alarmDescription: 'Socket.io tasks answer 5xx (handshake or /jobs/sync failures)',
        metric: this.targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
          period: Duration.minutes(5),
          statistic: 'Sum',
        }),
        threshold: 5,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
    this.alarms.watch(
      new cloudwatch.Alarm(this, 'UnhealthyTargets', {
        alarmDescription: 'A Socket.io task fails the ALB health check',
        metric: this.targetGroup.metrics.unhealthyHostCount({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        threshold: 1,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );

    if (this.redis !== undefined) {
      const larger = this.redis.cluster ? 'redisNodeType, or more redisShards' : 'redisNodeType';
      // One alarm per up to 10 nodes (`memoryUsagePercent`): one for the defaults in either mode.
      for (const [index, metric] of this.redis.memoryUsagePercent().entries())
        this.alarms.watch(
          new cloudwatch.Alarm(this, index === 0 ? 'RedisMemory' : `RedisMemory${index + 1}`, {
            alarmDescription: `Redis memory above 80% of maxmemory: with noeviction, writes (the replay log, jobs) fail when it is full. Move to a larger ${larger} (docs/DEPLOY.md, "Redis: never evict, and size the node")`,
            metric,
            threshold: 80,
            evaluationPeriods: 2,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          }),
        );
    }

    // --- worker ------------------------------------------------------------------------------
    this.worker =
      config.workerCount > 0
        ? this.createWorker({
            image,
            command: workerCommand,
            cpuArchitecture,
            environment: { ...containerEnvironment, ...props.workerEnvironment },
            secrets,
            redis,
            serviceDefaults,
          })
        : undefined;
  }

  /** What the container would refuse at start stops the synth instead of a crash-looping deploy. */
  private refuseWhatTheContainerWould(environment: Record<string, string>): void {
    // Values known only at deploy time (the Redis endpoint) cannot be checked here.
    try {
      loadEcsConfig(
        Object.fromEntries(Object.entries(environment).filter(([, v]) => !Token.isUnresolved(v))),
      );
    } catch (cause) {
      throw new InfraConfigError(
        `the server container would refuse this environment: ${(cause as Error).message}`,
        { cause },
      );
    }
  }

  /**
   * A task's security group: no ingress of its own, egress only for HTTPS (ECR, Secrets Manager,
   * CloudWatch Logs, through the NAT) and Redis.
   */
  private taskSecurityGroup(
    id: string,
    description: string,
    redis: SyncbellRedisEndpoint,
  ): ec2.SecurityGroup {
    const securityGroup = new ec2.SecurityGroup(this, id, {
      vpc: this.vpc,
      description,
      allowAllOutbound: false,
    });
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS APIs over HTTPS');
    const port = ec2.Port.tcp(redis.port ?? portOf(redis.url) ?? 6379);
    if (redis.securityGroup !== undefined) {
      securityGroup.connections.allowTo(redis.securityGroup, port, 'Redis');
    } else {
      securityGroup.addEgressRule(ec2.Peer.ipv4(this.vpc.vpcCidrBlock), port, 'Redis (in the VPC)');
    }
    return securityGroup;
  }

  private createLoadBalancer(subnets: ec2.SubnetSelection | undefined): {
    loadBalancer: elbv2.ApplicationLoadBalancer;
    listener: elbv2.ApplicationListener;
  } {
    const { config } = this;
    const albSecurityGroup = new ec2.SecurityGroup(this, 'AlbSecurityGroup', {
      vpc: this.vpc,
      description: 'syncbell ALB: browsers in, Socket.io tasks out',
      allowAllOutbound: false,
    });
    albSecurityGroup.addIngressRule(
      ec2.Peer.ipv4(config.ingressCidr),
      ec2.Port.tcp(config.certificateArn === undefined ? 80 : 443),
      'browsers (WebSocket upgrade)',
    );
    // With a certificate, port 80 only answers a redirect to https:// (below).
    if (config.certificateArn !== undefined)
      albSecurityGroup.addIngressRule(
        ec2.Peer.ipv4(config.ingressCidr),
        ec2.Port.tcp(80),
        'http:// redirected to https://',
      );
    acknowledge(albSecurityGroup, [
      {
        id: 'AwsSolutions-EC23',
        reason:
          'The ALB is the public endpoint browsers connect to; only the listener ports are open (443, and 80 to redirect, with a certificate), the CIDR is the ingressCidr knob.',
      },
    ]);

    const loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc: this.vpc,
      internetFacing: true,
      securityGroup: albSecurityGroup,
      vpcSubnets: subnets ?? { subnetType: ec2.SubnetType.PUBLIC },
      // Must outlast the Socket.io ping interval, or the ALB cuts idle sockets between pings.
      idleTimeout: Duration.seconds(config.idleTimeoutSeconds),
      dropInvalidHeaderFields: true,
    });
    // The bucket policy for ALB log delivery depends on the region (older regions deliver from a
    // per-region ELB account), so an environment-agnostic synth cannot enable it.
    const regionKnown = !Token.isUnresolved(Stack.of(this).region);
    if (config.albAccessLogs && !regionKnown) {
      Annotations.of(this).addWarningV2(
        'syncbell:albAccessLogsNeedRegion',
        'ALB access logs are off in this synth: the stack has no region (set CDK_DEFAULT_REGION or an AWS profile).',
      );
    }
    if (config.albAccessLogs && regionKnown) {
      const accessLogs = new s3.Bucket(this, 'AccessLogs', {
        encryption: s3.BucketEncryption.S3_MANAGED,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        removalPolicy: dataRemovalPolicy(config.retainData),
        lifecycleRules: [{ expiration: Duration.days(config.logRetentionDays) }],
      });
      acknowledge(accessLogs, [
        {
          id: 'AwsSolutions-S1',
          reason:
            'This bucket is the access-log destination itself; logging it would need another bucket without end.',
        },
      ]);
      loadBalancer.logAccessLogs(accessLogs, 'alb');
    } else {
      acknowledge(loadBalancer, [
        {
          id: 'AwsSolutions-ELB2',
          reason:
            'Access logs are off: switched off through the albAccessLogs knob, or the synth has no region.',
        },
      ]);
    }

    if (config.certificateArn === undefined && !config.allowPlainHttp)
      Annotations.of(this).addWarningV2(
        'syncbell:plainHttp',
        'The ALB serves plain http:// and ws:// (no certificateArn): a page served over HTTPS cannot open it (mixed content) and tokens cross the network in clear text. Set certificateArn (and domainName) for production, or allowPlainHttp: true to say a trial is meant.',
      );
    if (config.certificateArn !== undefined)
      // Port 80 answers 301 to https:// with the same host, path and query (Elastic Load Balancing
      // user guide, "Listeners for your Application Load Balancers": redirect actions).
      loadBalancer.addRedirect({
        sourcePort: 80,
        sourceProtocol: elbv2.ApplicationProtocol.HTTP,
        targetPort: 443,
        targetProtocol: elbv2.ApplicationProtocol.HTTPS,
      });
    const listener =
      config.certificateArn === undefined
        ? loadBalancer.addListener('Http', {
            port: 80,
            protocol: elbv2.ApplicationProtocol.HTTP,
            open: false,
          })
        : loadBalancer.addListener('Https', {
            port: 443,
            protocol: elbv2.ApplicationProtocol.HTTPS,
            certificates: [elbv2.ListenerCertificate.fromArn(config.certificateArn)],
            sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
            open: false,
          });
    return { loadBalancer, listener };
  }

  /**
   * `https://{domainName}` (with an alias record when a hosted zone is given), else the ALB's DNS
   * name: a certificate covers your domain, never `*.elb.amazonaws.com`.
   */
  private publicUrl(loadBalancer: elbv2.ApplicationLoadBalancer): string {
    const { config } = this;
    if (config.domainName === undefined)
      return `${config.certificateArn === undefined ? 'http' : 'https'}://${loadBalancer.loadBalancerDnsName}`;
    if (config.hostedZoneId !== undefined && config.hostedZoneName !== undefined) {
      new route53.ARecord(this, 'DomainAlias', {
        zone: route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
          hostedZoneId: config.hostedZoneId,
          zoneName: config.hostedZoneName,
        }),
        recordName: config.domainName,
        target: route53.RecordTarget.fromAlias(new route53Targets.LoadBalancerTarget(loadBalancer)),
      });
    }
    return `https://${config.domainName}`;
  }

  /**
   * Target tracking on connections per task. The ALB has no per-target connection metric, so the
   * metric is math: ActiveConnectionCount (which counts both legs, client to ALB and ALB to task,
   * hence the halving) over Container Insights' RunningTaskCount. The L2 accepts only a plain
   * metric for target tracking, so the metric specification is set on the L1 underneath.
   */
  private scaleOnConnectionsPerTask(
    scaling: ecs.ScalableTaskCount,
    loadBalancer: elbv2.ApplicationLoadBalancer,
    targetValue: number,
  ): void {
    const placeholder = loadBalancer.metrics.activeConnectionCount({
      statistic: 'Sum',
      period: Duration.minutes(1),
    });
    scaling.scaleToTrackCustomMetric('ConnectionsPerTask', { metric: placeholder, targetValue });
    const cfnPolicy = scaling.node
      .findAll()
      .find(
        (c): c is applicationautoscaling.CfnScalingPolicy =>
          c instanceof applicationautoscaling.CfnScalingPolicy &&
          c.node.path.includes('/ConnectionsPerTask/'),
      );
    if (cfnPolicy === undefined) throw new Error('connections-per-task scaling policy not found');
    const path = 'TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification';
    for (const key of ['MetricName', 'Namespace', 'Dimensions', 'Statistic', 'Unit']) {
      cfnPolicy.addPropertyDeletionOverride(`${path}.${key}`);
    }
    cfnPolicy.addPropertyOverride(`${path}.Metrics`, [
      {
        Id: 'connections',
        ReturnData: false,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/ApplicationELB',
            MetricName: 'ActiveConnectionCount',
            Dimensions: [{ Name: 'LoadBalancer', Value: loadBalancer.loadBalancerFullName }],
          },
          Stat: 'Sum',
        },
      },
      {
        Id: 'tasks',
        ReturnData: false,
        MetricStat: {
          Metric: {
            Namespace: 'ECS/ContainerInsights',
            MetricName: 'RunningTaskCount',
            Dimensions: [
              { Name: 'ClusterName', Value: this.cluster.clusterName },
              { Name: 'ServiceName', Value: this.service.serviceName },
            ],
          },
          Stat: 'Average',
        },
      },
      {
        Id: 'perTask',
        Label: 'WebSocket connections per task',
        Expression: 'connections / 2 / tasks',
        ReturnData: true,
      },
    ]);
  }

  private createWorker(parts: {
    image: ecs.ContainerImage;
    command: string[] | undefined;
    cpuArchitecture: ecs.CpuArchitecture;
    environment: Record<string, string>;
    secrets: Record<string, ecs.Secret>;
    redis: SyncbellRedisEndpoint;
    serviceDefaults: Partial<ecs.FargateServiceProps>;
  }): ecs.FargateService {
    const { config } = this;
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'WorkerTask', {
      cpu: config.workerTaskCpu,
      memoryLimitMiB: config.workerTaskMemoryMiB,
      runtimePlatform: {
        cpuArchitecture: parts.cpuArchitecture,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    const workerLogs = stackLogGroup(this, 'WorkerLogs', {
      retentionDays: config.logRetentionDays,
      retain: config.retainData,
    });
    // The worker serves no HTTP, so it has no port and no health check: it exits on a fatal error
    // and the service starts a new one.
    const { PORT: _port, ...workerEnvironment } = parts.environment;
    taskDefinition.addContainer('worker', {
      image: parts.image,
      command: parts.command,
      environment: workerEnvironment,
      secrets: parts.secrets,
      logging: ecs.LogDrivers.awsLogs({ logGroup: workerLogs, streamPrefix: 'worker' }),
      stopTimeout: Duration.millis(config.drainTimeoutMs + config.stopGraceMs),
      readonlyRootFilesystem: true,
    });
    acknowledge(taskDefinition, [ENV_SUPPRESSION, EXECUTION_ROLE_WILDCARD]);

    const securityGroup = this.taskSecurityGroup(
      'WorkerSecurityGroup',
      'syncbell emitter worker: no ingress',
      parts.redis,
    );
    return new ecs.FargateService(this, 'Worker', {
      ...parts.serviceDefaults,
      cluster: this.cluster,
      taskDefinition,
      desiredCount: config.workerCount,
      securityGroups: [securityGroup],
    });
  }
}

/**
 * Autoscaling owns the task count: a `DesiredCount` in the template is sent again by every stack
 * update that touches the service (a new image), which would drop a fleet scaled out to 8 back to
 * the floor mid-deploy and reconnect thousands of sockets at once (aws/aws-cdk#13130,
 * aws/containers-roadmap#493). Without it CloudFormation creates the service with one task and
 * omits the count on updates (AWS CloudFormation user guide, "AWS::ECS::Service", DesiredCount:
 * "For existing services, if a desired count is not specified, it is omitted from the operation");
 * registering the scalable target then lifts the service into [min, max] (Application Auto
 * Scaling API reference, "RegisterScalableTarget"). A deletion override rather than CDK's
 * `@aws-cdk/aws-ecs:removeDefaultDesiredCount` flag: the construct then behaves the same in a user's
 * app whatever flags it sets.
 */
function leaveDesiredCountToAutoscaling(service: ecs.FargateService): void {
  (service.node.defaultChild as ecs.CfnService).addPropertyDeletionOverride('DesiredCount');
}
