import { describe, expect, it } from 'vitest';
import { AuthError, ErrorCode } from '../../../../shared/contract/index.js';
import {
  authenticate,
  bearerToken,
  hs256Verifier,
  isBearerScheme,
  signToken,
} from '../../../../shared/server/index.js';

const TEST_JWT_KEY = new TextEncoder().encode('authenticate-test-key-0123456789abcdef');

describe('bearerToken', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['BEARER abc', 'abc'],
    ['Bearer    abc', 'abc'],
    ['  Bearer abc  ', 'abc'],
    ['Bearer a.b-c_d~e+f/g==', 'a.b-c_d~e+f/g=='],
    ['Bearer ', undefined],
    ['Bearer', undefined],
    ['Bearer a b', undefined],
    ['Bearer a, Bearer b', undefined],
    ['Basic x, Bearer b', undefined],
    ['Bearerabc', undefined],
    ['Basic abc', undefined],
    [undefined, undefined],
    [['Bearer abc'], 'abc'],
    [['Bearer abc', 'Bearer def'], undefined],
    [['Basic x', 'Bearer def'], undefined],
    [[], undefined],
  ])('reads %j as %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});

describe('isBearerScheme', () => {
  it.each([
    ['Bearer abc', true],
    ['bearer', true],
    [['Basic x', 'BEARER y'], true],
    ['Basic abc', false],
    ['Bearerish abc', false],
    [undefined, false],
  ])('says %j is a bearer credential: %j', (header, expected) => {
    expect(isBearerScheme(header)).toBe(expected);
  });
});

describe('authenticate', () => {
  const verify = hs256Verifier(TEST_JWT_KEY);

  it('returns the user a valid token names', async () => {
    const token = await signToken({ userId: 'alice', key: TEST_JWT_KEY });
    expect(await authenticate(token, verify)).toEqual({
      ok: true,
      userId: 'alice',
      expiresAtSeconds: expect.any(Number),
    });
    // A verifier of your own need not report the expiry.
    expect(await authenticate('t', async () => ({ userId: 'bob' }))).toEqual({ ok: true, userId: 'bob' });
  });

  it.each([
    ['no token', undefined],
    ['an empty token', ''],
    ['a token that is not a string', 42],
    ['a token over 4 KB', 'x'.repeat(4097)],
    ['a malformed token', 'not-a-jwt'],
  ])('refuses %s with invalid_token (401)', async (_what, token) => {
    expect(await authenticate(token, verify)).toMatchObject({
      ok: false,
      status: 401,
      error: { code: ErrorCode.InvalidToken },
    });
  });

  it('passes on the code of an AuthError the verifier throws', async () => {
    const expired = async () => {
      throw new AuthError(ErrorCode.TokenExpired, 'old');
    };
    expect(await authenticate('t', expired)).toEqual({
      ok: false,
      status: 401,
      error: { code: ErrorCode.TokenExpired, message: 'old' },
    });
  });

  it('answers any other verifier failure internal_error (500), which clients retry', async () => {
    const down = async () => {
      throw new Error('database down');
    };
    expect(await authenticate('t', down)).toMatchObject({
      ok: false,
      status: 500,
      error: { code: ErrorCode.Internal },
    });
  });

  it('refuses a verifier result that is not a valid user id', async () => {
    expect(await authenticate('t', async () => ({ userId: 'has spaces' }))).toMatchObject({
      ok: false,
      status: 401,
      error: { code: ErrorCode.InvalidToken },
    });
  });
});
