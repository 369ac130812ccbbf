import { Annotations, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as applicationautoscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { acknowledge } from './nag.js';
import { Construct } from 'constructs';
import { loadEcsConfig } from '../../ecs-socketio/src/config.js';
import type { AlarmTopic } from './alarm-topic.js';
import { type EcsSocketIoConfig, ecsConfigWarnings, InfraConfigError } from './config.js';
import { stackLogGroup } from './log-group.js';
import type { Redis } from './redis.js';
import { SERVER_COMMAND, WORKER_COMMAND } from './socketio-image.js';

export interface SocketIoServiceProps {
  vpc: ec2.IVpc;
  config: EcsSocketIoConfig;
  image: ecs.ContainerImage;
  redis: Redis;
  jwtSecret: secretsmanager.ISecret;
  alarms: AlarmTopic;
}

const CONTAINER_NAME = 'socketio';

/**
 * The container environment both the server and the worker read (ecs-socketio's config). Secrets
 * (`JWT_SECRET`, `REDIS_AUTH_TOKEN`) are injected by ECS from Secrets Manager, never set here.
 * `CONTAINER_ID` is left unset: the server falls back to the hostname, which on Fargate is unique
 * per task.
 */
export function socketIoEnvironment(config: EcsSocketIoConfig, redisUrl: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    PORT: String(config.containerPort),
    METRICS_PORT: String(config.metricsPort),
    REDIS_URL: redisUrl,
    REDIS_ADAPTER: config.redisAdapter,
    WORKER_PUBLISH: String(config.workerCount > 0),
    ALLOW_POLLING: String(config.allowPolling),
    PING_INTERVAL_MS: String(config.pingIntervalMs),
    PING_TIMEOUT_MS: String(config.pingTimeoutMs),
    DRAIN_TIMEOUT_MS: String(config.drainTimeoutMs),
    LOG_LEVEL: config.logLevel,
    CORS_ORIGINS: config.corsOrigins,
  };
}

function socketIoSecrets(props: SocketIoServiceProps): Record<string, ecs.Secret> {
  return {
    JWT_SECRET: ecs.Secret.fromSecretsManager(props.jwtSecret),
    REDIS_AUTH_TOKEN: ecs.Secret.fromSecretsManager(props.redis.authToken),
  };
}

/**
 * A task's security group: no ingress of its own, egress only for HTTPS (ECR, Secrets Manager,
 * CloudWatch Logs, through the NAT) and Redis.
 */
function taskSecurityGroup(scope: Construct, id: string, vpc: ec2.IVpc, description: string, redis: Redis) {
  const securityGroup = new ec2.SecurityGroup(scope, id, { vpc, description, allowAllOutbound: false });
  securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS APIs over HTTPS');
  securityGroup.connections.allowTo(redis, redis.connections.defaultPort ?? ec2.Port.tcp(6379), 'Redis');
  return securityGroup;
}

const EXECUTION_ROLE_WILDCARD = {
  id: 'AwsSolutions-IAM5[Resource::*]',
  reason:
    'ecr:GetAuthorizationToken has no resource-level permissions (it must be granted on "*"); every other statement CDK generated for the execution role names its repository, log group or secret.',
};

/**
 * Every service: new tasks start before old ones stop, a deployment whose tasks keep failing is
 * stopped and rolled back, and tasks live in private subnets without public IPs.
 */
const SERVICE_DEFAULTS = {
  minHealthyPercent: 100,
  maxHealthyPercent: 200,
  circuitBreaker: { enable: true, rollback: true },
  vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
  assignPublicIp: false,
} satisfies Partial<ecs.FargateServiceProps>;

const ENV_SUPPRESSION = {
  id: 'AwsSolutions-ECS2',
  reason:
    'The environment holds only non-secret configuration (ports, timeouts, the Redis endpoint); JWT_SECRET and REDIS_AUTH_TOKEN are injected from Secrets Manager through `secrets`.',
};

