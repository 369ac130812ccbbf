import { describe, expect, it } from 'vitest';
import { apiKeyCheck, refusePublishCredential, signToken } from '../../../shared/server/index.js';
import { TEST_JWT_KEY } from '../../ecs-socketio/harness.js';

describe('apiKeyCheck', () => {
  const key = 'k'.repeat(40);
  const other = 'o'.repeat(40);

  it('accepts each configured key and refuses anything else', () => {
    const check = apiKeyCheck([key, other]);
    expect([check(key), check(other), check('x'.repeat(40)), check(key.slice(1)), check(undefined)]).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it('refuses a valid end-user token', async () => {
    const check = apiKeyCheck([key]);
    expect(check(await signToken({ userId: 'alice', key: TEST_JWT_KEY }))).toBe(false);
  });

  it('refuses everything when no key is configured', () => {
    expect(apiKeyCheck([])('')).toBe(false);
  });
});

describe('refusePublishCredential', () => {
  const accepts = 'the key in x-api-key';
  it('lets an accepted credential through', () => {
    expect(refusePublishCredential({ accepted: true, authorization: 'Bearer x', accepts })).toBeUndefined();
  });
  it("answers a bearer token 403 forbidden: it is an end user's, never a server credential", () => {
    expect(refusePublishCredential({ accepted: false, authorization: 'bearer abc', accepts })).toMatchObject({
      status: 403,
      body: { code: 'forbidden' },
    });
  });
  it('answers anything else missing or wrong 401 invalid_token, saying what it accepts', () => {
    for (const authorization of [undefined, 'Basic abc', 'AWS4-HMAC-SHA256 Credential=x'])
      expect(refusePublishCredential({ accepted: false, authorization, accepts })).toEqual({
        status: 401,
        body: { code: 'invalid_token', message: `missing or wrong server credential: ${accepts}` },
      });
  });
});
