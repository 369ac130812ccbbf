import { monotonicFactory } from 'ulidx';
import * as z from 'zod';
import {
  ENVELOPE_VERSION,
  MAX_ID_LENGTH,
  NOTIFICATION_TYPES,
  type NotificationType,
  ULID_MESSAGE,
  ULID_PATTERN,
  USER_ID_MESSAGE,
  USER_ID_PATTERN,
} from './wire.js';

/** Crockford base32 ULID (see `ULID_PATTERN`). */
export const ulidSchema = z.string().regex(ULID_PATTERN, ULID_MESSAGE);

/** User ids end up in room names and DynamoDB keys: keep them boring. */
export const userIdSchema = z.string().min(1).max(MAX_ID_LENGTH).regex(USER_ID_PATTERN, USER_ID_MESSAGE);

export const jobIdSchema = z.string().min(1).max(MAX_ID_LENGTH);

/**
 * What a publisher creates: strict, so a server only ever emits valid, known envelopes. Readers
 * use `receivedNotificationSchema` (evolution.ts) instead, which tolerates newer servers.
 */
export const notificationSchema = z
  .object({
    v: z.literal(ENVELOPE_VERSION),
    id: ulidSchema,
    type: z.enum(NOTIFICATION_TYPES),
    userId: userIdSchema,
    jobId: jobIdSchema,
    /** Creation time in epoch milliseconds, stamped by the publisher. Latency is measured from it. */
    createdAtMs: z.number().int().nonnegative(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export type Notification = z.infer<typeof notificationSchema>;

export interface NewNotification {
  type: NotificationType;
  userId: string;
  jobId: string;
  data?: Record<string, unknown>;
}

const nextUlid = monotonicFactory();

/**
 * Builds a validated envelope. Ids come from a monotonic ULID factory so that two
 * notifications created in the same millisecond by one process still sort in creation order.
 */
export function createNotification(input: NewNotification, nowMs: number = Date.now()): Notification {
  return notificationSchema.parse({
    v: ENVELOPE_VERSION,
    id: nextUlid(nowMs),
    type: input.type,
    userId: input.userId,
    jobId: input.jobId,
    createdAtMs: nowMs,
    ...(input.data === undefined ? {} : { data: input.data }),
  });
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const FLOOR_SUFFIX = '0'.repeat(16);

/** Epoch ms encoded in a ULID's first 10 characters. */
export function ulidTimeMs(id: string): number {
  let ms = 0;
  for (const ch of id.slice(0, 10)) ms = ms * 32 + CROCKFORD.indexOf(ch);
  return ms;
}

/**
 * The smallest ULID of a millisecond (randomness all zero): a *time cursor* that sorts before
 * every real id created at or after `timeMs`. Real ids with 80 zero random bits do not happen.
 */
export function ulidFloor(timeMs: number): string {
  let time = '';
  let rest = Math.max(0, Math.floor(timeMs));
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD.charAt(rest % 32) + time;
    rest = Math.floor(rest / 32);
  }
  return time + FLOOR_SUFFIX;
}

export function isUlidFloor(id: string): boolean {
  return id.endsWith(FLOOR_SUFFIX);
}
