import { afterEach, describe, expect, it } from 'vitest';
import type { Notification } from '@syncbell/contract';
import { STAMP_RESOLUTION_MS } from '../../dev-tools/index.js';
import { uniqueUser } from '../support/unique-user.js';
import { connectRecorder, type RecordingClient } from '../support/recorder.js';
import { createEcsHarness, type EcsHarness } from './support/harness.js';

// ECS developer guide, "Optimize load balancer connection draining parameters": deregister, wait
// for the deregistration delay (the load balancer then closes what is still open), SIGTERM,
// SIGKILL after stopTimeout. These tests hold the local stack to that order, and show what the
// drain at deregistration changes: the clients leave before the load balancer cuts anyone.

let harness: EcsHarness | undefined;
const recorders: RecordingClient[] = [];
afterEach(async () => {
  for (const recorder of recorders.splice(0)) recorder.close();
  await harness?.stop();
  harness = undefined;
});

async function clientsOn(
  h: EcsHarness,
  count: number,
): Promise<{ users: string[]; onStopped: RecordingClient[] }> {
  const users = Array.from({ length: count }, () => uniqueUser('stop-order'));
  for (const userId of users) await connectRecorder(h, recorders, userId, { maxReconnectDelayMs: 500 });
  const onStopped = recorders.filter((r) => r.client.servedBy === 'ecs-1');
  expect(onStopped.length).toBeGreaterThan(0); // round robin put some clients on the container we stop
  return { users, onStopped };
}

describe('stopping a container as ECS stops a task', () => {
  it('deregisters, lets the container move every client while draining, then sends SIGTERM once unused', async () => {
    // A 4 s deregistration delay; the container polls its target's health every 200 ms.
    harness = await createEcsHarness({
      env: { DRAIN_TIMEOUT_MS: '4000', DEREGISTRATION_POLL_MS: '200' },
      healthCheckIntervalMs: 200,
    });
    const h = harness;
    const { users, onStopped } = await clientsOn(h, 6);

    // How and when each client of ecs-1 left it: moved without a gap, or cut (left `connected`).
    const moved: { from?: string; atMs: number }[] = [];
    const cut: (string | number | undefined)[] = [];
    for (const r of onStopped) {
      r.client.on('moved', ({ from }) => moved.push({ ...(from ? { from } : {}), atMs: Date.now() }));
      r.client.on('state', (event) => {
        if (event.oldState === 'connected') cut.push(event.reason?.code);
      });
    }
    const report = await h.stack.stopTask('ecs-1');
    await Promise.all(
      onStopped.map((r) =>
        r.waitFor(() => r.client.servedBy === 'ecs-2' && r.client.state === 'connected', 'the move to ecs-2'),
      ),
    );

    expect(report.steps.map((s) => s.step)).toEqual(['deregistered', 'unused', 'SIGTERM', 'exited']);
    // Every client left before the delay ended: the load balancer had no one to cut.
    expect(report.closedByLoadBalancer).toBe(0);
    // Each was asked to move by the draining container and moved without a gap (its new connection
    // resumed on ecs-2 before it closed the old one: it never left `connected`), before the target
    // was unused.
    const unusedAtMs = report.steps.find((s) => s.step === 'unused')?.atMs ?? 0;
    expect(cut).toEqual([]);
    expect(moved.map((m) => m.from)).toEqual(onStopped.map(() => 'ecs-1'));
    for (const m of moved) expect(m.atMs).toBeLessThanOrEqual(unusedAtMs);
    // And nothing was lost on the way: one notification per user after the move arrives once.
    const sent: Notification[] = [];
    for (const userId of users) sent.push(await h.publish(userId, { jobId: 'after-move' }));
    for (const [index, recorder] of recorders.entries()) {
      const id = sent[index]?.id;
      await recorder.waitFor(
        () => recorder.received.some((r) => r.notification.id === id),
        `the notification after the move for user ${index}`,
      );
      const got = recorder.received.map((r) => r.notification.id);
      expect(new Set(got).size).toBe(got.length);
    }
  });

  it("starts a deploy's new tasks at once, each with its own id and target", async () => {
    harness = await createEcsHarness({ containers: 1, healthCheckIntervalMs: 200 });
    const h = harness;
    // maximumPercent 200: every new task is started together, as the rolling-deploy scenario does.
    const added = await Promise.all([h.stack.addContainer(), h.stack.addContainer()]);
    expect(new Set(added).size).toBe(2);
    expect(h.stack.lb.healthyTargets().sort()).toEqual(['ecs-1', ...added].sort());
    const pids = h.stack.containers().map((c) => c.pid);
    expect(new Set(pids).size).toBe(3);
  });

  it('without the drain at deregistration, the load balancer cuts the clients when the delay ends, and SIGKILL follows stopTimeout', async () => {
    harness = await createEcsHarness({
      env: { DRAIN_TIMEOUT_MS: '1000' },
      drainAtDeregistration: false,
      // 1 ms: the container cannot close Redis that fast, so the step after SIGTERM is SIGKILL.
      stopTimeoutMs: 1,
      healthCheckIntervalMs: 200,
    });
    const h = harness;
    const { onStopped } = await clientsOn(h, 6);
    const leftWith: (string | number | undefined)[] = [];
    for (const r of onStopped)
      r.client.on('state', (event) => {
        if (event.oldState === 'connected') leftWith.push(event.reason?.code);
      });

    const report = await h.stack.stopTask('ecs-1');

    expect(report.steps.map((s) => s.step)).toEqual([
      'deregistered',
      'unused',
      'SIGTERM',
      'SIGKILL',
      'exited',
    ]);
    // Nobody told them to move: each client of ecs-1 was cut by the load balancer at the delay's end.
    expect(report.closedByLoadBalancer).toBe(onStopped.length);
    await Promise.all(
      onStopped.map((r) => r.waitFor(() => leftWith.length === onStopped.length, 'every cut seen')),
    );
    expect(leftWith).not.toContain('server_shutting_down');
    const [deregistered, unused] = report.steps;
    // The whole delay (1000 ms), as two whole-millisecond stamps read it.
    expect((unused?.atMs ?? 0) - (deregistered?.atMs ?? 0)).toBeGreaterThanOrEqual(
      1000 - STAMP_RESOLUTION_MS,
    );
    // They come back (resume covers it) on the survivor.
    await Promise.all(
      onStopped.map((r) =>
        r.waitFor(
          () => r.client.servedBy === 'ecs-2' && r.client.state === 'connected',
          'the reconnect to ecs-2',
        ),
      ),
    );
  });
});
