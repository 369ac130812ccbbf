import { UnauthorizedException } from '@nestjs/common';
import { bearerToken, resolveJwtSecret, verifyToken } from '@syncbell/server';

const { key } = resolveJwtSecret();

/**
 * The caller's user, from `Authorization: Bearer <token>` (HS256, signed with JWT_SECRET, the dev
 * secret outside production): the same token the page's socket connects with.
 */
export async function userFromBearer(header: string | undefined): Promise<string> {
  try {
    return (await verifyToken(bearerToken(header), key)).userId;
  } catch (error) {
    throw new UnauthorizedException((error as Error).message);
  }
}
