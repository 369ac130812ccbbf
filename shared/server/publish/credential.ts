import { createHash, timingSafeEqual } from 'node:crypto';
import { ErrorCode, type ErrorFrameBody } from '@syncbell/contract';
import { z } from 'zod';
import { commaListSchema } from '../env.js';
import { isBearerScheme } from '../auth/bearer.js';

/**
 * The header a backend puts its publish API key in, on both variants' `POST /v1/publish`
 * (`Authorization` is left to SigV4 on API Gateway, and a bearer there is an end user's token).
 */
export const PUBLISH_API_KEY_HEADER = 'x-api-key';

/** Publish API keys shorter than this are refused at start-up. */
export const MIN_API_KEY_LENGTH = 32;

const publishApiKey = z
  .string()
  .min(MIN_API_KEY_LENGTH, `each key must be at least ${MIN_API_KEY_LENGTH} characters`);

/**
 * The publish API key settings of both variants' environment parsers, with one meaning:
 * `PUBLISH_API_KEYS` is the server credentials `POST /v1/publish` accepts in `x-api-key`,
 * comma-separated so a key can be rotated (add the new one, move the backends, drop the old one),
 * each at least 32 characters (`openssl rand -hex 32`); `PUBLISH_API_KEY`, the single key the API
 * Gateway variant took before, is still read and accepted beside the list. Empty means unset.
 */
export const publishApiKeysEnvSchema = {
  /** @default '' (no key) */
  PUBLISH_API_KEYS: commaListSchema.pipe(z.array(publishApiKey)),
  /** @deprecated use PUBLISH_API_KEYS. @default undefined */
  PUBLISH_API_KEY: z.preprocess((value) => (value === '' ? undefined : value), publishApiKey.optional()),
};

/** Every key the publish route accepts: `PUBLISH_API_KEYS` and the older single `PUBLISH_API_KEY`. */
export function publishApiKeys(values: {
  PUBLISH_API_KEYS: readonly string[];
  PUBLISH_API_KEY?: string | undefined;
}): string[] {
  const keys = [...values.PUBLISH_API_KEYS];
  if (values.PUBLISH_API_KEY !== undefined && !keys.includes(values.PUBLISH_API_KEY))
    keys.push(values.PUBLISH_API_KEY);
  return keys;
}

/**
 * A check of a server credential against `keys`, in constant time: each side is hashed first
 * (SHA-256, so `timingSafeEqual` compares equal lengths and the key's length does not leak), and
 * every key is compared, so the time does not say which one nearly matched.
 */
export function apiKeyCheck(
  keys: readonly (string | undefined)[],
): (presented: string | undefined) => boolean {
  const digests = keys.filter((key): key is string => key !== undefined).map(sha256);
  return (presented) => {
    if (presented === undefined || digests.length === 0) return false;
    const digest = sha256(presented);
    let matched = false;
    for (const candidate of digests) matched = timingSafeEqual(candidate, digest) || matched;
    return matched;
  };
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export interface PublishCredentialRefusal {
  status: 401 | 403;
  body: ErrorFrameBody;
}

/**
 * The publish routes' one credential rule: a server credential (`accepted`: the API key in
 * `x-api-key`, or IAM where the platform verified it) or nothing. A bearer token is an end user's,
 * so it is refused with 403 whatever it holds; anything else missing or wrong is 401.
 */
export function refusePublishCredential({
  accepted,
  authorization,
  accepts,
}: {
  accepted: boolean;
  /** The request's `Authorization` header (every value, when it came more than once). */
  authorization: string | readonly string[] | undefined;
  /** What this route accepts, for the 401 message (e.g. `the publish API key in x-api-key`). */
  accepts: string;
}): PublishCredentialRefusal | undefined {
  if (accepted) return undefined;
  if (isBearerScheme(authorization))
    return {
      status: 403,
      body: {
        code: ErrorCode.Forbidden,
        message: `publishing takes a server credential (${accepts}), never an end user's bearer token`,
      },
    };
  return {
    status: 401,
    body: { code: ErrorCode.InvalidToken, message: `missing or wrong server credential: ${accepts}` },
  };
}
