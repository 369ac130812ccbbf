import { describe, expect, it } from 'vitest';
import { loadConfig as loadApigwConfig } from '../../../../apigw-websocket/src/config.js';
import { loadEcsConfig } from '../../../../ecs-socketio/src/config.js';
import {
  apiKeyCheck,
  MIN_API_KEY_LENGTH,
  publishApiKeys,
  refusePublishCredential,
  signToken,
} from '../../../../shared/server/index.js';
import { TEST_JWT_KEY } from '../../../ecs-socketio/support/harness.js';
import { ServerErrorCode } from '../../../../shared/server/errors.js';
import { withCode } from '../../../support/errors.js';

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

describe('PUBLISH_API_KEYS, on both variants', () => {
  const a = 'a'.repeat(MIN_API_KEY_LENGTH);
  const b = 'b'.repeat(MIN_API_KEY_LENGTH);
  const parsers = [
    ['socket.io', (env: Record<string, string>) => publishApiKeys(loadEcsConfig(env))],
    ['API Gateway', (env: Record<string, string>) => loadApigwConfig(env).publishApiKeys],
  ] as const;

  it.each(parsers)(
    '%s: reads a comma-separated list and the older single PUBLISH_API_KEY beside it',
    (_name, keysOf) => {
      expect(keysOf({ PUBLISH_API_KEYS: ` ${a} , ${b},` })).toEqual([a, b]);
      expect(keysOf({ PUBLISH_API_KEY: a })).toEqual([a]);
      expect(keysOf({ PUBLISH_API_KEYS: a, PUBLISH_API_KEY: b })).toEqual([a, b]);
      expect(keysOf({ PUBLISH_API_KEYS: a, PUBLISH_API_KEY: a })).toEqual([a]);
      expect(keysOf({ PUBLISH_API_KEYS: '', PUBLISH_API_KEY: '' })).toEqual([]);
    },
  );

  it.each(parsers)('%s: refuses a key shorter than 32 characters, in either setting', (_name, keysOf) => {
    expect(() => keysOf({ PUBLISH_API_KEYS: `${a},short` })).toThrow(
      withCode(ServerErrorCode.InvalidConfig, 'PUBLISH_API_KEYS', 'at least 32 characters'),
    );
    expect(() => keysOf({ PUBLISH_API_KEY: 'short' })).toThrow(
      withCode(ServerErrorCode.InvalidConfig, 'PUBLISH_API_KEY', 'at least 32 characters'),
    );
  });
});
