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
