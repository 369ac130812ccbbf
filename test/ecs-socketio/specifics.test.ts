import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ErrorCode, SocketEvent } from '@syncbell/contract';
import { uniqueUser } from '../support/unique-user.js';
import { type RecordingClient, recordingClient } from '../support/recorder.js';
import { createEcsHarness, type EcsHarness } from './support/harness.js';
import { userRoom } from '../../ecs-socketio/src/rooms.js';

let harness: EcsHarness;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  harness = await createEcsHarness({
    worker: true,
    env: { MAX_FRAME_BYTES: '2048', MAX_FRAMES_PER_SECOND: '20' },
  });
});
afterAll(async () => {
  for (const cleanup of cleanups) cleanup();
  await harness?.stop();
});

async function connectRecorder(userId: string): Promise<RecordingClient> {
  const recorder = recordingClient({
    transport: harness.transport(),
    url: harness.url,
    token: await harness.token(userId),
  });
  cleanups.push(() => recorder.close());
  const resumed = recorder.nextResume();
  recorder.client.connect();
  await resumed;
  return recorder;
}

/** A bare socket.io client, for sending what the SDK never would. */
async function rawSocket(
  userId: string,
  auth: Record<string, unknown> = {},
  url = harness.url,
): Promise<Socket> {
  const socket = ioClient(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: { token: await harness.token(userId), ...auth },
  });
  cleanups.push(() => socket.disconnect());
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

function nextServerError(socket: Socket): Promise<{ code: string; message: string }> {
  return new Promise((resolve) => socket.once(SocketEvent.Error, resolve));
}

async function startJob(
  baseUrl: string,
  userId: string,
  body: Record<string, unknown>,
): Promise<{ jobId: string; acceptedBy: string }> {
  const response = await fetch(`${baseUrl}/jobs/sync`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await harness.token(userId)}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(202);
  return (await response.json()) as { jobId: string; acceptedBy: string };
}

describe('cross-container delivery', () => {
  it('delivers a job that finishes on the other container to a client connected to this one', async () => {
    const userId = uniqueUser();
    const recorder = await connectRecorder(userId);
    const servedBy = recorder.client.servedBy;
    const other = harness.stack.containers().find((c) => c.id !== servedBy);
    expect(servedBy).toMatch(/^ecs-/);
    expect(other).toBeDefined();
    const { jobId, acceptedBy } = await startJob(other?.url ?? '', userId, { durationMs: 0 });
    expect(acceptedBy).not.toBe(servedBy);
    await recorder.waitFor(
      () => recorder.received.some((r) => r.notification.jobId === jobId),
      'the cross-container notification',
    );
    expect(recorder.received[0]?.notification.data).toMatchObject({ ranOn: acceptedBy });
  });

  it('delivers a job published by the separate worker process through the Redis emitter', async () => {
    const userId = uniqueUser();
    const recorder = await connectRecorder(userId);
    const { jobId } = await startJob(harness.url, userId, { durationMs: 0, publishVia: 'worker' });
    await recorder.waitFor(
      () => recorder.received.some((r) => r.notification.jobId === jobId),
      'the worker notification',
    );
    expect(recorder.received[0]?.notification.data).toMatchObject({ ranOn: 'worker-local' });
  });
});

