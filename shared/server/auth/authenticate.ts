import { AuthError, ErrorCode, type ErrorFrameBody, userIdSchema } from '@syncbell/contract';
import { type JwtKey, jwtKeyBytes, MAX_TOKEN_LENGTH, verifyToken } from './tokens.js';

/**
 * Turns an end user's token into the user it names. Throw an `AuthError` (`invalid_token` or
 * `token_expired`) for a token you refuse; any other error is answered `internal_error` (HTTP 500,
 * the client retries), so a verifier whose database is down does not lock users out for good.
 */
export type VerifyToken = (token: string) => Promise<{ userId: string; expiresAtSeconds?: number }>;

/** The default verifier: syncbell's HS256 JWT (`signToken`) under `key` (checked once, here). */
export function hs256Verifier(key: JwtKey): VerifyToken {
  const bytes = jwtKeyBytes(key, 'hs256Verifier');
  return (token) => verifyToken(token, bytes);
}

export type Authenticated =
  | {
      ok: true;
      userId: string;
      /** The token's `exp` (epoch seconds), when the verifier reports it (`hs256Verifier` does). */
      expiresAtSeconds?: number;
    }
  | { ok: false; status: 401 | 500; error: ErrorFrameBody };

/**
 * The one check of an end user's credential on both variants (the socket handshake, `$connect`
 * and the HTTP routes alike): a token is required (a string, at most 4 KB), `verify` decides, and
 * the user id it returns must be a valid one. Never throws: a refusal comes back as the error
 * frame to send and its HTTP status: 401 for an `AuthError` or a bad token, 500 `internal_error`
 * for any other failure of `verify`.
 */
export async function authenticate(token: unknown, verify: VerifyToken): Promise<Authenticated> {
  const refused = (error: ErrorFrameBody): Authenticated => ({ ok: false, status: 401, error });
  if (typeof token !== 'string' || token.length === 0)
    return refused({ code: ErrorCode.InvalidToken, message: 'a token is required' });
  if (token.length > MAX_TOKEN_LENGTH)
    return refused({ code: ErrorCode.InvalidToken, message: 'token is too long' });
  try {
    const { userId, expiresAtSeconds } = await verify(token);
    const parsed = userIdSchema.safeParse(userId);
    if (!parsed.success)
      return refused({ code: ErrorCode.InvalidToken, message: 'the token does not name a valid user id' });
    return { ok: true, userId: parsed.data, ...(expiresAtSeconds === undefined ? {} : { expiresAtSeconds }) };
  } catch (error) {
    if (error instanceof AuthError) return refused(error.toFrame());
    return { ok: false, status: 500, error: { code: ErrorCode.Internal, message: 'authentication failed' } };
  }
}