/**
 * The Socket.io servers on Fargate behind an internet-facing ALB, plus the worker.
 *
 * Stopping a task on ECS happens in two steps: ECS deregisters it from the target group and waits
 * for the deregistration delay (the ALB sends it no new connections and, when the delay ends,
 * closes the ones still open), then sends SIGTERM and, after `stopTimeout`, SIGKILL. Both windows
 * are set from `drainTimeoutMs`, so clients are moved within one drain window plus the stop grace,
 * and the SDK's resume fills any gap.
 */
export class SocketIoService extends Construct {
  readonly cluster: ecs.Cluster;
  readonly service: ecs.FargateService;
  readonly worker: ecs.FargateService | undefined;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** `http(s)://` of the ALB; the Socket.io URL browsers connect to. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: SocketIoServiceProps) {
    super(scope, id);
    const { config, vpc, redis } = props;
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const cpuArchitecture =
      config.cpuArchitecture === 'arm64' ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64;
    const environment = socketIoEnvironment(config, redis.url);
    // What the container would refuse at start stops the synth instead of a crash-looping deploy.
    // Values known only at deploy time (the Redis endpoint) cannot be checked here.
    try {
      loadEcsConfig(
        Object.fromEntries(Object.entries(environment).filter(([, v]) => !Token.isUnresolved(v))),
      );
    } catch (cause) {
      throw new InfraConfigError(
        `the server container would refuse this environment: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
    for (const [index, warning] of ecsConfigWarnings(config).entries())
      Annotations.of(this).addWarningV2(`syncbell:riskyConfig${index}`, warning);

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

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
    const healthUrl = `http://127.0.0.1:${config.containerPort}/healthz`;
    taskDefinition.addContainer(CONTAINER_NAME, {
      image: props.image,
      command: SERVER_COMMAND,
      environment,
      secrets: socketIoSecrets(props),
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
      healthCheck: {
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
    acknowledge(taskDefinition, [ENV_SUPPRESSION, EXECUTION_ROLE_WILDCARD]);

    const serviceSecurityGroup = taskSecurityGroup(
      this,
      'ServerSecurityGroup',
      vpc,
      'syncbell Socket.io tasks: ingress from the ALB only',
      redis,
    );

    this.service = new ecs.FargateService(this, 'Server', {
      cluster: this.cluster,
      taskDefinition,
      desiredCount: config.desiredCount,
      ...SERVICE_DEFAULTS,
      securityGroups: [serviceSecurityGroup],
      healthCheckGracePeriod: Duration.seconds(30),
    });

    // --- load balancer -----------------------------------------------------------------------
    const albSecurityGroup = new ec2.SecurityGroup(this, 'AlbSecurityGroup', {
      vpc,
      description: 'syncbell ALB: browsers in, Socket.io tasks out',
      allowAllOutbound: false,
    });
    const listenerPort = config.certificateArn === undefined ? 80 : 443;
    albSecurityGroup.addIngressRule(
      ec2.Peer.ipv4(config.ingressCidr),
      ec2.Port.tcp(listenerPort),
      'browsers (WebSocket upgrade)',
    );
    acknowledge(albSecurityGroup, [
      {
        id: 'AwsSolutions-EC23',
        reason:
          'The ALB is the public endpoint browsers connect to; only the listener port is open, the CIDR is the ingressCidr knob.',
      },
    ]);

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc,
      internetFacing: true,
      securityGroup: albSecurityGroup,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
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
        removalPolicy,
        lifecycleRules: [{ expiration: Duration.days(config.logRetentionDays) }],
      });
      acknowledge(accessLogs, [
        {
          id: 'AwsSolutions-S1',
          reason:
            'This bucket is the access-log destination itself; logging it would need another bucket without end.',
        },
      ]);
      this.loadBalancer.logAccessLogs(accessLogs, 'alb');
    } else {
      acknowledge(this.loadBalancer, [
        {
          id: 'AwsSolutions-ELB2',
          reason:
            'Access logs are off: switched off through the albAccessLogs knob, or the synth has no region.',
        },
      ]);
    }

    const listener =
      config.certificateArn === undefined
        ? this.loadBalancer.addListener('Http', {
            port: 80,
            protocol: elbv2.ApplicationProtocol.HTTP,
            open: false,
          })
        : this.loadBalancer.addListener('Https', {
            port: 443,
            protocol: elbv2.ApplicationProtocol.HTTPS,
            certificates: [elbv2.ListenerCertificate.fromArn(config.certificateArn)],
            sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
            open: false,
          });

    this.targetGroup = listener.addTargets('Server', {
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
      deregistrationDelay: Duration.seconds(Math.ceil(config.drainTimeoutMs / 1000)),
      // Long-polling requests must return to the task that holds the Engine.IO session (else
      // "Session ID unknown"); WebSocket-only needs no stickiness, and without it scaling spreads load.
      stickinessCookieDuration: config.allowPolling ? Duration.seconds(config.stickinessSeconds) : undefined,
    });
    this.url = `${config.certificateArn === undefined ? 'http' : 'https'}://${this.loadBalancer.loadBalancerDnsName}`;

    // --- autoscaling -------------------------------------------------------------------------
    const scaling = this.service.autoScaleTaskCount({
      minCapacity: config.desiredCount,
      maxCapacity: config.maxCount,
    });
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: config.cpuTargetPercent });
    this.scaleOnConnectionsPerTask(scaling, config.connectionsPerTaskTarget);

    // --- alarms ------------------------------------------------------------------------------
    props.alarms.watch(
      new cloudwatch.Alarm(this, 'Target5xx', {
        alarmDescription: 'Socket.io tasks answer 5xx (handshake or /jobs/sync failures)',
        metric: this.loadBalancer.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
          period: Duration.minutes(5),
          statistic: 'Sum',
        }),
        threshold: 5,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
    props.alarms.watch(
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

    // --- worker ------------------------------------------------------------------------------
    this.worker = config.workerCount > 0 ? this.createWorker(props, cpuArchitecture, environment) : undefined;
  }

  /**
   * Target tracking on connections per task. The ALB has no per-target connection metric, so the
   * metric is math: ActiveConnectionCount (which counts both legs, client to ALB and ALB to task,
   * hence the halving) over Container Insights' RunningTaskCount. The L2 accepts only a plain
   * metric for target tracking, so the metric specification is set on the L1 underneath.
   */
  private scaleOnConnectionsPerTask(scaling: ecs.ScalableTaskCount, targetValue: number): void {
    const placeholder = this.loadBalancer.metrics.activeConnectionCount({
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
            Dimensions: [{ Name: 'LoadBalancer', Value: this.loadBalancer.loadBalancerFullName }],
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

  private createWorker(
    props: SocketIoServiceProps,
    cpuArchitecture: ecs.CpuArchitecture,
    environment: Record<string, string>,
  ): ecs.FargateService {
    const { config, vpc, redis } = props;
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'WorkerTask', {
      cpu: config.workerTaskCpu,
      memoryLimitMiB: config.workerTaskMemoryMiB,
      runtimePlatform: { cpuArchitecture, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    const workerLogs = stackLogGroup(this, 'WorkerLogs', {
      retentionDays: config.logRetentionDays,
      retain: config.retainData,
    });
    // The worker serves no HTTP, so it has no port and no health check: it exits on a fatal error
    // and the service starts a new one.
    const { PORT: _port, ...workerEnvironment } = environment;
    taskDefinition.addContainer('worker', {
      image: props.image,
      command: WORKER_COMMAND,
      environment: workerEnvironment,
      secrets: socketIoSecrets(props),
      logging: ecs.LogDrivers.awsLogs({ logGroup: workerLogs, streamPrefix: 'worker' }),
      stopTimeout: Duration.millis(config.drainTimeoutMs + config.stopGraceMs),
      readonlyRootFilesystem: true,
    });
    acknowledge(taskDefinition, [ENV_SUPPRESSION, EXECUTION_ROLE_WILDCARD]);

    const securityGroup = taskSecurityGroup(
      this,
      'WorkerSecurityGroup',
      vpc,
      'syncbell emitter worker: no ingress',
      redis,
    );
    return new ecs.FargateService(this, 'Worker', {
      cluster: this.cluster,
      taskDefinition,
      desiredCount: config.workerCount,
      ...SERVICE_DEFAULTS,
      securityGroups: [securityGroup],
    });
  }
}
