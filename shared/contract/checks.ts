/**
 * # What a reader checks, without zod
 *
 * The browser SDK validates every frame and notification it reads (the tolerant reader of
 * `evolution.ts`). Hand-written, not zod, because of the bytes a browser downloads: measured with
 * esbuild (minified) and gzip, zod was 98 KB of the SDK's 157 KB minified bundle, and even
 * `zod/mini` (tree-shaken, these schemas only) is 9.1 KB gzip, nearly the whole 10 KB budget of
 * an API Gateway app; these checks are 1.3 KB gzip with the constants they use.
 * The zod schemas stay the definition for servers and the JSON Schema generator;
 * each check below names the schema it mirrors, and a property test
 * (test/shared/contract/checks.test.ts) holds the two to the same accept / reject on JSON values
 * (what comes off the wire), valid, mutated and with extra fields.
 *
 * This module imports no zod and has no top-level side effects (its top level only builds the
 * shapes from pure helpers).
 */
import type { Notification } from './envelope.js';
import type { ReceivedReplayResult, ReceivedServerFrame } from './protocol.js';
import {
  ENVELOPE_VERSION,
  MAX_ID_LENGTH,
  NOTIFICATION_TYPES,
  SERVER_FRAME_TYPES,
  ULID_MESSAGE,
  ULID_PATTERN,
  USER_ID_MESSAGE,
  USER_ID_PATTERN,
} from './wire.js';

type Fields = Record<string, unknown>;
/** Returns what is wrong with a field's value, or undefined when it passes. */
type FieldCheck = (value: unknown) => string | undefined;

/** An object that is not an array (zod's `isObject`; a JSON object is also zod's plain object). */
function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const string: FieldCheck = (value) => (typeof value === 'string' ? undefined : 'must be a string');
const boolean: FieldCheck = (value) => (typeof value === 'boolean' ? undefined : 'must be a boolean');
/** zod 4's `z.number()` refuses NaN and the infinities. */
const number: FieldCheck = (value) =>
  typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a finite number';
const array: FieldCheck = (value) => (Array.isArray(value) ? undefined : 'must be an array');
const record: FieldCheck = (value) => (isFields(value) ? undefined : 'must be an object');
const present: FieldCheck = () => undefined;
const ulid: FieldCheck = (value) =>
  typeof value === 'string' && ULID_PATTERN.test(value) ? undefined : ULID_MESSAGE;
const jobId: FieldCheck = (value) =>
  typeof value !== 'string'
    ? 'must be a string'
    : value.length < 1 || value.length > MAX_ID_LENGTH
      ? `must be 1 to ${MAX_ID_LENGTH} characters`
      : undefined;
const userId: FieldCheck = (value) =>
  jobId(value) ?? (USER_ID_PATTERN.test(value as string) ? undefined : USER_ID_MESSAGE);
/** zod 4's `.int()` is a safe integer. */
/* @__NO_SIDE_EFFECTS__ */ const integerFrom =
  (min: number): FieldCheck =>
  (value) =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= min
      ? undefined
      : `must be an integer of at least ${min}`;
/* @__NO_SIDE_EFFECTS__ */ const oneOf =
  (values: readonly unknown[]): FieldCheck =>
  (value) =>
    values.includes(value) ? undefined : `must be one of ${values.join(', ')}`;
/* @__NO_SIDE_EFFECTS__ */ const optional =
  (check: FieldCheck): FieldCheck =>
  (value) =>
    value === undefined ? undefined : check(value);

/**
 * The problems of an object against a shape, as `field: message`; fields not in the shape are
 * not looked at (zod's `looseObject`, and `object`, which strips them). A required field must be
 * present (`in`), even when its check would accept `undefined`.
 */
function problemsOf(value: unknown, shape: Record<string, FieldCheck>, what: string): string[] {
  if (!isFields(value)) return [`${what}: must be an object`];
  const problems: string[] = [];
  for (const [field, check] of Object.entries(shape)) {
    const problem = !(field in value) && check === present ? 'is required' : check(value[field]);
    if (problem !== undefined) problems.push(`${field}: ${problem}`);
  }
  return problems;
}

