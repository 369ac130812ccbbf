import { Annotations, Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
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
import { SyncbellRedis } from './redis.js';
import { SERVER_COMMAND, SocketIoImage, WORKER_COMMAND } from './socketio-image.js';
import { SocketIoLoadBalancing } from './socketio-load-balancing.js';
import {
  IGNORED_WHEN,
  RESOURCE_PROPS,
  type SyncbellRedisEndpoint,
  type SyncbellSocketIoServiceProps,
} from './socketio-props.js';
import {
  containerDefaults,
  ENV_SUPPRESSION,
  SERVER_ROLE_WILDCARD,
  serviceDefaults,
  taskSecurityGroup,
} from './socketio-task.js';
import { SocketIoWorker } from './socketio-worker.js';

export type {
  SyncbellListenerRule,
  SyncbellRedisEndpoint,
  SyncbellSocketIoServiceProps,
} from './socketio-props.js';

const CONTAINER_NAME = 'socketio';

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
  readonly redis: SyncbellRedis | undefined;
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
      this.redis = new SyncbellRedis(this, 'Redis', {
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
    const defaults = serviceDefaults(props.taskSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });

    // --- server task (load balancing and scaling: SocketIoLoadBalancing; worker: SocketIoWorker)
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
      ...containerDefaults(config),
    });
    acknowledge(taskDefinition, [ENV_SUPPRESSION, SERVER_ROLE_WILDCARD]);

    const serviceSecurityGroup = taskSecurityGroup(this, 'ServerSecurityGroup', {
      vpc: this.vpc,
      description: 'syncbell Socket.io tasks: ingress from the ALB only',
      redis,
    });
    this.service = new ecs.FargateService(this, 'Server', {
      cluster: this.cluster,
      taskDefinition,
      ...defaults,
      securityGroups: [serviceSecurityGroup],
      healthCheckGracePeriod: Duration.seconds(30),
    });

    const loadBalancing = new SocketIoLoadBalancing(this, {
      config,
      vpc: this.vpc,
      cluster: this.cluster,
      service: this.service,
      containerName: CONTAINER_NAME,
      listener: props.listener,
      loadBalancerSubnets: props.loadBalancerSubnets,
      alarms: this.alarms,
    });
    this.loadBalancer = loadBalancing.loadBalancer;
    this.targetGroup = loadBalancing.targetGroup;
    this.url = loadBalancing.url;

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

    this.worker =
      config.workerCount > 0
        ? new SocketIoWorker(this, {
            config,
            vpc: this.vpc,
            cluster: this.cluster,
            image,
            command: workerCommand,
            cpuArchitecture,
            environment: { ...containerEnvironment, ...props.workerEnvironment },
            secrets,
            redis,
            serviceDefaults: defaults,
          }).service
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
}
