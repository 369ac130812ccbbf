import { createSecretKey, type KeyObject } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { ErrorCode } from '@syncbell/contract/codes';
import { userIdSchema } from '@syncbell/contract/envelope';
import { AuthError } from '@syncbell/contract/errors';
import { ConfigError } from '../errors.js';

export const TOKEN_ISSUER = 'syncbell';
export const TOKEN_AUDIENCE = 'syncbell:notifications';

/** Only ever used outside production; start-up logs a warning when it is. */
export const DEV_JWT_SECRET = 'syncbell-dev-secret-do-not-use-in-production-0123456789';
/** HS256 keys shorter than the hash output weaken it (RFC 7518 section 3.2). */
export const MIN_SECRET_BYTES = 32;
/** The longest token read; longer ones are refused before they are parsed. */
export const MAX_TOKEN_LENGTH = 4096;

export interface ResolvedSecret {
  key: Uint8Array;
  /** True when the built-in development secret is in use. */
  isDevSecret: boolean;
}

/**
 * The one place a JWT secret is read. In production (`NODE_ENV=production`) a missing secret
 * stops start-up: a well-known dev secret would let anyone mint tokens for any user.
 */
export function resolveJwtSecret(env: Record<string, string | undefined> = process.env): ResolvedSecret {
  const secret = env.JWT_SECRET;
  if (secret === undefined || secret === '') {
    if (env.NODE_ENV === 'production') {
      throw new ConfigError(
        'JWT_SECRET is not set. In production syncbell refuses to start without it: set JWT_SECRET to a random string of at least 32 bytes (e.g. `openssl rand -base64 48`).',
      );
    }
    return { key: new TextEncoder().encode(DEV_JWT_SECRET), isDevSecret: true };
  }
  const key = new TextEncoder().encode(secret);
  if (key.byteLength < MIN_SECRET_BYTES) {
    throw new ConfigError(`JWT_SECRET is ${key.byteLength} bytes; HS256 needs at least ${MIN_SECRET_BYTES}.`);
  }
  return { key, isDevSecret: false };
}

/** What a server says, once, when it runs on the development secret. */
export const DEV_SECRET_WARNING =
  'JWT_SECRET is not set: using the development secret (refused when NODE_ENV=production)';

/**
 * Process-wide, not module-wide: serverless-offline runs each Lambda handler's own bundle in one
 * process (six handlers, six copies of this module), and the warning is about the process.
 */
const DEV_SECRET_WARNED = Symbol.for('syncbell.devSecretWarned');

/** Calls `warn` with `DEV_SECRET_WARNING` the first time in this process, never again. */
export function warnDevSecretOnce(warn: (message: string) => void): void {
  const flags = globalThis as { [DEV_SECRET_WARNED]?: boolean };
  if (flags[DEV_SECRET_WARNED]) return;
  flags[DEV_SECRET_WARNED] = true;
  warn(DEV_SECRET_WARNING);
}

/**
 * The one rule for a server given no key (the ECS container, `attachSyncbell`, the NestJS module,
 * the Lambda handlers): JWT_SECRET (`resolveJwtSecret`); unset, refused with `ConfigError` when
 * NODE_ENV=production, else the development secret with one warning per process.
 */
export function jwtKeyFromEnv(
  warn: (message: string) => void,
  env: Record<string, string | undefined> = process.env,
): ResolvedSecret {
  const secret = resolveJwtSecret(env);
  if (secret.isDevSecret) warnDevSecretOnce(warn);
  return secret;
}

/**
 * An HS256 key as every syncbell API takes it (`signToken`, `verifyToken`, `hs256Verifier`,
 * `attachSyncbell`'s `jwtKey`, the Lambda handlers' and the NestJS module's): the secret's text
 * (encoded as UTF-8) or its bytes.
 */
export type JwtKey = string | Uint8Array;

/**
 * The one normaliser of a `JwtKey`: its bytes, at least `MIN_SECRET_BYTES` of them (RFC 7518
 * section 3.2: an HS256 key of at least 256 bits). A key of another type or too short throws
 * `ConfigError`, naming `where` it was given.
 */
export function jwtKeyBytes(key: JwtKey, where: string): Uint8Array {
  const bytes = typeof key === 'string' ? new TextEncoder().encode(key) : key;
  if (!(bytes instanceof Uint8Array))
    throw new ConfigError(`${where}: the key must be a string or a Uint8Array, got ${typeof key}`);
  if (bytes.byteLength < MIN_SECRET_BYTES)
    throw new ConfigError(
      `${where}: the key is ${bytes.byteLength} bytes; HS256 needs at least ${MIN_SECRET_BYTES}`,
    );
  return bytes;
}

export interface SignTokenOptions {
  userId: string;
  key: JwtKey;
  /** @default 900 (15 minutes: short, the SDK asks for a fresh token on expiry) */
  expiresInSeconds?: number;
}

export async function signToken({ userId, key, expiresInSeconds = 900 }: SignTokenOptions): Promise<string> {
  userIdSchema.parse(userId);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${expiresInSeconds}s`)
    .sign(jwtKeyBytes(key, 'signToken'));
}

/**
 * jose imports a raw Uint8Array key on every verification (about 5 % of a container's CPU during a
 * connect ramp, measured); a KeyObject made once per key is reused instead.
 */
const importedKeys = new WeakMap<Uint8Array, KeyObject>();
function keyObjectFor(key: Uint8Array): KeyObject {
  let imported = importedKeys.get(key);
  if (!imported) {
    imported = createSecretKey(key);
    importedKeys.set(key, imported);
  }
  return imported;
}

export interface VerifiedToken {
  userId: string;
  expiresAtSeconds: number;
}

/**
 * Verifies an HS256 token and returns the user it names. The user id comes from here and
 * nowhere else: never from a query string, a header or a frame the client sent.
 */
export async function verifyToken(token: unknown, key: JwtKey): Promise<VerifiedToken> {
  const bytes = jwtKeyBytes(key, 'verifyToken');
  if (typeof token !== 'string' || token.length === 0) {
    throw new AuthError(ErrorCode.InvalidToken, 'a token is required');
  }
  if (token.length > MAX_TOKEN_LENGTH) throw new AuthError(ErrorCode.InvalidToken, 'token is too long');
  try {
    const { payload } = await jwtVerify(token, keyObjectFor(bytes), {
      algorithms: ['HS256'],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      requiredClaims: ['sub', 'exp'],
    });
    const userId = userIdSchema.safeParse(payload.sub);
    if (!userId.success) throw new AuthError(ErrorCode.InvalidToken, 'token subject is not a valid user id');
    return { userId: userId.data, expiresAtSeconds: payload.exp as number };
  } catch (error) {
    if (error instanceof AuthError) throw error;
    if (error instanceof joseErrors.JWTExpired) {
      throw new AuthError(ErrorCode.TokenExpired, 'token has expired', { cause: error });
    }
    throw new AuthError(ErrorCode.InvalidToken, 'token is invalid', { cause: error });
  }
}