describe('isolation', () => {
  it('ignores a userId claimed in the handshake: the room comes from the token only', async () => {
    const victim = uniqueUser('victim');
    const attacker = uniqueUser('attacker');
    const attackerSocket = await rawSocket(attacker, { userId: victim });
    const stolen: unknown[] = [];
    attackerSocket.on(SocketEvent.Notification, (n) => stolen.push(n));
    const victimClient = await connectRecorder(victim);
    await harness.publish(victim, { jobId: 'private' });
    await victimClient.waitForCount(1);
    // The attacker's own notification arrives after the victim's went out: the attacker's socket was live.
    const own = new Promise((resolve) => attackerSocket.once(SocketEvent.Notification, resolve));
    await harness.publish(attacker, { jobId: 'own' });
    await own;
    expect(stolen).toHaveLength(1);
    expect(stolen[0]).toMatchObject({ userId: attacker });
  });

  it('refuses crafted events that try to join another user’s room, and delivers nothing of theirs', async () => {
    const victim = uniqueUser('victim');
    const attacker = uniqueUser('attacker');
    const socket = await rawSocket(attacker);
    const stolen: unknown[] = [];
    socket.on(SocketEvent.Notification, (n) => stolen.push(n));
    const refused = nextServerError(socket);
    socket.emit('join', userRoom(victim));
    expect(await refused).toMatchObject({ code: ErrorCode.Forbidden });
    const ack = await socket.timeout(5000).emitWithAck('subscribe', { room: userRoom(victim) });
    expect(ack).toMatchObject({ code: ErrorCode.Forbidden });
    const victimClient = await connectRecorder(victim);
    await harness.publish(victim, { jobId: 'private' });
    await victimClient.waitForCount(1);
    const own = new Promise((resolve) => socket.once(SocketEvent.Notification, resolve));
    await harness.publish(attacker, { jobId: 'own' });
    await own;
    expect(stolen).toEqual([expect.objectContaining({ userId: attacker })]);
  });

  it('will not replay another user’s log, whatever the resume request says', async () => {
    const victim = uniqueUser('victim');
    const first = await harness.publish(victim, { jobId: 'v1' });
    await harness.publish(victim, { jobId: 'v2' });
    const socket = await rawSocket(uniqueUser('attacker'));
    const answer = await socket.timeout(5000).emitWithAck(SocketEvent.Resume, { after: first.id });
    expect(answer).toMatchObject({ notifications: [], truncated: true });
    const crafted = await socket
      .timeout(5000)
      .emitWithAck(SocketEvent.Resume, { after: first.id, userId: victim });
    expect(crafted).toMatchObject({ code: ErrorCode.BadRequest });
  });
});

describe('bad input', () => {
  it('answers an unknown event with unknown_action and keeps the connection', async () => {
    const socket = await rawSocket(uniqueUser());
    const refused = nextServerError(socket);
    socket.emit('launch-missiles', { now: true });
    expect(await refused).toMatchObject({ code: ErrorCode.UnknownAction });
    expect(socket.connected).toBe(true);
  });

  it('answers a malformed resume with bad_request', async () => {
    const socket = await rawSocket(uniqueUser());
    expect(await socket.timeout(5000).emitWithAck(SocketEvent.Resume, { after: 'not-a-ulid' })).toMatchObject(
      {
        code: ErrorCode.BadRequest,
      },
    );
    expect(await socket.timeout(5000).emitWithAck(SocketEvent.Resume, 'just a string')).toMatchObject({
      code: ErrorCode.BadRequest,
    });
  });

  it('closes a connection that sends an oversize frame, and the container keeps serving others', async () => {
    const bystander = uniqueUser();
    const bystanderClient = await connectRecorder(bystander);
    const socket = await rawSocket(uniqueUser());
    const closed = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    socket.emit(SocketEvent.Resume, { padding: 'x'.repeat(10_000) });
    expect(await closed).toMatch(/transport close|transport error/);
    await harness.publish(bystander, { jobId: 'still-alive' });
    await bystanderClient.waitForCount(1);
  });

  it('closes a connection that sends garbage instead of socket.io packets, without crashing the container', async () => {
    const token = await harness.token(uniqueUser());
    const ws = new WebSocket(harness.rawSocketUrl(token));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const closed = new Promise((resolve) => ws.once('close', resolve));
    ws.send('this is not a socket.io packet {');
    ws.send(new Uint8Array([0xff, 0x00, 0x13]));
    await closed;
    for (const container of harness.stack.containers()) {
      expect((await fetch(`${container.url}/healthz`)).status).toBe(200);
    }
  });

  it('rate-limits a socket that floods frames', async () => {
    const socket = await rawSocket(uniqueUser());
    const errors: { code: string }[] = [];
    socket.on(SocketEvent.Error, (e) => errors.push(e));
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => socket.timeout(5000).emitWithAck(SocketEvent.Resume, {})),
    );
    expect(
      answers.filter((a) => (a as { code?: string }).code === ErrorCode.RateLimited).length,
    ).toBeGreaterThan(0);
    expect(
      answers.filter((a) => Array.isArray((a as { notifications?: unknown }).notifications)).length,
    ).toBeGreaterThan(0);
  });
});

