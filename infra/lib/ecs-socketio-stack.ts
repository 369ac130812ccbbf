import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { type EcsSocketIoConfig, type EcsSocketIoOptions, resolveEcsSocketIoConfig } from './config.js';
import { SyncbellSocketIoService } from './socketio-service.js';

export interface EcsSocketIoStackProps extends StackProps {
  /** Every knob, documented in `config.ts`. @default all defaults */
  options?: EcsSocketIoOptions;
}

/**
 * The Socket.io variant as a demo stack: `SyncbellSocketIoService` creating everything (a VPC in 2
 * AZs, the cluster, Fargate servers behind a new ALB, the worker, ElastiCache Redis with TLS, AUTH
 * and Multi-AZ, the JWT secret, the alarm topic), with its URL and secrets as outputs.
 */
export class EcsSocketIoStack extends Stack {
  readonly config: EcsSocketIoConfig;
  readonly socketIo: SyncbellSocketIoService;

  constructor(scope: Construct, id: string, props: EcsSocketIoStackProps = {}) {
    super(scope, id, {
      description: 'syncbell: Socket.io on ECS Fargate behind an ALB, joined by ElastiCache Redis',
      ...props,
    });
    // Validated here first, so that a bad context value is reported under its context key.
    this.config = resolveEcsSocketIoConfig(props.options ?? {});
    this.socketIo = new SyncbellSocketIoService(this, 'SocketIo', this.config);

    new CfnOutput(this, 'SocketIoUrl', {
      description: 'Socket.io endpoint (SDK `url`; syncbell smoke --url)',
      value: this.socketIo.url ?? '',
    });
    new CfnOutput(this, 'JwtSecretArn', {
      description: 'Secret that signs client tokens',
      value: this.socketIo.jwtSecret.secretArn,
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.socketIo.alarmTopic.topicArn });
  }
}
