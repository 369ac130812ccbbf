import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { type HttpRequestError, readJsonBody } from '../../../../ecs-socketio/container/http/respond.js';
import { ErrorCode } from '../../../../shared/contract/index.js';
import { HTTP_STATUS_OF } from '../../../../shared/server/index.js';

const request = (chunks: string[], headers: Record<string, string> = {}) =>
  Object.assign(Readable.from(chunks.map((c) => Buffer.from(c))), { headers }) as unknown as IncomingMessage;

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: HttpRequestError) => ({ code: error.code, status: error.status }),
  );

describe('readJsonBody', () => {
  it('parses a JSON body, and reads an empty one as {}', async () => {
    expect(await readJsonBody(request(['{"a":', '1}']), 100)).toEqual({ a: 1 });
    expect(await readJsonBody(request([]), 100)).toEqual({});
  });

  it('refuses a body that is not JSON with bad_request (400)', async () => {
    expect(await refusal(readJsonBody(request(['{nope']), 100))).toEqual({
      code: ErrorCode.BadRequest,
      status: 400,
    });
  });

  it('refuses a body over the limit with payload_too_large (413), streamed or declared', async () => {
    expect(await refusal(readJsonBody(request(['x'.repeat(60), 'x'.repeat(60)]), 100))).toEqual({
      code: ErrorCode.PayloadTooLarge,
      status: 413,
    });
    expect(await refusal(readJsonBody(request([], { 'content-length': '101' }), 100))).toEqual({
      code: ErrorCode.PayloadTooLarge,
      status: 413,
    });
  });
});

describe('HTTP_STATUS_OF', () => {
  it('gives every contract error code a status', () => {
    for (const code of Object.values(ErrorCode)) expect(HTTP_STATUS_OF[code]).toBeGreaterThanOrEqual(400);
  });
});
