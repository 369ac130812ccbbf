import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  TargetHealthStateEnum,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Logger } from 'pino';
import { TaskMetadataError } from '../src/errors.js';
import { delay } from './jobs.js';

export interface DeregistrationWatchOptions {
  targetGroupArn: string;
  /** `ECS_CONTAINER_METADATA_URI_V4`. */
  metadataUri: string;
  /** The container port the target is registered on (awsvpc: the target is the task's IP and this port). */
  port: number;
  pollIntervalMs: number;
  /** Called once, when the target is first seen `draining`. */
  onDraining(): void;
  logger: Pick<Logger, 'warn' | 'info'>;
  /** @default a client for the Region, or for `endpoint` */
  client?: ElasticLoadBalancingV2Client;
  /** The ELB API endpoint (the local stack's stand-in). @default the Region's */
  endpoint?: string;
}

export interface DeregistrationWatch {
  stop(): void;
}

/**
 * The task's own IP (awsvpc: the address its target is registered with), from the ECS task
 * metadata endpoint v4's `/task` (ECS developer guide, "Amazon ECS task metadata v4 JSON response
 * for tasks on Fargate": `Containers[].Networks[].IPv4Addresses`).
 */
export async function taskAddress(metadataUri: string): Promise<string> {
  const response = await fetch(`${metadataUri}/task`, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new TaskMetadataError(`task metadata answered HTTP ${response.status}`);
  const task = (await response.json()) as {
    Containers?: { Networks?: { IPv4Addresses?: string[] }[] }[];
  };
  for (const container of task.Containers ?? [])
    for (const network of container.Networks ?? []) {
      const ip = network.IPv4Addresses?.[0];
      if (ip) return ip;
    }
  throw new TaskMetadataError('task metadata has no IPv4 address');
}

/**
 * Learns that this task is being stopped while its connections are still open. ECS deregisters
 * the task from the target group first and sends SIGTERM only once the target is `unused`, after
 * the deregistration delay, when the ALB has closed every connection still open (ECS developer
 * guide, "Optimize load balancer connection draining parameters"): a drain that starts on
 * SIGTERM drains nobody. So the container asks ELB for its own target's health, as
 * awslabs/nlb-sidecar-for-ecs does, and calls `onDraining` when it is `draining`
 * (`Target.DeregistrationInProgress`). DescribeTargetHealth supports no resource-level
 * permissions (Service Authorization Reference, "Actions, resources, and condition keys for
 * Elastic Load Balancing V2"): the task role grants it on "*".
 * Errors (throttling, a network blip) are logged and the next poll tries again; the SIGTERM drain
 * still runs if the watch never sees `draining`.
 */
export function watchDeregistration(options: DeregistrationWatchOptions): DeregistrationWatch {
  const client =
    options.client ??
    new ElasticLoadBalancingV2Client(options.endpoint ? { endpoint: options.endpoint } : {});
  let stopped = false;
  const stopping = new AbortController();
  const loop = async () => {
    let ip: string | undefined;
    while (!stopped) {
      try {
        ip ??= await taskAddress(options.metadataUri);
        const answer = await client.send(
          new DescribeTargetHealthCommand({
            TargetGroupArn: options.targetGroupArn,
            Targets: [{ Id: ip, Port: options.port }],
          }),
        );
        const state = answer.TargetHealthDescriptions?.[0]?.TargetHealth?.State;
        if (state === TargetHealthStateEnum.DRAINING || state === TargetHealthStateEnum.UNHEALTHY_DRAINING) {
          options.logger.info({ ip, port: options.port }, 'target is draining: moving clients');
          stopped = true;
          options.onDraining();
          return;
        }
      } catch (error) {
        options.logger.warn({ err: (error as Error).message }, 'DescribeTargetHealth failed; retrying');
      }
      await delay(options.pollIntervalMs, stopping.signal);
    }
  };
  void loop();
  return {
    stop() {
      stopped = true;
      stopping.abort();
      if (!options.client) client.destroy();
    },
  };
}