describe('operations endpoints', () => {
  it('serves /healthz and /readyz on each container, and Prometheus metrics only on its metrics port', async () => {
    const container = harness.stack.containers()[0];
    const health = await fetch(`${container?.url}/healthz`);
    expect(await health.json()).toMatchObject({ status: 'ok', containerId: container?.id });
    const ready = await fetch(`${container?.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, redis: 'ready' });
    const metrics = await (await fetch(`${container?.metricsUrl}/metrics`)).text();
    expect(metrics).toContain('syncbell_connections');
    expect(metrics).toContain('syncbell_delivery_latency_seconds_bucket');
    expect(metrics).toContain(`process_cpu_seconds_total{container="${container?.id}"}`);
    // Neither a container's public port nor the load balancer (the ALB forwards every path) serves them.
    expect((await fetch(`${container?.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${harness.url}/metrics`)).status).toBe(404);
  });

  it('counts a replay log entry it could not read (skipped, not served) in /metrics', async () => {
    const userId = uniqueUser('unreadable');
    const seen = await harness.publish(userId, { jobId: 'seen' });
    await harness.writeLogEntry(userId, '{not json');
    const after = await harness.publish(userId, { jobId: 'after' });
    const recorder = recordingClient({
      transport: harness.transport(),
      url: harness.url,
      token: await harness.token(userId),
      resumeAfter: seen.id,
    });
    cleanups.push(() => recorder.close());
    const resumed = recorder.nextResume();
    recorder.client.connect();
    await resumed;
    expect(recorder.received.map((r) => r.notification.id)).toEqual([after.id]);
    const container = harness.stack.containers().find((c) => c.id === recorder.client.servedBy);
    const metrics = await (await fetch(`${container?.metricsUrl}/metrics`)).text();
    const skipped = metrics.match(
      /^syncbell_replay_entries_skipped_total\{[^}]*reason="unreadable"[^}]*\} (\d+)$/m,
    );
    expect(Number(skipped?.[1])).toBeGreaterThanOrEqual(1);
  });
});

describe('delivery latency metric', () => {
  const observations = async (metricsUrl: string) =>
    Number(
      /^syncbell_delivery_latency_seconds_count\{[^}]*\} (\d+)/m.exec(
        await (await fetch(`${metricsUrl}/metrics`)).text(),
      )?.[1],
    );
  const received = (socket: Socket) =>
    new Promise<void>((resolve) => socket.once(SocketEvent.Notification, () => resolve()));

  it('observes each notification once on each container that delivers it, whatever its local sockets', async () => {
    const containers = harness.stack.containers();
    const [first, second] = containers.map((c) => c.url) as [string, string];
    const [firstMetrics, secondMetrics] = containers.map((c) => c.metricsUrl) as [string, string];
    const [many, one] = [uniqueUser('many'), uniqueUser('one')];
    // `many` has 3 sockets on the first container and 1 on the second; `one` a socket on the first only.
    const manySockets = await Promise.all([
      rawSocket(many, {}, first),
      rawSocket(many, {}, first),
      rawSocket(many, {}, first),
      rawSocket(many, {}, second),
    ]);
    const oneSocket = await rawSocket(one, {}, first);
    const before = [await observations(firstMetrics), await observations(secondMetrics)];

    const arrived = [...manySockets, oneSocket].map(received);
    await harness.publish(many);
    await harness.publish(one);
    await Promise.all(arrived);

    expect([
      (await observations(firstMetrics)) - (before[0] ?? 0),
      (await observations(secondMetrics)) - (before[1] ?? 0),
    ]).toEqual([2, 1]);
  });
});
