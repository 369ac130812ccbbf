import { ErrorCode } from '@syncbell/contract';

/**
 * Each contract error code with the HTTP status both variants' routes answer it with, in one
 * table (fastify keeps each error code with its status the same way).
 */
export const HTTP_STATUS_OF: Record<ErrorCode, number> = {
  [ErrorCode.InvalidToken]: 401,
  [ErrorCode.TokenExpired]: 401,
  [ErrorCode.BadRequest]: 400,
  [ErrorCode.UnknownAction]: 404,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.ServerShuttingDown]: 503,
  [ErrorCode.Internal]: 500,
};
