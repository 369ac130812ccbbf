import { createServer, type Server as HttpServer } from 'node:http';
import { ErrorCode } from '@syncbell/contract';
import type { Registry } from 'prom-client';
import type { SyncbellLogger } from '../src/attach/attach.js';
import { sendError } from './http/respond.js';

/**
 * `GET /metrics` (Prometheus text) on a listener of its own, never on the public port: the ALB
 * forwards every path of that one to anyone. Everything else is 404.
 */
export function createMetricsListener(registry: Registry, logger: SyncbellLogger): HttpServer {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics')
      return sendError(res, { code: ErrorCode.BadRequest, message: 'not found (GET /metrics)' }, 404);
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(text);
      },
      (error: unknown) => {
        logger.warn({ err: (error as Error).message }, 'could not collect metrics');
        sendError(res, { code: ErrorCode.Internal, message: 'could not collect metrics' });
      },
    );
  });
}
