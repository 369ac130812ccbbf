import { describe, expect, it } from 'vitest';
import { WebSocket as WsWebSocket } from 'ws';
import {
  APIGW_IDLE_TIMEOUT_MS,
  apigwCloseReason,
  type EventTargetLike,
  type WebSocketConstructorLike,
} from '../../../../shared/client/apigw.js';
import * as helpers from '../../../../shared/client/transports/apigw-helpers.js';
import { CloseCode, createNotification, ErrorCode } from '../../../../shared/contract/index.js';
import { jwtFor } from '../../../support/storage.js';
import { withCode } from '../../../support/errors.js';
import { ClientErrorCode } from '../../../../shared/client/index.js';

const target = (): EventTargetLike => ({ addEventListener() {}, removeEventListener() {} });
const FakeWebSocket = class {} as unknown as WebSocketConstructorLike;

describe('resolveApigwTiming', () => {
  it('fills the defaults: a 5-minute keep-alive, a 10 s pong deadline, rotation at 1 h 58 min', () => {
    expect(helpers.resolveApigwTiming({})).toEqual({
      keepAliveIntervalMs: 300_000,
      pongTimeoutMs: 10_000,
      maxConnectionAgeMs: 7_080_000,
      resumeTimeoutMs: 10_000,
    });
  });

  it('halves a short keep-alive for the pong deadline and keeps what is given', () => {
    expect(helpers.resolveApigwTiming({ keepAliveIntervalMs: 4000, resumeTimeoutMs: 500 })).toMatchObject({
      keepAliveIntervalMs: 4000,
      pongTimeoutMs: 2000,
      resumeTimeoutMs: 500,
    });
  });

  it('refuses a keep-alive at the idle timeout and names every bad duration', () => {
    expect(() => helpers.resolveApigwTiming({ keepAliveIntervalMs: APIGW_IDLE_TIMEOUT_MS })).toThrow(
      withCode(ClientErrorCode.InvalidOption, 'apigwTransport', 'keepAliveIntervalMs'),
    );
    expect(() => helpers.resolveApigwTiming({ pongTimeoutMs: -1, resumeTimeoutMs: 0 })).toThrow(
      withCode(ClientErrorCode.InvalidOption, 'pongTimeoutMs', 'resumeTimeoutMs'),
    );
  });
});

describe('defaultLivenessSignals', () => {
  it('listens on a scope with addEventListener (a window) and its document', () => {
    const document = target();
    const window = { ...target(), document };
    expect(helpers.defaultLivenessSignals(window)).toEqual({ network: window, visibility: document });
  });

  it('listens on nothing where there are no event targets (Node)', () => {
    expect(helpers.defaultLivenessSignals({})).toEqual({});
    expect(helpers.defaultLivenessSignals({ document: {} })).toEqual({});
  });
});

describe('resolveWebSocket', () => {
  it('takes the injected constructor first', async () => {
    expect(await helpers.resolveWebSocket(FakeWebSocket, { WebSocket: WsWebSocket as never })).toBe(
      FakeWebSocket,
    );
  });

  it("takes a browser's global WebSocket", async () => {
    expect(await helpers.resolveWebSocket(undefined, { WebSocket: FakeWebSocket })).toBe(FakeWebSocket);
  });

  it('takes the ws package in Node, even where Node has a global WebSocket', async () => {
    const node = { process: { versions: { node: '22.0.0' } } };
    expect(await helpers.resolveWebSocket(undefined, { ...node, WebSocket: FakeWebSocket })).toBe(
      WsWebSocket,
    );
    expect(await helpers.resolveWebSocket(undefined, node)).toBe(WsWebSocket);
  });
});

describe('urlWithToken', () => {
  it('puts the token, encoded, in the query string', () => {
    expect(helpers.urlWithToken('wss://example.test/dev', 'a b&c')).toBe(
      'wss://example.test/dev?token=a%20b%26c',
    );
    expect(helpers.urlWithToken('wss://example.test/dev?x=1', 't')).toBe(
      'wss://example.test/dev?x=1&token=t',
    );
  });
});

describe('tokenExpired', () => {
  it('reads exp from a JWT, unverified', () => {
    expect(helpers.tokenExpired(jwtFor({ exp: 100 }), 100_000)).toBe(true);
    expect(helpers.tokenExpired(jwtFor({ exp: 100 }), 99_999)).toBe(false);
  });

  it('is false for a token without a readable exp', () => {
    expect(helpers.tokenExpired(jwtFor({ sub: 'u' }), Date.now())).toBe(false);
    expect(helpers.tokenExpired(jwtFor({ exp: '100' }), Date.now())).toBe(false);
    expect(helpers.tokenExpired('opaque', Date.now())).toBe(false);
  });
});

