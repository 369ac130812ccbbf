import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createNotification,
  ErrorCode,
  MAX_SYNC_JOB_DURATION_MS,
  MalformedNotificationError,
} from '@syncbell/contract';
import { syncJobAcceptedSchema } from '@syncbell/contract/jobs';
import { postRaw } from '../support/post-raw.js';
import { connectRecorder, type RecordingClient, recordingClient } from '../support/recorder.js';
import { uniqueUser } from '../support/unique-user.js';
import type { NewerEnvelope, VariantHarness } from './harness.js';

/**
 * The one contract suite, run against every variant (socket.io's adapters do the same with
 * `testSuite(createAdapter)`). Variant-specific behaviour lives in each variant's own tests.
 */
export function runContractSuite(createHarness: () => Promise<VariantHarness>): void {
  let harness: VariantHarness;
  const clients: RecordingClient[] = [];

  const connect = (userId: string, extra: { resumeAfter?: string } = {}) =>
    connectRecorder(harness, clients, userId, extra);

  beforeAll(async () => {
    harness = await createHarness();
  });
  afterAll(async () => {
    for (const recorder of clients) recorder.close();
    await harness?.stop();
  });

  describe('contract', () => {
    it('delivers a published notification to the connected user with its envelope intact', async () => {
      const userId = uniqueUser();
      const recorder = await connect(userId);
      const sent = await harness.publish(userId, { jobId: 'job-1', data: { calendar: 'work' } });
      await recorder.waitForCount(1);
      expect(recorder.received[0]?.notification).toEqual(sent);
      expect(recorder.received[0]?.meta.replayed).toBe(false);
    });

    it('never delivers one user’s notification to another user', async () => {
      const alice = uniqueUser('alice');
      const bob = uniqueUser('bob');
      const aliceClient = await connect(alice);
      const bobClient = await connect(bob);
      await harness.publish(alice, { jobId: 'for-alice' });
      await harness.publish(bob, { jobId: 'for-bob' });
      await aliceClient.waitForCount(1);
      await bobClient.waitForCount(1);
      // A second notification to Alice proves Alice's stream is still flowing and clean afterwards.
      await harness.publish(alice, { jobId: 'for-alice-2' });
      await aliceClient.waitForCount(2);
      expect(aliceClient.received.map((r) => r.notification.userId)).toEqual([alice, alice]);
      expect(bobClient.received.map((r) => r.notification.jobId)).toEqual(['for-bob']);
    });

    it('replays what a user missed while away, in order, exactly once each', async () => {
      const userId = uniqueUser();
      const first = await connect(userId);
      const seen = await harness.publish(userId, { jobId: 'seen' });
      await first.waitForCount(1);
      first.close();
      const missed = [];
      for (let i = 0; i < 5; i++) missed.push(await harness.publish(userId, { jobId: `missed-${i}` }));

      const second = await connect(userId, { resumeAfter: seen.id });
      await second.waitForCount(5);
      expect(second.received.map((r) => r.notification.id)).toEqual(missed.map((n) => n.id));
      expect(second.received.every((r) => r.meta.replayed)).toBe(true);
      // Live delivery continues after the replay, not replayed again.
      const live = await harness.publish(userId, { jobId: 'live' });
      await second.waitForCount(6);
      expect(second.received.at(-1)?.notification.id).toBe(live.id);
      expect(second.received.at(-1)?.meta.replayed).toBe(false);
    });

    it('hands over a notification that was logged but never delivered live within one keep-alive round, on the same connection', async () => {
      const userId = uniqueUser('position');
      const recorder = recordingClient({
        // Short, so the test is quick; the deadline generous, as a pong may come from a cold Lambda.
        transport: harness.transport({ keepAliveIntervalMs: 2000, pongTimeoutMs: 1900 }),
        url: harness.url,
        token: await harness.token(userId),
      });
      clients.push(recorder);
      recorder.client.connect();
      await recorder.waitForState('connected');
      const live = await harness.publish(userId, { jobId: 'live' });
      await recorder.waitForCount(1);
      // In the log only: what a throttled @connections post or a lost emit leaves behind.
      const logged = createNotification({ type: 'sync.complete', userId, jobId: 'logged-only' });
      await harness.writeLogEntry(userId, logged);
      await recorder.waitForCount(2, 15_000);
      expect(recorder.received.map((r) => [r.notification.id, r.meta.replayed])).toEqual([
        [live.id, false],
        [logged.id, true],
      ]);
      expect(recorder.states.filter((state) => state === 'connecting')).toHaveLength(1);
      expect(recorder.client.lastSeenId).toBe(logged.id);
    });

    it('flags a resume from an id it no longer knows as truncated and still returns newer entries', async () => {
      const userId = uniqueUser();
      const sent = await harness.publish(userId, { jobId: 'after-unknown' });
      const recorder = recordingClient({
        transport: harness.transport(),
        url: harness.url,
        token: await harness.token(userId),
        resumeAfter: '01ARZ3NDEKTSV4RRFFQ69G5FAV', // a ULID from 2016: never in this log
      });
      clients.push(recorder);
      const resumed = recorder.nextResume();
      recorder.client.connect();
      expect(await resumed).toMatchObject({ truncated: true });
      await recorder.waitForCount(1);
      expect(recorder.received[0]?.notification.id).toBe(sent.id);
    });

    it('keeps an older SDK connected to a newer server: new types and fields delivered once each, a corrupt log entry skipped and reported', async () => {
      const userId = uniqueUser('newer');
      /** What a newer server sends: this version's envelope plus whatever it changed. */
      const newer = (jobId: string, changes: Record<string, unknown>): NewerEnvelope => ({
        ...createNotification({ type: 'sync.complete', userId, jobId }),
        ...changes,
      });
      const first = await connect(userId);
      const seen = await harness.publish(userId, { jobId: 'before' });
      await first.waitForCount(1);
      first.close();

      // While away: the newer server logs a new type, an envelope with new fields and v 2, and two
      // corrupt entries land in the log store (one with a readable id, one not even JSON).
      const missedNewType = newer('missed-export', {
        type: 'export.ready',
        data: { url: 'https://x.test/e' },
      });
      await harness.publishAsNewerServer(missedNewType);
      const corrupt = newer('corrupt', { type: 42, createdAtMs: 'yesterday' });
      await harness.writeLogEntry(userId, corrupt);
      await harness.writeLogEntry(userId, '{not json');
      const missedNewFields = newer('missed-priority', { priority: 'high', v: 2 });
      await harness.publishAsNewerServer(missedNewFields);
      const missedKnown = await harness.publish(userId, { jobId: 'missed-known' });

      const second = await connect(userId, { resumeAfter: seen.id });
      await second.waitForCount(3);
      const liveNewType = newer('live-export', { type: 'export.ready', priority: 'low' });
      await harness.publishAsNewerServer(liveNewType);
      const liveKnown = await harness.publish(userId, { jobId: 'live-known' });
      await second.waitForCount(5);

      expect(second.received.map((r) => [r.notification.id, r.meta.replayed])).toEqual([
        [missedNewType.id, true],
        [missedNewFields.id, true],
        [missedKnown.id, true],
        [liveNewType.id, false],
        [liveKnown.id, false],
      ]);
      // Passed on as the newer server sent them, unknown fields included.
      expect(second.received[0]?.notification).toEqual(missedNewType);
      expect(second.received[1]?.notification).toEqual(missedNewFields);
      expect(second.received[3]?.notification).toEqual(liveNewType);
      // The corrupt entry with an id is reported once; the unreadable one never left the server.
      expect(second.errors).toHaveLength(1);
      expect(second.errors[0]).toBeInstanceOf(MalformedNotificationError);
      expect((second.errors[0] as MalformedNotificationError).notificationId).toBe(corrupt.id);
      // Connected once and never sent back to connecting (the old SDK looped on the replay).
      expect(second.states).toEqual(['connecting', 'connected']);
      expect(second.client.state).toBe('connected');
    });

    it('refuses a connection with a token signed by another key, saying invalid_token', async () => {
      const { SignJWT } = await import('jose');
      const forged = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(uniqueUser('mallory'))
        .setIssuer('syncbell')
        .setAudience('syncbell:notifications')
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode('not-the-server-secret-but-long-enough-0123456789'));
      const recorder = recordingClient({ transport: harness.transport(), url: harness.url, token: forged });
      clients.push(recorder);
      recorder.client.connect();
      await recorder.waitFor(() => recorder.errors.length > 0, 'an auth error');
      expect(recorder.errors[0]?.code).toBe(ErrorCode.InvalidToken);
      await recorder.waitForState('disconnected');
    });

    it('refuses an unsigned (alg: none) token', async () => {
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      const payload = Buffer.from(
        JSON.stringify({
          sub: uniqueUser('mallory'),
          iss: 'syncbell',
          aud: 'syncbell:notifications',
          exp: Math.floor(Date.now() / 1000) + 300,
        }),
      ).toString('base64url');
      const recorder = recordingClient({
        transport: harness.transport(),
        url: harness.url,
        token: `${header}.${payload}.`,
      });
      clients.push(recorder);
      recorder.client.connect();
      await recorder.waitFor(() => recorder.errors.length > 0, 'an auth error');
      expect(recorder.errors[0]?.code).toBe(ErrorCode.InvalidToken);
    });

    it('refuses an expired token with token_expired', async () => {
      const recorder = recordingClient({
        transport: harness.transport(),
        url: harness.url,
        token: await harness.token(uniqueUser(), { expiresInSeconds: -10 }),
      });
      clients.push(recorder);
      recorder.client.connect();
      await recorder.waitFor(() => recorder.errors.length > 0, 'an auth error');
      expect(recorder.errors[0]?.code).toBe(ErrorCode.TokenExpired);
      await recorder.waitForState('disconnected');
    });

    it('starts a sync job over HTTP, answering the contract’s job_<ULID> id, and delivers its completion', async () => {
      const userId = uniqueUser();
      const token = await harness.token(userId);
      const recorder = await connect(userId);
      const response = await fetch(`${harness.jobsUrl}/jobs/sync`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ durationMs: 0 }),
      });
      expect(response.status).toBe(202);
      const { jobId } = syncJobAcceptedSchema.parse(await response.json());
      await recorder.waitFor(
        () => recorder.received.some((r) => r.notification.jobId === jobId),
        'the job notification',
      );
      expect(recorder.received.find((r) => r.notification.jobId === jobId)?.notification.type).toBe(
        'sync.complete',
      );
    });

    it('answers a job request without a valid bearer token with 401 and a code', async () => {
      const response = await fetch(`${harness.jobsUrl}/jobs/sync`, {
        method: 'POST',
        headers: { authorization: 'Bearer nonsense', 'content-type': 'application/json' },
        body: '{}',
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: ErrorCode.InvalidToken });
    });

    // Two Authorization headers are refused by the parser (test/shared/server/auth/authenticate.test.ts) and
    // by a container reached directly (test/ecs-socketio/src/http/jobs-route.test.ts); through the
    // local stacks one of them is dropped before syncbell sees it (the ALB stand-in's Node server
    // keeps the first, serverless-offline the last), so that case is not in this live table.
    it('reads the bearer scheme case-insensitively (RFC 7235 section 2.1) and refuses an empty or malformed token', async () => {
      const token = await harness.token(uniqueUser());
      const cases: [string, string | string[], number][] = [
        ['Bearer', `Bearer ${token}`, 202],
        ['bearer', `bearer ${token}`, 202],
        ['BEARER', `BEARER ${token}`, 202],
        ['extra spaces', `Bearer    ${token}`, 202],
        ['an empty token', 'Bearer ', 401],
        ['a token with a space in it', `Bearer ${token} x`, 401],
        ['another scheme', `Basic ${token}`, 401],
      ];
      const answers: [string, number, unknown][] = [];
      for (const [what, authorization] of cases) {
        const answer = await postRaw(`${harness.jobsUrl}/jobs/sync`, { authorization }, '{"durationMs":0}');
        answers.push([what, answer.status, answer.status === 401 ? answer.body.code : undefined]);
      }
      expect(answers).toEqual(
        cases.map(([what, , status]) => [what, status, status === 401 ? ErrorCode.InvalidToken : undefined]),
      );
    });

    it.each([
      ['a string duration', { durationMs: 'soon' }],
      ['a duration above the contract’s cap', { durationMs: MAX_SYNC_JOB_DURATION_MS + 1 }],
      ['an unknown outcome', { outcome: 'maybe' }],
    ])('answers a job request with %s with 400 and a code', async (_what, body) => {
      const response = await fetch(`${harness.jobsUrl}/jobs/sync`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await harness.token(uniqueUser())}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: ErrorCode.BadRequest });
    });
  });
}
