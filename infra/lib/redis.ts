import { Fn, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { acknowledge } from './nag.js';
import { Construct } from 'constructs';

export interface RedisProps {
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
 */
export class Redis extends Construct implements ec2.IConnectable {
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

  constructor(scope: Construct, id: string, props: RedisProps) {
    super(scope, id);
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'syncbell Redis: ingress only from the Socket.io service and worker',
      allowAllOutbound: false,
    });
    this.securityGroup = securityGroup;
    this.port = props.port;
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
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
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
    // Cluster mode enabled needs a parameter group with `cluster-enabled yes` (the defaults are
    // `default.<family>.cluster.on`). syncbell's own group, so that other parameters can be added
    // to it; in cluster mode automatic failover is required (AWS ElastiCache user guide,
    // "Replication: Valkey and Redis OSS cluster mode disabled vs. enabled").
    const parameterGroup = cluster
      ? new elasticache.CfnParameterGroup(this, 'ClusterParameters', {
          description: `syncbell ${engine} ${engineVersion}, cluster mode enabled`,
          cacheParameterGroupFamily: parameterGroupFamily(engine, engineVersion),
          properties: { 'cluster-enabled': 'yes' },
        })
      : undefined;

    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'Resource', {
      replicationGroupDescription: 'syncbell Socket.io adapter, replay log and job queue',
      engine,
      engineVersion,
      cacheNodeType: props.nodeType,
      port: props.port,
      ...(cluster && parameterGroup
        ? {
            numNodeGroups: props.shards,
            replicasPerNodeGroup: props.replicas,
            clusterMode: 'enabled',
            cacheParameterGroupName: parameterGroup.ref,
          }
        : { numCacheClusters: 1 + props.replicas }),
      automaticFailoverEnabled: cluster || props.multiAz,
      multiAzEnabled: props.multiAz,
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      atRestEncryptionEnabled: true,
      // Rendered as a CloudFormation dynamic reference: the token never appears in the template.
      authToken: this.authToken.secretValue.unsafeUnwrap(),
      cacheSubnetGroupName: subnetGroup.ref,
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
}
