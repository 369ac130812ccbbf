import { Duration, Fn, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { acknowledge } from './nag.js';
import { Construct } from 'constructs';
import { dataRemovalPolicy } from './removal.js';

export interface RedisProps {
  vpc: ec2.IVpc;
  /** @default the VPC's isolated subnets */
  subnets?: ec2.SubnetSelection;
  nodeType: string;
  engineVersion: string;
  /** Replicas beside the primary. */
  replicas: number;
  multiAz: boolean;
  port: number;
  snapshotRetentionDays: number;
  retain: boolean;
}

/**
 * ElastiCache for Redis (cluster mode off: the Socket.io adapters and the emitter talk to one
 * primary) with TLS in transit required, encryption at rest and an AUTH token from Secrets Manager.
 * aws-cdk-lib has no stable L2 for ElastiCache, so this wraps the L1 replication group; access is
 * still granted through `connections`, never through hand-written rules.
 */
export class Redis extends Construct implements ec2.IConnectable {
  readonly connections: ec2.Connections;
  readonly securityGroup: ec2.SecurityGroup;
  readonly port: number;
  /** The AUTH token (`REDIS_AUTH_TOKEN`). */
  readonly authToken: secretsmanager.Secret;
  /** `rediss://host:port` of the primary endpoint (`REDIS_URL`). */
  readonly url: string;
  readonly replicationGroup: elasticache.CfnReplicationGroup;
  /** `maxmemory-policy noeviction`: the replay log must fail loudly, never lose entries. */
  readonly parameterGroup: elasticache.CfnParameterGroup;
  private readonly nodeCount: number;

  constructor(scope: Construct, id: string, props: RedisProps) {
    super(scope, id);
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'syncbell Redis: ingress only from the Socket.io service and worker',
      allowAllOutbound: false,
    });
    this.securityGroup = securityGroup;
    this.port = props.port;
    this.nodeCount = 1 + props.replicas;
    this.connections = new ec2.Connections({
      securityGroups: [securityGroup],
      defaultPort: ec2.Port.tcp(props.port),
    });

    const subnetGroup = new elasticache.CfnSubnetGroup(this, 'Subnets', {
      description: 'syncbell Redis',
      subnetIds: props.vpc.selectSubnets(props.subnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED })
        .subnetIds,
    });

    this.authToken = new secretsmanager.Secret(this, 'AuthToken', {
      description: 'syncbell ElastiCache AUTH token (REDIS_AUTH_TOKEN)',
      // AUTH tokens allow 16 to 128 printable characters without @, " or /; alphanumerics are safe.
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: dataRemovalPolicy(props.retain),
    });
    acknowledge(this.authToken, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'ElastiCache AUTH rotation is a two-step ModifyReplicationGroup (ROTATE then SET) that must be coordinated with the tasks reading the token; there is no managed rotation function for it. docs/DEPLOY.md describes the manual rotation.',
      },
    ]);

    // noeviction: the default group's volatile-lru evicts keys that carry a TTL first under memory
    // pressure, and every replay-log entry carries one, so the log would lose notifications
    // silently. With noeviction a full node refuses the write instead (the publisher sees the
    // error and the job is retried), and the DatabaseMemoryUsagePercentage alarm warns first
    // (ElastiCache user guide, "Redis OSS-specific parameters": maxmemory-policy).
    this.parameterGroup = new elasticache.CfnParameterGroup(this, 'Parameters', {
      cacheParameterGroupFamily: `redis${props.engineVersion.split('.')[0]}`,
      description: 'syncbell: never evict the replay log (maxmemory-policy noeviction)',
      properties: { 'maxmemory-policy': 'noeviction' },
    });

    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'Resource', {
      replicationGroupDescription: 'syncbell Socket.io adapter, replay log and job queue',
      engine: 'redis',
      engineVersion: props.engineVersion,
      cacheNodeType: props.nodeType,
      port: props.port,
      numCacheClusters: 1 + props.replicas,
      automaticFailoverEnabled: props.multiAz,
      multiAzEnabled: props.multiAz,
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      atRestEncryptionEnabled: true,
      // Rendered as a CloudFormation dynamic reference: the token never appears in the template.
      authToken: this.authToken.secretValue.unsafeUnwrap(),
      cacheSubnetGroupName: subnetGroup.ref,
      cacheParameterGroupName: this.parameterGroup.ref,
      securityGroupIds: [securityGroup.securityGroupId],
      snapshotRetentionLimit: props.snapshotRetentionDays,
      autoMinorVersionUpgrade: true,
    });
    this.replicationGroup.applyRemovalPolicy(props.retain ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY);

    acknowledge(this.replicationGroup, [
      {
        id: 'AwsSolutions-AEC5',
        reason:
          'A non-default port is obscurity, not a control: the group sits in isolated subnets, its security group admits only the service and worker groups, and TLS plus AUTH are required. The port is a knob (redisPort).',
      },
      ...(props.multiAz
        ? []
        : [
            {
              id: 'AwsSolutions-AEC4',
              reason:
                'Multi-AZ was switched off through the redisMultiAz knob (a cost choice for non-production stacks); the default is on.',
            },
          ]),
    ]);

    this.url = Fn.join('', [
      'rediss://',
      this.replicationGroup.attrPrimaryEndPointAddress,
      ':',
      this.replicationGroup.attrPrimaryEndPointPort,
    ]);
  }

  /**
   * The highest `DatabaseMemoryUsagePercentage` over the group's nodes (used memory over
   * `maxmemory`; ElastiCache user guide, "Metrics for Redis OSS"). Node ids of a cluster-mode-off
   * group are `{replicationGroupId}-001`, `-002`, ... (ElastiCache user guide, "Finding connection
   * endpoints"); a failover changes which one is primary, so every node is watched.
   */
  memoryUsagePercent(period: Duration = Duration.minutes(5)): cloudwatch.IMetric {
    const usingMetrics = Object.fromEntries(
      Array.from({ length: this.nodeCount }, (_, i) => [
        `node${i + 1}`,
        new cloudwatch.Metric({
          namespace: 'AWS/ElastiCache',
          metricName: 'DatabaseMemoryUsagePercentage',
          dimensionsMap: {
            CacheClusterId: Fn.join('-', [this.replicationGroup.ref, String(i + 1).padStart(3, '0')]),
          },
          statistic: 'Maximum',
          period,
        }),
      ]),
    );
    return new cloudwatch.MathExpression({
      expression: `MAX([${Object.keys(usingMetrics).join(', ')}])`,
      usingMetrics,
      label: 'DatabaseMemoryUsagePercentage (highest node)',
      period,
    });
  }
}
