import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { watchSubscriber } from '../../../../ecs-socketio/src/attach/outage-recovery.js';
import type { RedisLike } from '../../../../ecs-socketio/src/redis-client.js';
import type { ReplayLog } from '../../../../ecs-socketio/src/replay-log.js';
import { CURSOR_SKEW_MARGIN_MS, createNotification, ulidFloor } from '../../../../shared/contract/index.js';

/** The subscriber's events, driven by the test; PING answers at once. */
function fakeSubscriber() {
  const events = new EventEmitter();
  const subscriber = {
    on: (event: string, listener: () => void) => events.on(event, listener),
    call: vi.fn(async () => 'PONG'),
  } as unknown as RedisLike;
  return { subscriber, emit: (event: 'down' | 'ready') => events.emit(event) };
}

function watch(nowMs: () => number, read: ReplayLog['read']) {
  const { subscriber, emit } = fakeSubscriber();
  const seen = { resyncs: 0, delivered: [] as [string, string][], restored: [] as unknown[] };
  const recovery = watchSubscriber({
    subscriber,
    replayLog: { read, recent: async () => [] },
    localUsers: () => ['alice', 'bob', 'alice'],
    resyncLocal: () => seen.resyncs++,
    deliverLocal: (userId, n) => seen.delivered.push([userId, n.id]),
    onRestored: (outcome) => seen.restored.push(outcome),
    onFailed: () => undefined,
    nowMs,
  });
  return { recovery, emit, seen, subscriber };
}

describe('watchSubscriber', () => {
  it('after an outage, resyncs local clients and re-delivers what each local user’s log holds since it began', async () => {
    let now = 1_000_000;
    const n = createNotification({ type: 'sync.complete', userId: 'alice', jobId: 'gap' });
    const read = vi.fn(async (userId: string) => ({
      notifications: userId === 'alice' ? [n] : [],
      truncated: false,
    }));
    const { recovery, emit, seen } = watch(() => now, read);

    emit('down');
    now += 5000;
    emit('down'); // a second report of the same outage keeps its start
    emit('ready');
    await recovery.settled();

    expect(seen.resyncs).toBe(1);
    expect(read.mock.calls).toEqual([
      ['alice', ulidFloor(1_000_000 - CURSOR_SKEW_MARGIN_MS)],
      ['bob', ulidFloor(1_000_000 - CURSOR_SKEW_MARGIN_MS)],
    ]);
    expect(seen.delivered).toEqual([['alice', n.id]]);
    expect(seen.restored).toEqual([{ users: 2, redelivered: 1 }]);
  });

  it('does nothing on a ready that follows no outage (the first connect)', async () => {
    const read = vi.fn();
    const { recovery, emit, seen } = watch(() => 0, read);
    emit('ready');
    await recovery.settled();
    expect([seen.resyncs, read.mock.calls.length]).toEqual([0, 0]);
  });

  it('does nothing once stopped', async () => {
    const read = vi.fn();
    const { recovery, emit, seen } = watch(() => 0, read);
    emit('down');
    recovery.stop();
    emit('ready');
    await recovery.settled();
    expect(seen.resyncs).toBe(0);
  });
});
