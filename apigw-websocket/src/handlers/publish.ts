import { z } from 'zod';
import {
  apiKeyCheck,
  ConfigError,
  PUBLISH_API_KEY_HEADER,
  type Publisher,
  HTTP_STATUS_OF,
  MAX_PUBLISH_BODY_BYTES,
  refusePublishCredential,
} from '@syncbell/server';
import { ErrorCode, isWireError, PayloadTooLargeError } from '@syncbell/contract';
import { type HttpResult, headerValue, jsonResult } from '../events.js';
import type { Telemetry } from '../observability.js';
import { createApiGwPublisher } from '../publisher.js';
import { getRuntime, lambdaHandler } from '../runtime.js';

export { MAX_PUBLISH_BODY_BYTES, PUBLISH_API_KEY_HEADER };

/**
 * The parts of the HTTP API (payload 2.0) event the route reads. `requestContext.authorizer.iam`
 * is filled by API Gateway when the route's `AWS_IAM` authorizer verified the caller's SigV4
 * signature; a caller cannot set it on AWS.
 */
const publishEventSchema = z.object({
  headers: z.record(z.string(), z.string().optional()).nullish(),
  body: z.string().nullish(),
  isBase64Encoded: z.boolean().optional(),
  requestContext: z
    .object({
      authorizer: z
        .object({
          iam: z
            .object({ userArn: z.string().min(1), accountId: z.string().optional() })
            .loose()
            .optional(),
        })
        .loose()
        .nullish(),
    })
    .loose()
    .optional(),
});

export interface PublishRouteDeps {
  /** The one publish path (`createApiGwPublisher`): claim, log, post. */
  publisher: Publisher;
  telemetry: Telemetry;
  /** Accepted in `x-api-key` (`PUBLISH_API_KEYS`), compared in constant time. @default [] (no key accepted) */
  apiKeys?: readonly string[];
  /**
   * Whether `requestContext.authorizer.iam` proves the caller: true only on AWS, where API Gateway
   * alone builds the request context. serverless-offline verifies no SigV4 and lets any caller set
   * the authorizer context (its `sls-offline-authorizer-override` header), so locally only the key counts.
   */
  trustIamContext: boolean;
}

/**
 * `POST /v1/publish`: the HTTP face of the publisher, for backends in any language. The body is
 * the publisher's input (`{ userId, type, jobId, idempotencyKey?, data? }`); the answer is its
 * receipt, `200 { id, duplicate }`. Authenticated with a server credential, never an end user's
 * token: IAM (SigV4, verified by API Gateway's `AWS_IAM` authorizer) on AWS, or the publish API key.
 * Idempotent by `jobId` (or `idempotencyKey`): a retry answers the first publish's id, `duplicate: true`.
 */
export function createPublishHandler(deps: () => PublishRouteDeps): (event: unknown) => Promise<HttpResult> {
  return async (rawEvent) => {
    const { publisher, telemetry, apiKeys = [], trustIamContext } = deps();
    const event = publishEventSchema.safeParse(rawEvent);
    if (!event.success) return jsonResult(400, { code: ErrorCode.BadRequest, message: 'malformed request' });
    const { headers, requestContext } = event.data;

    const iam = trustIamContext ? requestContext?.authorizer?.iam : undefined;
    const byKey = apiKeyCheck(apiKeys)(headerValue(headers, PUBLISH_API_KEY_HEADER));
    const refusal = refusePublishCredential({
      accepted: iam !== undefined || byKey,
      authorization: headerValue(headers, 'authorization'),
      accepts:
        apiKeys.length === 0 && !trustIamContext
          ? 'this stack accepts none: set PUBLISH_API_KEYS (or deploy the route with IAM auth)'
          : `sign the request with SigV4 (IAM) or send the publish API key in ${PUBLISH_API_KEY_HEADER}`,
    });
    if (refusal) return jsonResult(refusal.status, refusal.body);

    const raw = event.data.body ?? '';
    const text = event.data.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > MAX_PUBLISH_BODY_BYTES)
      return jsonResult(413, new PayloadTooLargeError(bytes, MAX_PUBLISH_BODY_BYTES).toFrame());
    let input: unknown;
    try {
      input = JSON.parse(text);
    } catch {
      return jsonResult(400, { code: ErrorCode.BadRequest, message: 'body is not valid JSON' });
    }
    try {
      // The publisher validates the input (the contract's schema) before it writes anything.
      const receipt = await publisher.publish(input as Parameters<Publisher['publish']>[0]);
      telemetry.logger.info('published', {
        id: receipt.id,
        duplicate: receipt.duplicate,
        caller: iam?.userArn ?? 'api-key',
      });
      return jsonResult(200, receipt);
    } catch (error) {
      // The input refused (400), too large (413), or a reused key with another payload (409).
      if (isWireError(error)) return jsonResult(HTTP_STATUS_OF[error.code], error.toFrame());
      telemetry.logger.error('publish failed', { error });
      return jsonResult(500, { code: ErrorCode.Internal, message: 'publish failed; it is safe to retry' });
    }
  };
}

let publisher: Publisher | undefined;

export const handler = lambdaHandler(
  createPublishHandler(() => {
    const runtime = getRuntime();
    const endpoint = runtime.config.managementEndpoint;
    // Like notify: an HTTP API request context names the HTTP API, not the WebSocket stage.
    if (endpoint === undefined) throw new ConfigError('publish needs WEBSOCKET_MANAGEMENT_ENDPOINT');
    publisher ??= createApiGwPublisher({
      managementEndpoint: endpoint,
      ddb: runtime.ddb,
      management: runtime.management(endpoint),
      telemetry: runtime.telemetry,
      connectionsTable: runtime.config.connectionsTable,
      notificationsTable: runtime.config.notificationsTable,
      connectionsByUserIndex: runtime.config.connectionsByUserIndex,
      replayTtlSeconds: runtime.config.replayTtlSeconds,
      notifyConcurrency: runtime.config.notifyConcurrency,
    });
    return {
      publisher,
      telemetry: runtime.telemetry,
      apiKeys: runtime.config.publishApiKeys,
      trustIamContext: runtime.config.nodeEnv === 'production',
    };
  }),
);
