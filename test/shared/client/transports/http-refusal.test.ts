import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../shared/contract/index.js';
import { httpRefusal, retryAfterMsFrom } from '../../../../shared/client/transports/http-refusal.js';

/** engine.io-client's polling error: the status, and the request whose headers can be read. */
const pollingError = (status: number, headers: Record<string, string> = {}) => ({
  message: 'xhr poll error',
  description: status,
  context: { getResponseHeader: (name: string) => headers[name.toLowerCase()] ?? null },
});

describe('retryAfterMsFrom', () => {
  it('reads delay-seconds and an HTTP-date (RFC 9110 §10.2.3), nothing else', () => {
    expect(retryAfterMsFrom('3')).toBe(3000);
    expect(retryAfterMsFrom(' 0 ')).toBe(0);
    const now = Date.parse('Sun, 06 Dec 2026 07:00:00 GMT');
    expect(retryAfterMsFrom('Sun, 06 Dec 2026 07:00:02 GMT', now)).toBe(2000);
    expect(retryAfterMsFrom('Sun, 06 Dec 2026 06:59:00 GMT', now)).toBe(0);
    for (const bad of ['-1', '1.5', 'soon', '', null, undefined, 3])
      expect(retryAfterMsFrom(bad)).toBeUndefined();
  });
});

describe('httpRefusal', () => {
  it('turns a 503 with Retry-After on the handshake into rate_limited with the hint', () => {
    expect(httpRefusal(pollingError(503, { 'retry-after': '2' }))).toMatchObject({
      code: ErrorCode.RateLimited,
      reconnect: true,
      retryAfterMs: 2000,
    });
  });

  it('takes a 429 as rate_limited with or without a hint', () => {
    expect(httpRefusal(pollingError(429))).toMatchObject({ code: ErrorCode.RateLimited, reconnect: true });
    expect(httpRefusal(pollingError(429))?.retryAfterMs).toBeUndefined();
  });

  it('leaves a 503 without a readable Retry-After (a WebSocket, an unexposed CORS header, a load balancer with no target) to the backoff', () => {
    expect(httpRefusal(pollingError(503))).toBeUndefined();
    const unexposed = {
      description: 503,
      context: {
        getResponseHeader: () => {
          throw new Error('Refused to get unsafe header "Retry-After"');
        },
      },
    };
    expect(httpRefusal(unexposed)).toBeUndefined();
    // Node's ws names the status in its message; the header is not exposed.
    expect(httpRefusal({ description: { message: 'Unexpected server response: 503' } })).toBeUndefined();
    expect(httpRefusal({ description: { message: 'Unexpected server response: 429' } })).toMatchObject({
      code: ErrorCode.RateLimited,
    });
  });

  it('is undefined for anything that is not a refusal', () => {
    expect(httpRefusal(pollingError(400))).toBeUndefined();
    expect(httpRefusal({ message: 'websocket error', description: {} })).toBeUndefined();
    expect(httpRefusal({})).toBeUndefined();
  });
});
