import { createHash } from 'node:crypto';
import stringify from 'safe-stable-stringify';
import * as z from 'zod';
import {
  createNotification,
  ErrorCode,
  jobIdSchema,
  NOTIFICATION_TYPES,
  type Notification,
  type NotificationType,
  PayloadTooLargeError,
  SyncbellError,
  userIdSchema,
} from '@syncbell/contract';

/**
 * The largest envelope a publisher accepts, serialized. API Gateway caps a posted frame at 128 KB
 * and a replay frame carries several notifications, so one notification stays well below it; a
 * notification says that something is ready, the app fetches the thing itself.
 */
export const MAX_NOTIFICATION_BYTES = 32 * 1024;

/**
 * The largest `POST /v1/publish` body either variant reads, derived from the envelope limit:
 * twice it, room for JSON whitespace and the `idempotencyKey`, so the envelope's own check
 * (`payload_too_large` with the envelope's size) is what refuses a notification; a body past this
 * is refused unread.
 */
export const MAX_PUBLISH_BODY_BYTES = 2 * MAX_NOTIFICATION_BYTES;

/** What a backend job publishes. */
export interface PublishInput {
  userId: string;
  type: NotificationType;
  /** The job this notification completes: one notification per `(userId, jobId)`. */
  jobId: string;
  data?: Record<string, unknown>;
  /** Deduplicates by this instead of `jobId` (a job that notifies more than once). @default jobId */
  idempotencyKey?: string;
}

export interface PublishReceipt {
  /** The notification's id: the first publish's id when this one was a retry. */
  id: string;
  /** True when an earlier publish with the same idempotency key already logged the notification. */
  duplicate: boolean;
}

/**
 * The one way a backend publishes, on either variant: the notification is written to the user's
 * replay log, then sent to the user's open connections. Idempotent by `jobId` (or
 * `idempotencyKey`): a retried publish logs nothing new and resolves with the first publish's id;
 * anything delivered again carries that id, which the SDK drops.
 */
export interface Publisher {
  publish(input: PublishInput): Promise<PublishReceipt>;
  /** Releases what the publisher opened itself (clients passed in are left to their owner). */
  close(): Promise<void>;
}

const publishInputSchema = z
  .object({
    userId: userIdSchema,
    type: z.enum(NOTIFICATION_TYPES),
    jobId: jobIdSchema,
    data: z.record(z.string(), z.unknown()).optional(),
    idempotencyKey: z.string().min(1).max(128).optional(),
  })
  .strict();

/** Raised for a publish input the contract refuses; nothing was logged or sent. */
export class PublishInputError extends SyncbellError {
  override readonly name = 'PublishInputError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.BadRequest, message, options);
  }
}

/**
 * Raised when a publish reuses an idempotency key (the `jobId`, or `idempotencyKey`) that an
 * earlier publish of another payload claimed (Powertools' idempotency raises
 * `IdempotencyValidationError` for the same case). Nothing was logged or sent. Answered 409
 * `conflict` by both publish routes.
 */
export class IdempotencyConflictError extends SyncbellError {
  override readonly name = 'IdempotencyConflictError';
  /** The reused key. */
  readonly idempotencyKey: string;
  /** The id of the notification the key was first published as. */
  readonly claimedId: string;
  constructor(idempotencyKey: string, claimedId: string) {
    super(
      ErrorCode.Conflict,
      `idempotency key "${idempotencyKey}" was already published as ${claimedId} with a different type, jobId or data; a retry must repeat the first payload, a new notification needs a new key`,
    );
    this.idempotencyKey = idempotencyKey;
    this.claimedId = claimedId;
  }
}

/** The fields of a notification (this version's, or a stored one a newer version wrote) a retry repeats. */
export interface PublishedPayload {
  type: string;
  jobId?: string | undefined;
  data?: Record<string, unknown> | undefined;
}

/**
 * What a retry must repeat: the notification's `type`, `jobId` and `data`, hashed (SHA-256 of
 * the JSON with sorted keys, so `{a, b}` and `{b, a}` are one payload), as Powertools' idempotency
 * stores a hash of the payload with each key. Not the `userId`: a claim belongs to one user (the
 * user is part of its key), so the same key under another user is another claim, never a
 * conflict, and a publish can learn nothing about another user's keys. Not the `id` or
 * `createdAtMs`, which each attempt makes anew.
 */
export function payloadHash(notification: PublishedPayload): string {
  const payload = {
    type: notification.type,
    jobId: notification.jobId ?? null,
    data: notification.data ?? {},
  };
  return createHash('sha256').update(stringify(payload), 'utf8').digest('base64url');
}

/**
 * A claim found for `key`: the same payload is a retry (`duplicate`), another one is refused with
 * `IdempotencyConflictError`. `storedHash` is the hash stored with the claim; a claim stored
 * without one (before hashes were kept) is checked against its stored notification's payload.
 */
export function checkClaim(
  claimed: PublishedPayload & { id: string },
  storedHash: string | undefined,
  published: Notification,
  key: string,
): void {
  if ((storedHash ?? payloadHash(claimed)) !== payloadHash(published))
    throw new IdempotencyConflictError(key, claimed.id);
}

/** The envelope `input` publishes and the key that deduplicates it, or a clear error. */
export function notificationToPublish(input: PublishInput): {
  notification: Notification;
  idempotencyKey: string;
} {
  const parsed = publishInputSchema.safeParse(input);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`);
    throw new PublishInputError(`invalid publish input: ${detail.join('; ')}`, { cause: parsed.error });
  }
  const { idempotencyKey, data, ...fields } = parsed.data;
  const notification = createNotification({ ...fields, ...(data === undefined ? {} : { data }) });
  const bytes = new TextEncoder().encode(JSON.stringify(notification)).byteLength;
  if (bytes > MAX_NOTIFICATION_BYTES) throw new PayloadTooLargeError(bytes, MAX_NOTIFICATION_BYTES);
  return { notification, idempotencyKey: idempotencyKey ?? fields.jobId };
}