/** Mirrors `receivedNotificationSchema` (evolution.ts). */
const receivedNotificationShape: Record<string, FieldCheck> = {
  id: ulid,
  type: (value) =>
    typeof value !== 'string' ? 'must be a string' : value.length === 0 ? 'must not be empty' : undefined,
  userId,
  createdAtMs: integerFrom(0),
  v: optional(integerFrom(1)),
  jobId: optional(jobId),
  data: optional(record),
};

/**
 * What is wrong with a notification a reader received (the rules of `evolution.ts`), as
 * `field: message` lines; empty when it is fine to deliver.
 */
export function notificationProblems(value: unknown): string[] {
  return problemsOf(value, receivedNotificationShape, 'notification');
}

/** Mirrors `knownNotificationSchema`: a v1 envelope of a known type, extra fields tolerated. */
const knownNotificationShape: Record<string, FieldCheck> = {
  v: oneOf([ENVELOPE_VERSION]),
  id: ulid,
  type: oneOf(NOTIFICATION_TYPES),
  userId,
  jobId,
  createdAtMs: integerFrom(0),
  data: optional(record),
};

/** True when the typed events may carry `value` as a `Notification` (known type, `v` 1, valid v1 fields). */
export function isKnownNotification(value: unknown): value is Notification {
  return problemsOf(value, knownNotificationShape, 'notification').length === 0;
}

/** The id of a notification that failed validation, when it has a readable one (for the report). */
export function readableNotificationId(value: unknown): string | undefined {
  const id = (value as { id?: unknown } | null | undefined)?.id;
  return ulid(id) === undefined ? (id as string) : undefined;
}

/** Mirrors `receivedErrorFrameBodySchema`: any code of 1 to 64 characters (a newer server may add codes). */
const errorCode: FieldCheck = (value) =>
  typeof value !== 'string'
    ? 'must be a string'
    : value.length < 1 || value.length > 64
      ? 'must be 1 to 64 characters'
      : undefined;
const errorFrameBodyShape: Record<string, FieldCheck> = {
  code: errorCode,
  message: string,
  retryAfterMs: optional(integerFrom(0)),
};

/**
 * A socket.io error frame / `connect_error` data body, or undefined when `value` is not one. The
 * code may be one this version does not know: raise it with `errorFromServer`.
 */
export function readErrorFrameBody(
  value: unknown,
): { code: string; message: string; retryAfterMs?: number } | undefined {
  if (problemsOf(value, errorFrameBodyShape, 'error').length > 0) return undefined;
  const body = value as { code: string; message: string; retryAfterMs?: number };
  return {
    code: body.code,
    message: body.message,
    ...(body.retryAfterMs === undefined ? {} : { retryAfterMs: body.retryAfterMs }),
  };
}

/** Mirrors `receivedReplayResultSchema`. */
const replayResultShape: Record<string, FieldCheck> = {
  notifications: array,
  truncated: boolean,
  cursor: optional(ulid),
  servedBy: optional(string),
};

/** The socket.io replay answer, its entries left for the reader to check one by one; undefined when malformed. */
export function readReplayResult(value: unknown): ReceivedReplayResult | undefined {
  return problemsOf(value, replayResultShape, 'replay').length === 0
    ? (value as ReceivedReplayResult)
    : undefined;
}

/** Mirrors `receivedServerFrameSchema`, one shape per frame `type`. */
const serverFrameShapes: Record<(typeof SERVER_FRAME_TYPES)[number], Record<string, FieldCheck>> = {
  notification: { notification: present },
  replay: {
    requestId: optional(string),
    notifications: array,
    truncated: boolean,
    more: optional(boolean),
    cursor: optional(ulid),
  },
  pong: { requestId: optional(string), serverTimeMs: number },
  error: { requestId: optional(string), code: errorCode, message: string },
};

/**
 * An API Gateway server frame, its notifications left for the reader to check; undefined when
 * malformed or of a type this version does not know (`SERVER_FRAME_TYPES`).
 */
export function readServerFrame(value: unknown): ReceivedServerFrame | undefined {
  const type = (value as { type?: unknown } | null | undefined)?.type;
  if (!isFields(value) || !(SERVER_FRAME_TYPES as readonly unknown[]).includes(type)) return undefined;
  const shape = serverFrameShapes[type as keyof typeof serverFrameShapes];
  return problemsOf(value, shape, 'frame').length === 0 ? (value as ReceivedServerFrame) : undefined;
}