describe('refusedStatus', () => {
  it("reads the HTTP status from ws's error for a refused upgrade", () => {
    expect(helpers.refusedStatus({ message: 'Unexpected server response: 403' })).toBe(403);
  });

  it('is undefined where the platform hides it (a browser error event) or for another error', () => {
    expect(helpers.refusedStatus({ type: 'error' })).toBeUndefined();
    expect(helpers.refusedStatus({ message: 'connect ECONNREFUSED 127.0.0.1:1' })).toBeUndefined();
    expect(helpers.refusedStatus(undefined)).toBeUndefined();
  });
});

describe('apigwCloseReason', () => {
  const opened = { opened: true, refusedStatus: undefined, tokenExpired: false };
  it.each([
    [CloseCode.GoingAway, { reconnect: true, immediate: true }],
    [CloseCode.Abnormal, { reconnect: true }],
    [CloseCode.MessageTooBig, { reconnect: true }],
    [CloseCode.Unauthorized, { code: ErrorCode.InvalidToken, reconnect: false }],
    [CloseCode.TokenExpired, { code: ErrorCode.TokenExpired, reconnect: true }],
  ])('maps close %i', (code, expected) => {
    const reason = apigwCloseReason(code, '', opened);
    expect(reason).toMatchObject(expected);
    if (!('immediate' in expected)) expect(reason.immediate).toBeFalsy();
  });

  it('turns a refused upgrade into invalid_token (no retry) or, for an expired token, token_expired', () => {
    expect(
      apigwCloseReason(1006, '', { opened: false, refusedStatus: 403, tokenExpired: false }),
    ).toMatchObject({
      code: ErrorCode.InvalidToken,
      reconnect: false,
    });
    expect(
      apigwCloseReason(1006, '', { opened: false, refusedStatus: undefined, tokenExpired: true }),
    ).toMatchObject({
      code: ErrorCode.TokenExpired,
    });
    // API Gateway's quotas refuse with 429 and no Retry-After: rate_limited, with the SDK's floor as the hint.
    expect(
      apigwCloseReason(1006, '', { opened: false, refusedStatus: 429, tokenExpired: false }),
    ).toMatchObject({
      code: ErrorCode.RateLimited,
      reconnect: true,
      retryAfterMs: helpers.THROTTLED_UPGRADE_RETRY_MS,
    });
    // A browser sees only 1006 for a refused upgrade: without a status it is a network failure.
    expect(
      apigwCloseReason(1006, '', { opened: false, refusedStatus: undefined, tokenExpired: false }),
    ).toMatchObject({
      code: 1006,
      reconnect: true,
    });
  });
});

describe('readIncomingFrame', () => {
  it('reads a frame of the contract, extra fields and all', () => {
    const notification = createNotification({ type: 'sync.complete', userId: 'u', jobId: 'a' });
    expect(
      helpers.readIncomingFrame(JSON.stringify({ type: 'notification', notification, extra: 1 })),
    ).toEqual({
      kind: 'frame',
      frame: { type: 'notification', notification, extra: 1 },
    });
  });

  it('ignores a frame type from a newer server', () => {
    expect(helpers.readIncomingFrame('{"type":"from_the_future"}')).toEqual({ kind: 'ignored' });
  });

  it("tells API Gateway's own error frame (a route's Lambda failed) from a server frame", () => {
    for (const message of ['Internal server error', 'Forbidden'])
      expect(
        helpers.readIncomingFrame(
          JSON.stringify({ message, connectionId: 'Zq0lpfIyliACGbQ=', requestId: 'Zq1L=' }),
        ),
      ).toEqual({ kind: 'gateway', message });
  });

  it('reports text that is not JSON, and a known frame type that breaks the contract', () => {
    expect(helpers.readIncomingFrame('not json')).toEqual({
      kind: 'bad',
      message: 'server sent a frame that is not JSON',
    });
    for (const data of ['{"type":"replay"}', '{}', 'null', '42', '{"message":"no connectionId"}'])
      expect(helpers.readIncomingFrame(data)).toEqual({
        kind: 'bad',
        message: 'server sent a frame that does not match the contract',
      });
  });
});
