import {
  CLIENT_ACTIONS,
  type ClientFrame,
  clientFrameSchema,
  ErrorCode,
  type LoggedEntry,
  PayloadTooLargeError,
  ProtocolError,
  type ReplayResult,
  type ServerFrame,
} from '@syncbell/contract';
import { MAX_CLIENT_FRAME_BYTES, MAX_SERVER_FRAME_BYTES } from '../config.js';

/**
 * Parses one inbound frame. Never throws anything but the contract's own errors, so `$default`
 * can turn every bad frame into a clear error frame instead of a 500.
 */
export function parseClientFrame(body: string | undefined, isBase64Encoded = false): ClientFrame {
  const text =
    body === undefined ? '' : isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_CLIENT_FRAME_BYTES) throw new PayloadTooLargeError(bytes, MAX_CLIENT_FRAME_BYTES);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ProtocolError(ErrorCode.BadRequest, 'frame is not valid JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ProtocolError(ErrorCode.BadRequest, 'frame must be a JSON object with an "action" field');
  }
  const action = (json as { action?: unknown }).action;
  if (typeof action !== 'string') {
    throw new ProtocolError(ErrorCode.BadRequest, 'frame has no string "action" field');
  }
  if (!(CLIENT_ACTIONS as readonly string[]).includes(action)) {
    throw new ProtocolError(
      ErrorCode.UnknownAction,
      `unknown action "${action.slice(0, 64)}"; expected one of: ${CLIENT_ACTIONS.join(', ')}`,
    );
  }
  const frame = clientFrameSchema.safeParse(json);
  if (!frame.success) {
    const detail = frame.error.issues
      .map((issue) => `${issue.path.join('.') || 'frame'}: ${issue.message}`)
      .join('; ');
    throw new ProtocolError(ErrorCode.BadRequest, `invalid "${action}" frame: ${detail}`);
  }
  return frame.data;
}

/** A best-effort `requestId` from a frame that failed validation, so the error can be correlated. */
export function requestIdOf(body: string | undefined): string | undefined {
  if (body === undefined || body.length > MAX_CLIENT_FRAME_BYTES) return undefined;
  try {
    const requestId = (JSON.parse(body) as { requestId?: unknown }).requestId;
    return typeof requestId === 'string' && requestId.length <= 64 ? requestId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Splits a replay into frames under the management API's 128 KB message cap; every frame but
 * the last says `more: true`. Always at least one frame, so an empty replay is still answered.
 */
export function replayFrames(
  result: ReplayResult,
  requestId: string | undefined,
  maxFrameBytes: number = MAX_SERVER_FRAME_BYTES,
): ServerFrame[] {
  const { notifications, truncated, cursor } = result;
  const base = {
    type: 'replay' as const,
    truncated,
    ...(requestId === undefined ? {} : { requestId }),
    ...(cursor === undefined ? {} : { cursor }),
  };
  const overheadBytes = Buffer.byteLength(JSON.stringify({ ...base, notifications: [], more: true }));
  const frames: ServerFrame[] = [];
  let chunk: LoggedEntry[] = [];
  let chunkBytes = overheadBytes;
  for (const notification of notifications) {
    const bytes = Buffer.byteLength(JSON.stringify(notification)) + 1;
    if (chunk.length > 0 && chunkBytes + bytes > maxFrameBytes) {
      frames.push({ ...base, notifications: chunk, more: true });
      chunk = [];
      chunkBytes = overheadBytes;
    }
    chunk.push(notification);
    chunkBytes += bytes;
  }
  frames.push({ ...base, notifications: chunk });
  return frames;
}
