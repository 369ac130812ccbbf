import { describe, expect, it } from 'vitest';
import { createAuthorizerHandler } from '../../../../apigw-websocket/src/handlers/authorizer.js';
import { signToken } from '../../../../shared/server/auth/index.js';
import { noopTelemetry } from '../../support/fixtures.js';

const jwtKey = new TextEncoder().encode('unit-test-secret-that-is-long-enough-0123456789');
const authorize = createAuthorizerHandler(() => ({ jwtKey, telemetry: noopTelemetry }));
const methodArn = 'arn:aws:execute-api:us-east-1:123456789012:abc123/dev/$connect';
const event = (token?: string) => ({
  type: 'REQUEST',
  methodArn,
  headers: { Host: 'abc123.execute-api.us-east-1.amazonaws.com' },
  ...(token === undefined ? {} : { queryStringParameters: { token } }),
  requestContext: { routeKey: '$connect', eventType: 'CONNECT', connectionId: 'c=' },
});

describe('REQUEST authorizer', () => {
  it('allows a valid token and passes the verified userId in the context', async () => {
    const result = await authorize(event(await signToken({ userId: 'alice', key: jwtKey })));
    expect(result.principalId).toBe('alice');
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow', Resource: methodArn });
    expect(result.context).toMatchObject({ userId: 'alice' });
  });

  it('denies a missing, expired, forged or unsigned token without a user in the context', async () => {
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ sub: 'mallory', iss: 'syncbell', aud: 'syncbell:notifications', exp: 4_102_444_800 }),
    ).toString('base64url')}.`;
    const tokens = [
      undefined,
      await signToken({ userId: 'alice', key: jwtKey, expiresInSeconds: -5 }),
      await signToken({ userId: 'mallory', key: new TextEncoder().encode('y'.repeat(40)) }),
      none,
    ];
    for (const token of tokens) {
      const result = await authorize(event(token));
      expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
      expect(result.context).toBeUndefined();
    }
  });
});
