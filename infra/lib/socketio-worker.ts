import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';
import type { EcsSocketIoConfig } from './config.js';
import { stackLogGroup } from './log-group.js';
import { acknowledge } from './nag.js';
import type { SyncbellRedisEndpoint } from './socketio-props.js';
import {
  containerDefaults,
  ENV_SUPPRESSION,
  EXECUTION_ROLE_WILDCARD,
  taskSecurityGroup,
} from './socketio-task.js';

export interface SocketIoWorkerProps {
  config: EcsSocketIoConfig;
  vpc: ec2.IVpc;
  cluster: ecs.ICluster;
  image: ecs.ContainerImage;
  command: string[] | undefined;
  cpuArchitecture: ecs.CpuArchitecture;
  /** The server's environment with the worker's own over it (`PORT` is dropped: the worker serves no HTTP). */
  environment: Record<string, string>;
  secrets: Record<string, ecs.Secret>;
  redis: SyncbellRedisEndpoint;
  serviceDefaults: Partial<ecs.FargateServiceProps>;
}

/**
 * The worker of `SyncbellSocketIoService`: its own Fargate service (`workerCount` tasks, no load
 * balancer) that runs the queued sync jobs and publishes their notifications through Redis.
 *
 * A helper, not a sub-construct: it creates its resources in the scope it is given (the service's),
 * so that their construct paths, and with them their CloudFormation logical IDs, stay those of the
 * stacks deployed before the split (a changed logical ID replaces the resource;
 * test/infra/socketio-logical-ids.test.ts holds them). A construct in between would add a path level
 * to every ID, and `overrideLogicalId` would have to pin each resource CDK creates underneath
 * (security-group rules named after their peer's path included), one by one.
 */
export class SocketIoWorker {
  readonly service: ecs.FargateService;

  constructor(scope: Construct, props: SocketIoWorkerProps) {
    const { config } = props;
    const taskDefinition = new ecs.FargateTaskDefinition(scope, 'WorkerTask', {
      cpu: config.workerTaskCpu,
      memoryLimitMiB: config.workerTaskMemoryMiB,
      runtimePlatform: {
        cpuArchitecture: props.cpuArchitecture,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    const workerLogs = stackLogGroup(scope, 'WorkerLogs', {
      retentionDays: config.logRetentionDays,
      retain: config.retainData,
    });
    // The worker serves no HTTP, so it has no port and no health check: it exits on a fatal error
    // and the service starts a new one.
    const { PORT: _port, ...environment } = props.environment;
    taskDefinition.addContainer('worker', {
      image: props.image,
      command: props.command,
      environment,
      secrets: props.secrets,
      logging: ecs.LogDrivers.awsLogs({ logGroup: workerLogs, streamPrefix: 'worker' }),
      ...containerDefaults(config),
    });
    acknowledge(taskDefinition, [ENV_SUPPRESSION, EXECUTION_ROLE_WILDCARD]);

    // The description once said "emitter worker". GroupDescription cannot be updated in place:
    // the new words REPLACE this security group on the next deploy of a stack created before (same
    // logical ID, a new group; AWS CloudFormation user guide, "AWS::EC2::SecurityGroup",
    // GroupDescription: "Update requires: Replacement"). Nothing reaches the worker (no ingress
    // rule names this group), so what moves is this stack's own: CloudFormation creates the new
    // group, re-points the Redis ingress rule and the worker service at it (a rolling deployment
    // of the worker, as for a new image: queued jobs wait in Redis, the old task finishes the job in
    // hand on SIGTERM, or another worker takes it over after its visibility timeout), then deletes
    // the old group. Accepted as the price of words that say what the group holds.
    const securityGroup = taskSecurityGroup(scope, 'WorkerSecurityGroup', {
      vpc: props.vpc,
      description: 'syncbell worker (runs sync jobs, publishes notifications): no ingress',
      redis: props.redis,
    });
    this.service = new ecs.FargateService(scope, 'Worker', {
      ...props.serviceDefaults,
      cluster: props.cluster,
      taskDefinition,
      desiredCount: config.workerCount,
      securityGroups: [securityGroup],
    });
  }
}
