import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, isWireError } from '@syncbell/contract';
import type { SyncbellLogger } from '../../src/attach/attach.js';
import { HTTP_STATUS_OF } from '@syncbell/server';
import { HttpRequestError, sendError } from './respond.js';

export interface Route {
  method: 'GET' | 'POST';
  path: string;
  handle(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
}

export interface RouterOptions {
  routes: Route[];
  /** Requests left to another listener of the same server (socket.io's path). */
  skip?: (req: IncomingMessage) => boolean;
  logger: SyncbellLogger;
}

/**
 * A `request` listener serving `routes` by exact path: 405 for a known path with another method,
 * 404 otherwise. A handler's `HttpRequestError` (or any `SyncbellError` with a wire code) is
 * answered with its code and status; anything else is logged and answered 500. Hand-written: a handful of fixed
 * paths on Node's own server, which a router library would not shorten.
 */
export function createRouter({ routes, skip, logger }: RouterOptions) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (skip?.(req)) return;
    const path = (req.url ?? '/').split('?')[0];
    const onPath = routes.filter((route) => route.path === path);
    const route = onPath.find((candidate) => candidate.method === req.method);
    if (!route) {
      const methods = onPath.map((r) => r.method);
      if (methods.length > 0)
        sendError(res, { code: ErrorCode.BadRequest, message: `use ${methods.join(' or ')}` }, 405, {
          allow: methods.join(', '),
        });
      else sendError(res, { code: ErrorCode.BadRequest, message: 'not found' }, 404);
      return;
    }
    Promise.resolve()
      .then(() => route.handle(req, res))
      .catch((error: unknown) => {
        if (res.headersSent) return;
        if (error instanceof HttpRequestError) return sendError(res, error.toFrame(), error.status);
        if (isWireError(error)) return sendError(res, error.toFrame(), HTTP_STATUS_OF[error.code]);
        logger.error({ err: (error as Error).message, path }, 'request failed');
        sendError(res, { code: ErrorCode.Internal, message: 'the request failed; retry' });
      });
  };
}
