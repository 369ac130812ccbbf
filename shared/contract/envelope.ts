import { monotonicFactory } from 'ulidx';
import * as z from 'zod';

/**
 * Bumped only for a change an older reader would misread; never for a new type or field. Readers
 * pass unknown higher versions through on the generic event (see `evolution.ts`).
 */
export const ENVELOPE_VERSION = 1 as const;

export const NOTIFICATION_TYPES = ['sync.complete', 'sync.failed', 'sync.progress'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** Crockford base32 ULID: 48-bit time + 80 bits randomness, lexically time-sortable. */
export const ulidSchema = z
  .string()
  .regex(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/, 'must be a ULID (26 Crockford base32 characters)');

/** User ids end up in room names and DynamoDB keys: keep them boring. */
export const userIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._@-]+$/, 'may contain only letters, digits and . _ @ -');

export const jobIdSchema = z.string().min(1).max(128);

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
