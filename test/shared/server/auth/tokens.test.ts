import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  DEV_JWT_SECRET,
  resolveJwtSecret,
  signToken,
  verifyToken,
} from '../../../../shared/server/auth/index.js';
import { AuthError, ErrorCode } from '../../../../shared/contract/index.js';
import { withCode } from '../../../support/errors.js';
import { ServerErrorCode } from '../../../../shared/server/index.js';

const key = new TextEncoder().encode('a-test-secret-that-is-at-least-32-bytes-long');

async function expectAuthError(promise: Promise<unknown>, code: string) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthError);
  expect((error as AuthError).code).toBe(code);
}

describe('tokens', () => {
  it('returns the user id from a token it signed', async () => {
    const token = await signToken({ userId: 'alice', key });
    expect(await verifyToken(token, key)).toMatchObject({ userId: 'alice' });
  });

  it('refuses a token signed with another key', async () => {
    const token = await signToken({
      userId: 'alice',
      key: new TextEncoder().encode('another-secret-that-is-32-bytes-long!!'),
    });
    await expectAuthError(verifyToken(token, key), ErrorCode.InvalidToken);
  });

  it('refuses an expired token with token_expired', async () => {
    await expectAuthError(
      verifyToken(await signToken({ userId: 'alice', key, expiresInSeconds: -5 }), key),
      ErrorCode.TokenExpired,
    );
  });

  it('refuses alg none', async () => {
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const token = `${enc({ alg: 'none' })}.${enc({ sub: 'alice', iss: 'syncbell', aud: 'syncbell:notifications', exp: 9e9 })}.`;
    await expectAuthError(verifyToken(token, key), ErrorCode.InvalidToken);
  });

  it('refuses a token for another audience', async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setIssuer('syncbell')
      .setAudience('billing')
      .setExpirationTime('5m')
      .sign(key);
    await expectAuthError(verifyToken(token, key), ErrorCode.InvalidToken);
  });

  it('refuses a subject that is not a valid user id', async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('user:bob#')
      .setIssuer('syncbell')
      .setAudience('syncbell:notifications')
      .setExpirationTime('5m')
      .sign(key);
    await expectAuthError(verifyToken(token, key), ErrorCode.InvalidToken);
  });

  it.each([undefined, '', 42, 'x'.repeat(5000)])('refuses a missing or absurd token (%#)', async (token) => {
    await expectAuthError(verifyToken(token, key), ErrorCode.InvalidToken);
  });
});

describe('resolveJwtSecret', () => {
  it('stops start-up in production without a secret, saying what to set', () => {
    expect(() => resolveJwtSecret({ NODE_ENV: 'production' })).toThrow(
      withCode(ServerErrorCode.InvalidConfig, 'JWT_SECRET'),
    );
  });

  it('uses the development secret outside production and says so', () => {
    expect(resolveJwtSecret({})).toMatchObject({
      isDevSecret: true,
      key: new TextEncoder().encode(DEV_JWT_SECRET),
    });
  });

  it('refuses a secret too short for HS256', () => {
    expect(() => resolveJwtSecret({ JWT_SECRET: 'short' })).toThrow(
      withCode(ServerErrorCode.InvalidConfig, 'JWT_SECRET'),
    );
  });
});
