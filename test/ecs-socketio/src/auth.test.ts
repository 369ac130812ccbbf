import { describe, expect, it } from 'vitest';
import { AuthError, ErrorCode } from '../../../shared/contract/index.js';
import { signToken } from '../../../shared/server/index.js';
import { authenticate, bearerToken, hs256Verifier } from '../../../ecs-socketio/src/auth.js';
import { TEST_JWT_KEY } from '../harness.js';

describe('bearerToken', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['Bearer ', undefined],
    ['Basic abc', undefined],
    [undefined, undefined],
  ])('reads %j as %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});

describe('authenticate', () => {
  const verify = hs256Verifier(TEST_JWT_KEY);

  it('returns the user a valid token names', async () => {
    const token = await signToken({ userId: 'alice', key: TEST_JWT_KEY });
    expect(await authenticate(token, verify)).toEqual({ ok: true, userId: 'alice' });
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
