import { SignJWT } from 'jose';
import { signToken, TOKEN_AUDIENCE, TOKEN_ISSUER } from '../shared/server/auth/index.js';
import { ErrorCode } from '../shared/contract/index.js';

export interface ForgedToken {
  kind: string;
  token: string;
  /** The code a server must answer with. */
  expectedCode: ErrorCode;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * The forgeries of issue 8: an unsigned token, one signed with the wrong key, an expired one,
 * and a real token of the attacker with its subject changed to the victim's id (the signature
 * no longer matches). Each must be refused with a clear code, and none may reach the victim's data.
 */
export async function forgeTokens(options: {
  attackerUserId: string;
  victimUserId: string;
  key: Uint8Array;
}): Promise<ForgedToken[]> {
  const { attackerUserId, victimUserId, key } = options;
  const nowSeconds = Math.floor(Date.now() / 1000);
  const claims = { sub: victimUserId, iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, exp: nowSeconds + 300 };
  const algNone = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
  const wrongKey = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(victimUserId)
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode('an-attacker-guessed-secret-of-enough-length-0123456789'));
  const expired = await signToken({ userId: victimUserId, key, expiresInSeconds: -30 });
  const own = await signToken({ userId: attackerUserId, key });
  const [header, , signature] = own.split('.');
  const swappedSubject = `${header}.${b64({ ...claims, iat: nowSeconds })}.${signature}`;
  return [
    { kind: 'alg none', token: algNone, expectedCode: ErrorCode.InvalidToken },
    { kind: 'wrong key', token: wrongKey, expectedCode: ErrorCode.InvalidToken },
    { kind: 'expired', token: expired, expectedCode: ErrorCode.TokenExpired },
    { kind: "another user's id", token: swappedSubject, expectedCode: ErrorCode.InvalidToken },
  ];
}
