import { describe, expect, it } from 'vitest';
import { ErrorCode, PayloadTooLargeError, ulidSchema } from '../../../../shared/contract/index.js';
import {
  MAX_NOTIFICATION_BYTES,
  notificationToPublish,
  PublishInputError,
} from '../../../../shared/server/publish/publisher.js';

describe('notificationToPublish', () => {
  it('builds a contract envelope and keys it by the job id unless given an idempotency key', () => {
    const { notification, idempotencyKey } = notificationToPublish({
      userId: 'alice',
      type: 'sync.complete',
      jobId: 'job-1',
      data: { calendar: 'primary' },
    });
    expect(ulidSchema.safeParse(notification.id).success).toBe(true);
    expect(notification).toMatchObject({ v: 1, userId: 'alice', type: 'sync.complete', jobId: 'job-1' });
    expect(idempotencyKey).toBe('job-1');
    expect(
      notificationToPublish({
        userId: 'alice',
        type: 'sync.progress',
        jobId: 'job-1',
        idempotencyKey: 'step-2',
      }).idempotencyKey,
    ).toBe('step-2');
  });

  it('names every field the contract refuses', () => {
    const refusal = (() => {
      try {
        notificationToPublish({ userId: 'a b', type: 'sync.nope', jobId: '' } as never);
      } catch (error) {
        return error as PublishInputError;
      }
    })();
    expect(refusal).toBeInstanceOf(PublishInputError);
    expect(refusal?.code).toBe(ErrorCode.BadRequest);
    expect(refusal?.message).toMatch(/userId: .*letters, digits/);
    expect(refusal?.message).toMatch(/type: /);
    expect(refusal?.message).toMatch(/jobId: /);
  });

  it('refuses an envelope over the size limit with its size', () => {
    expect(() =>
      notificationToPublish({
        userId: 'alice',
        type: 'sync.complete',
        jobId: 'j',
        data: { blob: 'x'.repeat(MAX_NOTIFICATION_BYTES) },
      }),
    ).toThrow(PayloadTooLargeError);
  });
});
