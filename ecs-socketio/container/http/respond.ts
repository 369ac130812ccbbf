import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, type ErrorFrameBody, SyncbellError } from '@syncbell/contract';
import { HTTP_STATUS_OF } from '@syncbell/server';

/** A request refused with a contract error code; answered with its status (`HTTP_STATUS_OF` unless given). */
export class HttpRequestError extends SyncbellError {
  override readonly name = 'HttpRequestError';
  readonly status: number;
  constructor(code: ErrorCode, message: string, options?: { status?: number; cause?: unknown }) {
    super(code, message, options);
    this.status = options?.status ?? HTTP_STATUS_OF[code];
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

/** Answers an error frame body with `status` (default: the code's, from `HTTP_STATUS_OF`). */
export function sendError(
  res: ServerResponse,
  body: ErrorFrameBody,
  status = HTTP_STATUS_OF[body.code],
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { code: body.code, message: body.message }, headers);
}

/**
 * The request body as JSON, at most `maxBytes` (an empty body is `{}`). Refuses with
 * `payload_too_large` (413) as soon as the limit is passed, without reading the rest, and
 * `bad_request` (400) for anything that is not JSON. Hand-written: 20 lines for the only body
 * format the routes take, instead of a framework's body parser.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes)
    throw new HttpRequestError(ErrorCode.PayloadTooLarge, `body is larger than ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes)
      throw new HttpRequestError(ErrorCode.PayloadTooLarge, `body is larger than ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new HttpRequestError(ErrorCode.BadRequest, 'body is not valid JSON', { cause: error });
  }
}
