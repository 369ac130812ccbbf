import { describe, expect, it } from 'vitest';
import { unverifiedClaims } from '../../../shared/client/token-claims.js';

const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const jwt = (payload: string) => `${base64url('{"alg":"HS256","typ":"JWT"}')}.${base64url(payload)}.c2ln`;

describe('unverifiedClaims', () => {
  it('reads a payload whose claims are any Unicode, as UTF-8', () => {
    const claims = { sub: 'usér-名前-🔔', exp: 1_900_000_000 };
    expect(unverifiedClaims(jwt(JSON.stringify(claims)))).toEqual(claims);
  });

  it('reads base64url payloads of every padding length', () => {
    for (const sub of ['a', 'ab', 'abc', 'abcd'])
      expect(unverifiedClaims(jwt(JSON.stringify({ sub })))?.sub).toBe(sub);
  });

  it('gives undefined for an opaque token, a payload that is not base64url JSON, or not an object', () => {
    for (const token of ['opaque-token', 'a.%%%.c', jwt('not json'), jwt('[1,2]'), jwt('"sub"'), jwt('null')])
      expect(unverifiedClaims(token)).toBeUndefined();
  });
});
