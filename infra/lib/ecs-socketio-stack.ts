import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AlarmTopic } from './alarm-topic.js';
import { type EcsSocketIoConfig, type EcsSocketIoOptions, resolveEcsSocketIoConfig } from './config.js';
import { JwtSecret } from './jwt-secret.js';
import { Network } from './network.js';
import { Redis } from './redis.js';
import { SocketIoImage } from './socketio-image.js';
import { SocketIoService } from './socketio-service.js';

export interface EcsSocketIoStackProps extends StackProps {
  /** Every knob, documented in `config.ts`. @default all defaults */
  options?: EcsSocketIoOptions;
}

/**
 * The Socket.io variant: VPC (2 AZs), Fargate servers behind an ALB, the worker, and
 * ElastiCache Redis (TLS, AUTH, Multi-AZ) joining them.
 *
 * Container environment (see `socketIoEnvironment`): NODE_ENV=production, PORT, METRICS_PORT,
 * REDIS_URL (`rediss://`), REDIS_ADAPTER, WORKER_PUBLISH, ALLOW_POLLING, PING_INTERVAL_MS, PING_TIMEOUT_MS,
 * DRAIN_TIMEOUT_MS, LOG_LEVEL, CORS_ORIGINS; from Secrets Manager: JWT_SECRET, REDIS_AUTH_TOKEN.
 * CONTAINER_ID is unset (the server uses the task's hostname).
 */
export class EcsSocketIoStack extends Stack {
  readonly config: EcsSocketIoConfig;
  readonly network: Network;
  readonly redis: Redis;
  readonly socketIo: SocketIoService;

  constructor(scope: Construct, id: string, props: EcsSocketIoStackProps = {}) {
    super(scope, id, {
      description: 'syncbell: Socket.io on ECS Fargate behind an ALB, joined by ElastiCache Redis',
      ...props,
    });
    const config = resolveEcsSocketIoConfig(props.options ?? {});
    this.config = config;

    this.network = new Network(this, 'Network', {
      maxAzs: config.maxAzs,
      natGateways: config.natGateways,
      logRetentionDays: config.logRetentionDays,
      retainLogs: config.retainData,
    });
    this.redis = new Redis(this, 'Redis', {
      vpc: this.network.vpc,
      nodeType: config.redisNodeType,
      engineVersion: config.redisEngineVersion,
      replicas: config.redisReplicas,
      multiAz: config.redisMultiAz,
      port: config.redisPort,
      snapshotRetentionDays: config.redisSnapshotRetentionDays,
      retain: config.retainData,
    });
    const jwt = new JwtSecret(this, 'JwtSecret', {
      existingSecretName: config.jwtSecretName,
      retain: config.retainData,
    });
    const alarms = new AlarmTopic(this, 'Alarms', { email: config.alarmEmail });
    const image = new SocketIoImage(this, 'Image', { cpuArchitecture: config.cpuArchitecture });

    this.socketIo = new SocketIoService(this, 'SocketIo', {
      vpc: this.network.vpc,
      config,
      image: image.image,
      redis: this.redis,
      jwtSecret: jwt.secret,
      alarms,
    });

    new CfnOutput(this, 'SocketIoUrl', {
      description: 'Socket.io endpoint (SDK `url`; syncbell smoke --url)',
      value: this.socketIo.url,
    });
    new CfnOutput(this, 'JwtSecretArn', {
      description: 'Secret that signs client tokens',
      value: jwt.secret.secretArn,
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topic.topicArn });
  }
}
