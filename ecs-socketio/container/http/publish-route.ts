import { ErrorCode } from '@syncbell/contract';
import {
  apiKeyCheck,
  MAX_PUBLISH_BODY_BYTES,
  PUBLISH_API_KEY_HEADER,
  type PublishInput,
  type Publisher,
  refusePublishCredential,
} from '@syncbell/server';
import { createWindowCounter } from '../../src/fixed-window.js';
import { readJsonBody, sendError, sendJson } from './respond.js';
import type { Route } from './router.js';

export const PUBLISH_PATH = '/v1/publish';

export interface PublishRouteOptions {
  /** Server credentials a backend presents in `x-api-key`; never an end user's token. */
  apiKeys: readonly string[];
  /** The one publisher (`createSocketIoPublisher`). */
  publisher: Publisher;
  /** Publishes per second this server accepts, over every key; more are answered 429 (refused credentials count for nothing). */
  maxPerSecond: number;
  /** Told of every notification published (not of duplicates). */
  onPublished(): void;
}

/**
 * `POST /v1/publish` for backends in any language: the body is the publisher's input
 * (`{ userId, type, jobId, idempotencyKey?, data? }`), answered `{ id, duplicate }`. Idempotent by
 * `jobId` (or `idempotencyKey`) as the publisher is: a retried request publishes nothing new.
 */
export function publishRoute({ apiKeys, publisher, maxPerSecond, onPublished }: PublishRouteOptions): Route {
  const isServerKey = apiKeyCheck(apiKeys);
  // One window for the whole route: it protects Redis from a runaway backend, whoever it is.
  const perSecond = createWindowCounter();
  return {
    method: 'POST',
    path: PUBLISH_PATH,
    async handle(req, res) {
      // The credential first: a refused request is not counted, so callers without a
      // key cannot starve the backends that have one.
      const presented = req.headers[PUBLISH_API_KEY_HEADER];
      const refusal = refusePublishCredential({
        accepted: isServerKey(typeof presented === 'string' ? presented : undefined),
        authorization: req.headersDistinct.authorization,
        accepts: `a server API key (PUBLISH_API_KEYS) in ${PUBLISH_API_KEY_HEADER}`,
      });
      if (refusal) return sendError(res, refusal.body, refusal.status);
      if (perSecond.take() > maxPerSecond)
        return sendError(
          res,
          { code: ErrorCode.RateLimited, message: `more than ${maxPerSecond} publishes per second` },
          429,
          { 'retry-after': '1' },
        );
      const input = (await readJsonBody(req, MAX_PUBLISH_BODY_BYTES)) as PublishInput;
      // An input the contract refuses throws PublishInputError (400) or PayloadTooLargeError (413),
      // a reused key with another payload IdempotencyConflictError (409): the router answers them
      // with their code.
      const receipt = await publisher.publish(input);
      if (!receipt.duplicate) onPublished();
      sendJson(res, 200, receipt);
    },
  };
}
