import { UnauthorizedException } from '@nestjs/common';
import { resolveJwtSecret, verifyToken } from '@syncbell/server';

const { key } = resolveJwtSecret();

/**
 * The caller's user, from `Authorization: Bearer <token>` (HS256, signed with JWT_SECRET, the dev
 * secret outside production): the same token the page's socket connects with.
 */
export async function userFromBearer(header: string | undefined): Promise<string> {
  const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
  try {
    return (await verifyToken(token, key)).userId;
  } catch (error) {
    throw new UnauthorizedException((error as Error).message);
  }
}
