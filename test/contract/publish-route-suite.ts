import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@syncbell/contract';
import { MAX_PUBLISH_BODY_BYTES } from '@syncbell/server';
import { postRaw } from '../support/post-raw.js';
import { uniqueUser } from '../support/unique-user.js';

/** What the publish-route suite needs from a variant: its live `POST /v1/publish` and a key it accepts. */
export interface PublishRouteHarness {
  publishUrl: string;
  apiKey: string;
  /** Signs an end user's token, as the variant's users get one. */
  userToken(userId: string): Promise<string>;
  stop(): Promise<void>;
}

type Answer = Awaited<ReturnType<typeof postRaw>>;

/**
 * One suite for both variants' `POST /v1/publish` (run from each variant's route test): the same
 * credential rule, the same answers for a retry and for a reused key, the same limits.
 */
export function runPublishRouteSuite(label: string, createHarness: () => Promise<PublishRouteHarness>): void {
  let route: PublishRouteHarness;
  const harness = () => route;
  const post = (body: unknown, headers?: Record<string, string | string[]>): Promise<Answer> =>
    postRaw(
      route.publishUrl,
      headers ?? { 'x-api-key': route.apiKey },
      typeof body === 'string' ? body : JSON.stringify(body),
    );

  describe(`POST /v1/publish: the contract (${label})`, () => {
    beforeAll(async () => {
      route = await createHarness();
    }, 120_000);
    afterAll(async () => {
      await route?.stop();
    });

    it('answers a retry with the same payload 200 duplicate, and a reused key with another payload 409 conflict', async () => {
      const userId = uniqueUser('route');
      const first = await post({ userId, type: 'sync.complete', jobId: 'j-1', data: { rows: 3, a: 1 } });
      const retry = await post({ userId, type: 'sync.complete', jobId: 'j-1', data: { a: 1, rows: 3 } });
      const reused = await Promise.all([
        post({ userId, type: 'sync.failed', jobId: 'j-1', data: { rows: 3, a: 1 } }),
        post({ userId, type: 'sync.complete', jobId: 'j-1', data: { rows: 4, a: 1 } }),
        post({ userId, type: 'sync.complete', jobId: 'j-2', idempotencyKey: 'j-1' }),
      ]);
      expect(first).toMatchObject({ status: 200, body: { duplicate: false } });
      expect(retry).toEqual({ status: 200, body: { id: first.body.id, duplicate: true } });
      for (const answer of reused)
        expect(answer).toMatchObject({ status: 409, body: { code: ErrorCode.Conflict } });
      // A conflict published nothing: the key's first notification is still the one a retry gets.
      expect(await post({ userId, type: 'sync.complete', jobId: 'j-1', data: { a: 1, rows: 3 } })).toEqual(
        retry,
      );
    });

    it.each(['Bearer', 'bearer', 'BEARER'])(
      'refuses an end user’s token as %s with 403 forbidden',
      async (scheme) => {
        const userId = uniqueUser('route');
        const token = await harness().userToken(userId);
        const answer = await post(
          { userId, type: 'sync.complete', jobId: 'j' },
          { authorization: `${scheme} ${token}` },
        );
        expect(answer).toMatchObject({ status: 403, body: { code: ErrorCode.Forbidden } });
      },
    );

    it.each([
      ['no credential', {}],
      ['a wrong key', { 'x-api-key': 'w'.repeat(40) }],
      ['the key in Authorization', { authorization: 'k'.repeat(40) }],
    ])('refuses %s with 401 invalid_token', async (_what, headers: Record<string, string>) => {
      const answer = await post({ userId: uniqueUser('route'), type: 'sync.complete', jobId: 'j' }, headers);
      expect(answer).toMatchObject({ status: 401, body: { code: ErrorCode.InvalidToken } });
    });

    it.each([
      ['a body that is not JSON', '{nope'],
      ['an unknown type', { userId: 'u', type: 'nope', jobId: 'j' }],
      ['a missing jobId', { userId: 'u', type: 'sync.complete' }],
      ['an unknown field', { userId: 'u', type: 'sync.complete', jobId: 'j', room: 'everyone' }],
    ])('refuses %s with 400 bad_request', async (_what, body) => {
      expect(await post(body)).toMatchObject({ status: 400, body: { code: ErrorCode.BadRequest } });
    });

    it('refuses a notification over the envelope limit, and a body over twice it, with 413 payload_too_large', async () => {
      const envelope = await post({
        userId: 'u',
        type: 'sync.complete',
        jobId: 'j',
        data: { blob: 'x'.repeat(40_000) },
      });
      const body = await post({
        userId: 'u',
        type: 'sync.complete',
        jobId: 'j',
        data: { blob: 'x'.repeat(MAX_PUBLISH_BODY_BYTES) },
      });
      expect(envelope).toMatchObject({ status: 413, body: { code: ErrorCode.PayloadTooLarge } });
      expect(body).toMatchObject({ status: 413, body: { code: ErrorCode.PayloadTooLarge } });
    });
  });
}
