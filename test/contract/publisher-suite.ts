import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, PayloadTooLargeError, SyncbellError } from '@syncbell/contract';
import { MAX_NOTIFICATION_BYTES, type Publisher } from '../../shared/server/publish/publisher.js';
import { connectRecorder, type RecordingClient } from '../support/recorder.js';
import type { VariantHarness } from './harness.js';
import { uniqueUser } from '../support/unique-user.js';

/** What the publisher suite needs from a variant: somewhere to connect, and its `Publisher`. */
export interface PublisherHarness extends Pick<VariantHarness, 'name' | 'url' | 'transport' | 'token'> {
  publisher: Publisher;
  stop(): Promise<void>;
}

/**
 * One suite for every variant's `Publisher` (run from each variant's publisher test file): the
 * same interface must mean the same thing on socket.io and on API Gateway.
 */
export function runPublisherSuite(label: string, createHarness: () => Promise<PublisherHarness>): void {
  let harness: PublisherHarness;
  const clients: RecordingClient[] = [];

  const connect = (userId: string, extra: { resumeAfter?: string } = {}) =>
    connectRecorder(harness, clients, userId, extra);

  describe(`publisher (${label})`, () => {
    beforeAll(async () => {
      harness = await createHarness();
    });
    afterAll(async () => {
      for (const recorder of clients) recorder.close();
      await harness?.publisher.close();
      await harness?.stop();
    });

    it('delivers a publish to the connected user with its type, job and data', async () => {
      const userId = uniqueUser('pub');
      const recorder = await connect(userId);
      const receipt = await harness.publisher.publish({
        userId,
        type: 'sync.complete',
        jobId: 'job-1',
        data: { calendar: 'work' },
      });
      await recorder.waitForCount(1);
      expect(receipt.duplicate).toBe(false);
      expect(recorder.received[0]?.notification).toMatchObject({
        id: receipt.id,
        userId,
        type: 'sync.complete',
        jobId: 'job-1',
        data: { calendar: 'work' },
      });
    });

    it('publishes a job once: a retry returns the first id, marked duplicate, and nothing new arrives', async () => {
      const userId = uniqueUser('pub');
      const recorder = await connect(userId);
      const first = await harness.publisher.publish({
        userId,
        type: 'sync.complete',
        jobId: 'retried',
        data: { rows: 3, calendar: 'work' },
      });
      // The same payload, its data's keys in another order: a retry.
      const retry = await harness.publisher.publish({
        userId,
        type: 'sync.complete',
        jobId: 'retried',
        data: { calendar: 'work', rows: 3 },
      });
      // A later publish proves the stream still flows and that nothing from the retry came before it.
      const next = await harness.publisher.publish({ userId, type: 'sync.complete', jobId: 'next' });
      await recorder.waitFor(
        () => recorder.received.some((r) => r.notification.id === next.id),
        'the notification after the retry',
      );
      expect(retry).toEqual({ id: first.id, duplicate: true });
      expect(recorder.received.map((r) => r.notification.id)).toEqual([first.id, next.id]);
    });

    it('refuses a reused key with another type, data or jobId with conflict, and publishes nothing', async () => {
      const userId = uniqueUser('pub');
      const recorder = await connect(userId);
      const first = await harness.publisher.publish({
        userId,
        type: 'sync.complete',
        jobId: 'reused',
        data: { rows: 3 },
      });
      const keyed = await harness.publisher.publish({
        userId,
        type: 'sync.progress',
        jobId: 'j',
        idempotencyKey: 'step-1',
      });
      const reuses = [
        { userId, type: 'sync.failed', jobId: 'reused', data: { rows: 3 } },
        { userId, type: 'sync.complete', jobId: 'reused', data: { rows: 4 } },
        { userId, type: 'sync.complete', jobId: 'reused' },
        { userId, type: 'sync.progress', jobId: 'other-job', idempotencyKey: 'step-1' },
      ] as const;
      for (const input of reuses) {
        const refused = harness.publisher.publish(input);
        await expect(refused, JSON.stringify(input)).rejects.toBeInstanceOf(SyncbellError);
        await expect(refused).rejects.toMatchObject({ code: ErrorCode.Conflict });
      }
      const next = await harness.publisher.publish({ userId, type: 'sync.complete', jobId: 'next' });
      await recorder.waitFor(
        () => recorder.received.some((r) => r.notification.id === next.id),
        'the notification after the conflicts',
      );
      expect(recorder.received.map((r) => r.notification.id)).toEqual([first.id, keyed.id, next.id]);
      const late = await connect(userId, { resumeAfter: '00000000000000000000000000' });
      await late.waitForCount(3);
      expect(late.received.map((r) => r.notification.id)).toEqual([first.id, keyed.id, next.id]);
    });

    it('keeps job ids per user: another user’s same jobId is that user’s own notification, not a duplicate or a conflict', async () => {
      const alice = uniqueUser('alice');
      const bob = uniqueUser('bob');
      const bobClient = await connect(bob);
      const forAlice = await harness.publisher.publish({
        userId: alice,
        type: 'sync.complete',
        jobId: 'shared',
      });
      const forBob = await harness.publisher.publish({ userId: bob, type: 'sync.failed', jobId: 'shared' });
      expect(forBob.duplicate).toBe(false);
      expect(forBob.id).not.toBe(forAlice.id);
      await bobClient.waitForCount(1);
      expect(bobClient.received[0]?.notification).toMatchObject({
        id: forBob.id,
        userId: bob,
        type: 'sync.failed',
      });
    });

    it('deduplicates by an explicit idempotency key instead of the job id', async () => {
      const userId = uniqueUser('pub');
      const a = await harness.publisher.publish({
        userId,
        type: 'sync.progress',
        jobId: 'j',
        idempotencyKey: 'step-1',
      });
      const b = await harness.publisher.publish({
        userId,
        type: 'sync.progress',
        jobId: 'j',
        idempotencyKey: 'step-2',
      });
      const again = await harness.publisher.publish({
        userId,
        type: 'sync.progress',
        jobId: 'j',
        idempotencyKey: 'step-1',
      });
      expect(b.id).not.toBe(a.id);
      expect(again).toEqual({ id: a.id, duplicate: true });
      const late = await connect(userId, { resumeAfter: '00000000000000000000000000' });
      await late.waitForCount(2);
      expect(late.received.map((r) => r.notification.id)).toEqual([a.id, b.id]);
    });

    it('logs what it publishes: a client that connects afterwards gets it by resume, in publish order', async () => {
      const userId = uniqueUser('pub');
      const first = await connect(userId);
      const seen = await harness.publisher.publish({ userId, type: 'sync.complete', jobId: 'seen' });
      await first.waitForCount(1);
      first.close();
      const missed: string[] = [];
      for (let i = 0; i < 4; i++)
        missed.push((await harness.publisher.publish({ userId, type: 'sync.complete', jobId: `m-${i}` })).id);
      const second = await connect(userId, { resumeAfter: seen.id });
      await second.waitForCount(4);
      expect(second.received.map((r) => r.notification.id)).toEqual(missed);
      expect(second.received.every((r) => r.meta.replayed)).toBe(true);
    });

    it('delivers several publishes to one user live in publish order', async () => {
      const userId = uniqueUser('pub');
      const recorder = await connect(userId);
      const ids: string[] = [];
      for (let i = 0; i < 10; i++)
        ids.push((await harness.publisher.publish({ userId, type: 'sync.progress', jobId: `o-${i}` })).id);
      await recorder.waitForCount(10);
      expect(recorder.received.map((r) => r.notification.id)).toEqual(ids);
      expect(recorder.received.every((r) => !r.meta.replayed)).toBe(true);
    });

    it('refuses bad input with a clear error and publishes nothing', async () => {
      const userId = uniqueUser('pub');
      const bad = [
        { userId: 'has space', type: 'sync.complete', jobId: 'j' },
        { userId, type: 'sync.unknown', jobId: 'j' },
        { userId, type: 'sync.complete', jobId: '' },
        { userId, type: 'sync.complete', jobId: 'j', extra: true },
      ];
      for (const input of bad) {
        const refused = harness.publisher.publish(input as never);
        await expect(refused).rejects.toBeInstanceOf(SyncbellError);
        await expect(refused).rejects.toMatchObject({ code: ErrorCode.BadRequest });
      }
      await expect(
        harness.publisher.publish({
          userId,
          type: 'sync.complete',
          jobId: 'big',
          data: { blob: 'x'.repeat(MAX_NOTIFICATION_BYTES) },
        }),
      ).rejects.toBeInstanceOf(PayloadTooLargeError);
      // Nothing was logged, so the job ids are still free.
      const ok = await harness.publisher.publish({ userId, type: 'sync.complete', jobId: 'big' });
      expect(ok.duplicate).toBe(false);
      const late = await connect(userId, { resumeAfter: '00000000000000000000000000' });
      await late.waitForCount(1);
      expect(late.received.map((r) => r.notification.id)).toEqual([ok.id]);
    });
  });
}
