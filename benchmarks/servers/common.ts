import type { IncomingMessage, ServerResponse } from 'node:http';
import { verifyToken } from '../../shared/server/auth/index.js';
import { AuthError, ErrorCode, type ErrorFrameBody, ulidSchema } from '../../shared/contract/index.js';

/** Settings shared by the hand-written contender servers. */
export interface PushServerConfig {
  /** HS256 key; undefined turns auth off (the baseline only). */
  jwtKey: Uint8Array | undefined;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  /** How long a long poll is held open before it answers empty. @default 25000 */
  pollHoldMs: number;
}

/** Browsers cannot set headers on WebSocket or EventSource requests: the token comes in the query. */
export async function authenticate(req: IncomingMessage, jwtKey: Uint8Array | undefined): Promise<string> {
  const url = new URL(req.url ?? '/', 'http://x');
  if (!jwtKey) return url.searchParams.get('user') ?? 'anonymous';
  const header = req.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice(7) : url.searchParams.get('token');
  return (await verifyToken(token ?? undefined, jwtKey)).userId;
}

export function authFailure(error: unknown): ErrorFrameBody {
  return error instanceof AuthError
    ? error.toFrame()
    : { code: ErrorCode.InvalidToken, message: 'authentication failed' };
}

/** The `after` cursor from the query or an SSE `Last-Event-ID`; a malformed one is refused, not ignored. */
export function resumeCursor(req: IncomingMessage): { ok: true; after: string | undefined } | { ok: false } {
  const url = new URL(req.url ?? '/', 'http://x');
  const raw = url.searchParams.get('after') ?? (req.headers['last-event-id'] as string | undefined);
  if (raw === null || raw === undefined || raw === '') return { ok: true, after: undefined };
  return ulidSchema.safeParse(raw).success ? { ok: true, after: raw } : { ok: false };
}

/**
 * The id of a notification as it came off Redis, without parsing it: the ULID sits at a fixed place
 * in our own serialisation, and parsing the JSON per write would cost more than the write. Ids are
 * validated when published.
 */
export const rawNotificationId = (raw: string | undefined): string | undefined =>
  raw === undefined ? undefined : /"id":"([0-9A-Z]{26})"/.exec(raw)?.[1];

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * The HTTP contenders' (SSE, long polling) shared front door: the verified user and the resume
 * cursor, or an error answer already sent (401 for the token, 400 for a malformed cursor).
 */
export async function acceptHttpRequest(
  req: IncomingMessage,
  res: ServerResponse,
  jwtKey: Uint8Array | undefined,
): Promise<{ userId: string; cursor: { after: string | undefined } } | undefined> {
  let userId: string;
  try {
    userId = await authenticate(req, jwtKey);
  } catch (error) {
    sendJson(res, 401, authFailure(error));
    return undefined;
  }
  const cursor = resumeCursor(req);
  if (!cursor.ok) {
    sendJson(res, 400, { code: 'bad_request', message: 'after must be a ULID' });
    return undefined;
  }
  return { userId, cursor };
}

/** The plain socket.io contender's Redis adapter and emitter channel prefix: socket.io's default. */
export const PLAIN_SOCKETIO_KEY = 'socket.io';
/** The plain socket.io contender's room for a user. */
export const plainUserRoom = (userId: string) => `user:${userId}`;
