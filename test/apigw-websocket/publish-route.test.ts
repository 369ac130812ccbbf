import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@syncbell/contract';
import { runPublishRouteSuite } from '../contract/publish-route-suite.js';
import { uniqueUser } from '../support/unique-user.js';
import { connectRecorder, type RecordingClient } from '../support/recorder.js';
import { type ApigwHarness, createApigwHarness } from './support/harness.js';

/**
 * `POST /v1/publish` on the local stack (serverless-offline + dynalite), as a backend in another
 * language calls it: plain HTTP, the publish API key in `x-api-key` (offline stands in for the
 * SigV4 that authenticates the route on AWS), received by a `@syncbell/client/apigw` client.
 */
let harness: ApigwHarness;
const clients: RecordingClient[] = [];

beforeAll(async () => {
  harness = await createApigwHarness();
}, 120_000);
afterAll(async () => {
  for (const recorder of clients) recorder.close();
  await harness?.stop();
});

async function post(
  body: unknown,
  headers: Record<string, string> = { 'x-api-key': harness.stack.publishApiKey },
): Promise<{ status: number; json: { code?: string; message?: string; id?: string; duplicate?: boolean } }> {
  const response = await fetch(harness.stack.publishUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as never };
}

runPublishRouteSuite('API Gateway', async () => ({
  publishUrl: harness.stack.publishUrl,
  apiKey: harness.stack.publishApiKey,
  userToken: (userId) => harness.token(userId),
  // The stack is this file's (afterAll).
  stop: async () => {},
}));

describe('POST /v1/publish (API Gateway variant, local stack)', () => {
  it('delivers what a backend publishes to the user’s connected client, with its data', async () => {
    const userId = uniqueUser();
    const recorder = await connectRecorder(harness, clients, userId);
    const answer = await post({ userId, type: 'sync.complete', jobId: 'route-1', data: { rows: 3 } });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ duplicate: false });
    await recorder.waitForCount(1);
    expect(recorder.received[0]?.notification).toMatchObject({
      id: answer.json.id,
      userId,
      type: 'sync.complete',
      jobId: 'route-1',
      data: { rows: 3 },
    });
  });

  it('publishes a repeated jobId once: the retry answers the first id and notifies nobody again', async () => {
    const userId = uniqueUser();
    const recorder = await connectRecorder(harness, clients, userId);
    const first = await post({ userId, type: 'sync.complete', jobId: 'retried' });
    const retry = await post({ userId, type: 'sync.complete', jobId: 'retried' });
    expect(retry).toEqual({ status: 200, json: { id: first.json.id, duplicate: true } });
    // Posts to one connection arrive in order: once the next job's notification is in, a second
    // delivery of the retried one would have been too.
    const next = await post({ userId, type: 'sync.complete', jobId: 'after-the-retry' });
    await recorder.waitFor(
      () => recorder.received.some((r) => r.notification.id === next.json.id),
      'the notification after the retry',
    );
    expect(recorder.received.map((r) => r.notification.jobId)).toEqual(['retried', 'after-the-retry']);
    expect(recorder.errors).toEqual([]);
  });

  it('refuses an end user’s token with 403 forbidden, and publishes nothing', async () => {
    const userId = uniqueUser();
    const recorder = await connectRecorder(harness, clients, userId);
    const token = await harness.token(userId);
    const answer = await post(
      { userId, type: 'sync.complete', jobId: 'by-user-token' },
      { authorization: `Bearer ${token}` },
    );
    expect(answer.status).toBe(403);
    expect(answer.json.code).toBe(ErrorCode.Forbidden);
    // The same job id is still free: a keyed publish of it is not a duplicate.
    expect((await post({ userId, type: 'sync.complete', jobId: 'by-user-token' })).json.duplicate).toBe(
      false,
    );
    await recorder.waitForCount(1);
  });

  it('refuses an offline-forged IAM context with 401', async () => {
    const body = { userId: uniqueUser(), type: 'sync.complete', jobId: 'no-key' };
    const attempts: Record<string, string>[] = [
      // serverless-offline lets a caller set the authorizer context: locally it proves nothing.
      { 'sls-offline-authorizer-override': JSON.stringify({ iam: { userArn: 'arn:aws:iam::1:user/x' } }) },
    ];
    for (const headers of attempts) {
      const answer = await post(body, headers);
      expect(answer.status).toBe(401);
      expect(answer.json.code).toBe(ErrorCode.InvalidToken);
    }
  });
});
