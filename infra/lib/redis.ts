import { Duration, Fn, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { acknowledge } from './nag.js';
import { Construct } from 'constructs';
import { dataRemovalPolicy } from './removal.js';

export interface SyncbellRedisProps {
  vpc: ec2.IVpc;
  /** @default the VPC's isolated subnets */
  subnets?: ec2.SubnetSelection;
  nodeType: string;
  /** @default 'redis' */
  engine?: RedisEngine;
  /** @default DEFAULT_ENGINE_VERSION[engine] */
  engineVersion?: string | undefined;
  /**
   * Cluster mode enabled with this many shards (node groups), each a primary with `replicas`
   * replicas; `url` is then the configuration endpoint. @default cluster mode disabled (one shard)
   */
  shards?: number | undefined;
  /** Replicas beside the primary (of each shard in cluster mode). */
  replicas: number;
  multiAz: boolean;
  port: number;
  snapshotRetentionDays: number;
  retain: boolean;
}

export type RedisEngine = 'redis' | 'valkey';

/** The metrics one CloudWatch alarm on a math expression may read (a hard limit). */
const MAX_ALARM_METRICS = 10;

/** The newest version ElastiCache offers of each engine that syncbell has been checked against. */
export const DEFAULT_ENGINE_VERSION: Record<RedisEngine, string> = { redis: '7.1', valkey: '8.0' };

/**
 * The parameter group family of an engine version (AWS ElastiCache user guide, "Engine specific
 * parameters": Redis OSS 7 is `redis7`, Valkey 7.2 `valkey7`, Valkey 8.x `valkey8`).
 */
export function parameterGroupFamily(engine: RedisEngine, version: string): string {
  return `${engine}${version.split('.')[0]}`;
}

/**
 * ElastiCache (Redis OSS or Valkey) with TLS in transit required, encryption at rest and an AUTH
 * token from Secrets Manager. Cluster mode disabled by default (one primary and its replicas);
 * with `shards`, cluster mode enabled: the clients then run as cluster clients on the
 * configuration endpoint, and every key of a user carries the `{userId}` hash tag.
 * aws-cdk-lib has no stable L2 for ElastiCache, so this wraps the L1 replication group; access is
 * still granted through `connections`, never through hand-written rules.
 *
 * Named `SyncbellRedis`, not `Redis` (ioredis's client class, which a search for `Redis` would
 * otherwise turn up beside it); `SyncbellSocketIoService` still creates it with the construct id
 * `Redis`, which the logical IDs of the replication group and its parts derive from.
 */
export class SyncbellRedis extends Construct implements ec2.IConnectable {
  readonly connections: ec2.Connections;
  readonly securityGroup: ec2.SecurityGroup;
  readonly port: number;
  /** The AUTH token (`REDIS_AUTH_TOKEN`). */
  readonly authToken: secretsmanager.Secret;
  /** `rediss://host:port` of the primary endpoint, or in cluster mode the configuration endpoint (`REDIS_URL`). */
  readonly url: string;
  /** Cluster mode enabled (`REDIS_CLUSTER=true` in the tasks). */
  readonly cluster: boolean;
  readonly replicationGroup: elasticache.CfnReplicationGroup;
  /** `maxmemory-policy noeviction`: the replay log must fail loudly, never lose entries. */
  readonly parameterGroup: elasticache.CfnParameterGroup;
  /** Per shard: 1 + replicas node ids; with cluster mode disabled, one shard. */
  private readonly nodesPerShard: number;
  private readonly shards: number | undefined;

  constructor(scope: Construct, id: string, props: SyncbellRedisProps) {
    super(scope, id);
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'syncbell Redis: ingress only from the Socket.io service and worker',
      allowAllOutbound: false,
    });
    this.securityGroup = securityGroup;
    this.port = props.port;
    this.nodesPerShard = 1 + props.replicas;
    this.shards = props.shards;
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

    const engine = props.engine ?? 'redis';
    const engineVersion = props.engineVersion ?? DEFAULT_ENGINE_VERSION[engine];
    const cluster = props.shards !== undefined;
    // syncbell's own parameter group, one per mode, both with `maxmemory-policy noeviction`: the
    // default group's volatile-lru evicts keys that carry a TTL first under memory pressure, and
    // every replay-log entry carries one, so the log would lose notifications silently. With
    // noeviction a full node refuses the write instead (the publisher sees the error and the job
    // is retried), and the DatabaseMemoryUsagePercentage alarm warns first (ElastiCache user
    // guide, "Redis OSS-specific parameters": maxmemory-policy). Cluster mode enabled also needs
    // `cluster-enabled yes` (the defaults are `default.<family>.cluster.on`), and automatic
    // failover (AWS ElastiCache user guide, "Replication: Valkey and Redis OSS cluster mode
    // disabled vs. enabled"). The family follows the engine and its version.
    this.parameterGroup = cluster
      ? new elasticache.CfnParameterGroup(this, 'ClusterParameters', {
          description: `syncbell ${engine} ${engineVersion}, cluster mode enabled, never evict the replay log (maxmemory-policy noeviction)`,
          cacheParameterGroupFamily: parameterGroupFamily(engine, engineVersion),
          properties: { 'cluster-enabled': 'yes', 'maxmemory-policy': 'noeviction' },
        })
      : new elasticache.CfnParameterGroup(this, 'Parameters', {
          cacheParameterGroupFamily: parameterGroupFamily(engine, engineVersion),
          description: 'syncbell: never evict the replay log (maxmemory-policy noeviction)',
          properties: { 'maxmemory-policy': 'noeviction' },
        });

    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'Resource', {
      replicationGroupDescription: 'syncbell Socket.io adapter, replay log and job queue',
      engine,
      engineVersion,
      cacheNodeType: props.nodeType,
      port: props.port,
      ...(cluster
        ? { numNodeGroups: props.shards, replicasPerNodeGroup: props.replicas, clusterMode: 'enabled' }
        : { numCacheClusters: 1 + props.replicas }),
      automaticFailoverEnabled: cluster || props.multiAz,
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

    this.cluster = cluster;
    this.url = Fn.join('', [
      'rediss://',
      cluster
        ? this.replicationGroup.attrConfigurationEndPointAddress
        : this.replicationGroup.attrPrimaryEndPointAddress,
      ':',
      cluster
        ? this.replicationGroup.attrConfigurationEndPointPort
        : this.replicationGroup.attrPrimaryEndPointPort,
    ]);
  }

  /**
   * The ids of every node (`CacheClusterId`, the dimension of ElastiCache's node metrics). Cluster
   * mode disabled: `{replicationGroupId}-001`, `-002`, ... (ElastiCache user guide, "Finding
   * connection endpoints"). Cluster mode enabled: `{replicationGroupId}-{nodeGroupId}-{node}`, the
   * node groups numbered `0001` up (ElastiCache API reference, "NodeGroup": NodeGroupId), e.g.
   * `group-0002-001`. A failover changes which node is primary, not the ids.
   */
  nodeIds(): string[] {
    const node = (i: number) => String(i + 1).padStart(3, '0');
    const nodes = Array.from({ length: this.nodesPerShard }, (_, i) => node(i));
    if (this.shards === undefined) return nodes.map((n) => Fn.join('-', [this.replicationGroup.ref, n]));
    return Array.from({ length: this.shards }, (_, s) => String(s + 1).padStart(4, '0')).flatMap((shard) =>
      nodes.map((n) => Fn.join('-', [this.replicationGroup.ref, shard, n])),
    );
  }

  /**
   * The highest `DatabaseMemoryUsagePercentage` (used memory over `maxmemory`; ElastiCache user
   * guide, "Metrics for Redis OSS") over the group's nodes, every node watched (a failover changes
   * which one is primary; in cluster mode each shard holds its own users' logs). An alarm on a
   * metric math expression reads at most 10 metrics (CloudWatch user guide, "Limits that apply to
   * alarms based on metric math expressions"), so the nodes come in groups of up to 10, one
   * expression (one alarm) each: one for the defaults (2 nodes, or 3 shards x 2 in cluster mode).
   */
  memoryUsagePercent(period: Duration = Duration.minutes(5)): cloudwatch.IMetric[] {
    const ids = this.nodeIds();
    return Array.from({ length: Math.ceil(ids.length / MAX_ALARM_METRICS) }, (_, group) => {
      const usingMetrics = Object.fromEntries(
        ids.slice(group * MAX_ALARM_METRICS, (group + 1) * MAX_ALARM_METRICS).map((id, i) => [
          `node${group * MAX_ALARM_METRICS + i + 1}`,
          new cloudwatch.Metric({
            namespace: 'AWS/ElastiCache',
            metricName: 'DatabaseMemoryUsagePercentage',
            dimensionsMap: { CacheClusterId: id },
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
    });
  }
}
