import { describe, expect, it } from 'vitest';
import { createJobsHandler } from '../../../../apigw-websocket/src/handlers/jobs.js';
import type { NotifyEvent } from '../../../../apigw-websocket/src/handlers/notify.js';
import { signToken } from '../../../../shared/server/auth/index.js';
import { ErrorCode } from '../../../../shared/contract/index.js';
import { noopTelemetry } from '../../support/fixtures.js';

const jwtKey = new TextEncoder().encode('unit-test-secret-that-is-long-enough-0123456789');

function jobsHandler() {
  const started: NotifyEvent[] = [];
  const handler = createJobsHandler(() => ({
    jwtKey,
    telemetry: noopTelemetry,
    startJob: async (event) => {
      started.push(event);
    },
    newJobId: () => 'job_fixed',
  }));
  return { handler, started };
}

/** An HTTP API (payload 2.0) event. */
const httpEvent = (headers: Record<string, string | undefined>, body?: string) => ({
  version: '2.0',
  routeKey: 'POST /jobs/sync',
  rawPath: '/jobs/sync',
  headers,
  requestContext: { http: { method: 'POST', path: '/jobs/sync' } },
  isBase64Encoded: false,
  ...(body === undefined ? {} : { body }),
});

describe('POST /jobs/sync', () => {
  it('answers 202 with a jobId and starts a job that notifies the token’s user', async () => {
    const { handler, started } = jobsHandler();
    const token = await signToken({ userId: 'alice', key: jwtKey });
    const result = await handler(
      httpEvent({ authorization: `Bearer ${token}` }, JSON.stringify({ durationMs: 50, outcome: 'failed' })),
    );
    expect(result.statusCode).toBe(202);
    expect(JSON.parse(result.body ?? '')).toEqual({ jobId: 'job_fixed' });
    expect(started).toEqual([
      { userId: 'alice', jobId: 'job_fixed', type: 'sync.failed', data: { durationMs: 50 }, delayMs: 50 },
    ]);
  });

  it('defaults to a 2-second job that completes when the body is empty', async () => {
    const { handler, started } = jobsHandler();
    const token = await signToken({ userId: 'alice', key: jwtKey });
    expect((await handler(httpEvent({ authorization: `Bearer ${token}` }))).statusCode).toBe(202);
    expect(started[0]).toMatchObject({ type: 'sync.complete', delayMs: 2000 });
  });

  it('answers 401 with a code for a missing or bad bearer token, or two of them, and starts nothing', async () => {
    const { handler, started } = jobsHandler();
    const token = await signToken({ userId: 'alice', key: jwtKey });
    for (const headers of [
      {},
      { authorization: 'Bearer nonsense' },
      { authorization: 'Basic abc' },
      // Two Authorization headers, as API Gateway's HTTP API hands them on: joined with a comma.
      { authorization: `Bearer ${token},Bearer ${token}` },
    ]) {
      const result = await handler(httpEvent(headers, '{}'));
      expect(result.statusCode).toBe(401);
      expect(JSON.parse(result.body ?? '')).toMatchObject({ code: ErrorCode.InvalidToken });
    }
    expect(started).toEqual([]);
  });

  it.each([
    ['not JSON', '{durationMs'],
    ['a string duration', '{"durationMs":"soon"}'],
    ['a duration above 60 s', '{"durationMs":60001}'],
    ['an unknown outcome', '{"outcome":"maybe"}'],
    ['an unknown field', '{"userId":"bob"}'],
  ])('answers 400 for %s', async (_label, body) => {
    const { handler, started } = jobsHandler();
    const token = await signToken({ userId: 'alice', key: jwtKey });
    const result = await handler(httpEvent({ authorization: `Bearer ${token}` }, body));
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body ?? '')).toMatchObject({ code: ErrorCode.BadRequest });
    expect(started).toEqual([]);
  });
});
