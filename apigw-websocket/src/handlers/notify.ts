import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { ConfigError } from '@syncbell/server';
import {
  createNotification,
  jobIdSchema,
  MAX_SYNC_JOB_DURATION_MS,
  NOTIFICATION_TYPES,
  userIdSchema,
} from '@syncbell/contract';
import { getManagementClient } from '../clients.js';
import type { ApigwConfig } from '../config.js';
import { type PublishResult, publishOnce } from '../notify/publish.js';
import type { Telemetry } from '../observability.js';
import { getRuntime, lambdaHandler } from '../runtime.js';

/**
 * What `notify` is invoked with (asynchronously, by the jobs handler or any backend job).
 * `delayMs` stands in for the demo sync job's work: the job "runs" inside this invocation and
 * publishes when it is done, so the HTTP request that started it answered long ago.
 */
export const notifyEventSchema = z
  .object({
    userId: userIdSchema,
    /** Unique per job: a job notifies once, however often its notify event is delivered. */
    jobId: jobIdSchema,
    type: z.enum(NOTIFICATION_TYPES),
    data: z.record(z.string(), z.unknown()).optional(),
    /** The demo job's wait, at most the contract's cap (which notify's 90 s timeout leaves room for). */
    delayMs: z.number().int().min(0).max(MAX_SYNC_JOB_DURATION_MS).default(0),
  })
  .strict();
export type NotifyEvent = z.input<typeof notifyEventSchema>;

export interface NotifyDeps {
  ddb: DynamoDBDocumentClient;
  management: ApiGatewayManagementApiClient;
  config: ApigwConfig;
  telemetry: Telemetry;
  /** @default setTimeout-based sleep */
  sleep?: (ms: number) => Promise<void>;
}

export interface NotifyResult extends PublishResult {
  notificationId: string;
  /** True when an earlier invocation claimed the job (this one re-posted its notification). */
  duplicate: boolean;
}

export function createNotifyHandler(deps: () => NotifyDeps): (event: unknown) => Promise<NotifyResult> {
  return async (rawEvent) => {
    const event = notifyEventSchema.parse(rawEvent);
    const resolved = deps();
    const sleep = resolved.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    if (event.delayMs > 0) await sleep(event.delayMs);
    // A retried or twice-delivered invoke publishes the envelope the first attempt claimed.
    const { notification, ...result } = await publishOnce(
      {
        ddb: resolved.ddb,
        management: resolved.management,
        config: resolved.config,
        telemetry: resolved.telemetry,
      },
      createNotification({
        type: event.type,
        userId: event.userId,
        jobId: event.jobId,
        ...(event.data === undefined ? {} : { data: event.data }),
      }),
    );
    return { notificationId: notification.id, ...result };
  };
}

export const handler = lambdaHandler(
  createNotifyHandler(() => {
    const runtime = getRuntime();
    const endpoint = runtime.config.managementEndpoint;
    // notify has no request context to derive the endpoint from.
    if (endpoint === undefined) throw new ConfigError('notify needs WEBSOCKET_MANAGEMENT_ENDPOINT');
    return {
      ddb: runtime.ddb,
      management: getManagementClient(endpoint),
      config: runtime.config,
      telemetry: runtime.telemetry,
    };
  }),
);
