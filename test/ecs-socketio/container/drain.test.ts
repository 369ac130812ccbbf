import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Socket } from 'socket.io';
import {
  DEREGISTRATION_MARGIN_MS,
  DEREGISTRATION_WAVE_GAP_MS,
  DRAIN_WAVES,
  drain,
  MOVE_GRACE_MS,
  moveSockets,
  moveSocketsBeforeCut,
} from '../../../ecs-socketio/container/drain.js';
import { SocketEvent } from '../../../shared/contract/index.js';

/** Sockets that log what the drain does; `leaves` (by index) close themselves on `syncbell:draining`, as the SDK does once its successor resumed. */
function fakeSockets(count: number, log: string[], leaves: (i: number) => boolean = () => false) {
  return Array.from({ length: count }, (_, i) => {
    let onDisconnect: (() => void) | undefined;
    const socket = {
      disconnected: false,
      emit: (event: string, body?: { graceMs?: number }) => {
        log.push(`${event}:${i}`);
        if (body) grace.push(body.graceMs ?? -1);
        if (leaves(i)) setTimeout(() => close('left'), 100);
      },
      disconnect: () => close('disconnect'),
      once: (event: string, handler: () => void) => {
        if (event === 'disconnect') onDisconnect = handler;
      },
    };
    const close = (how: string) => {
      if (socket.disconnected) return;
      socket.disconnected = true;
      log.push(`${how}:${i}`);
      onDisconnect?.();
    };
    return socket;
  }) as unknown as Socket[];
}
const grace: number[] = [];
const count = (log: string[], prefix: string) => log.filter((l) => l.startsWith(prefix)).length;

describe('moveSockets', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('tells each socket it is draining in waves across half the window, and disconnects those still there when the window ends', async () => {
    const log: string[] = [];
    const moving = moveSockets(fakeSockets(20, log), 2000);
    expect(count(log, SocketEvent.Draining)).toBe(20 / DRAIN_WAVES);
    expect(count(log, 'disconnect')).toBe(0);
    await vi.advanceTimersByTimeAsync(2000 / 2);
    expect(count(log, SocketEvent.Draining)).toBe(20);
    // Make before break: each keeps its socket for its grace, which ends with the window.
    expect(count(log, 'disconnect')).toBe(0);
    await vi.advanceTimersByTimeAsync(2000 / 2);
    await moving;
    expect(count(log, 'disconnect')).toBe(20);
  });

  it('resolves once every socket has left on its own, before the grace ends', async () => {
    const log: string[] = [];
    grace.length = 0;
    const moving = moveSockets(
      fakeSockets(20, log, () => true),
      60_000,
    );
    let done = false;
    void moving.then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(DRAIN_WAVES * 250 + 100);
    expect(done).toBe(true);
    expect(count(log, 'left')).toBe(20);
    expect(count(log, 'disconnect')).toBe(0);
    expect(new Set(grace)).toEqual(new Set([MOVE_GRACE_MS]));
  });

  it('disconnects only the sockets that did not leave, when their grace ends', async () => {
    const log: string[] = [];
    const moving = moveSockets(
      fakeSockets(10, log, (i) => i % 2 === 0),
      60_000,
    );
    await vi.advanceTimersByTimeAsync(MOVE_GRACE_MS - 1);
    expect(count(log, 'left')).toBe(5);
    expect(count(log, 'disconnect')).toBe(0);
    await vi.advanceTimersByTimeAsync(DRAIN_WAVES * 250 + 1);
    await moving;
    expect(count(log, 'disconnect')).toBe(5);
  });
});

describe('moveSocketsBeforeCut', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('spreads the sockets over the delay less the poll interval and the margin, a wave every 200 ms', async () => {
    const log: string[] = [];
    grace.length = 0;
    const disconnected = () => count(log, SocketEvent.Draining);
    // 10 s delay, 2 s poll: 6 s of spread, 30 waves of 2 sockets.
    const spreadMs = 10_000 - 2000 - DEREGISTRATION_MARGIN_MS;
    const waves = spreadMs / DEREGISTRATION_WAVE_GAP_MS;
    const moving = moveSocketsBeforeCut(fakeSockets(2 * waves, log), 10_000, 2000);
    expect(disconnected()).toBe(2);
    await vi.advanceTimersByTimeAsync(DEREGISTRATION_WAVE_GAP_MS);
    expect(disconnected()).toBe(4);
    // The last wave leaves before the spread ends: the margin is left for the clients to reconnect.
    await vi.advanceTimersByTimeAsync(spreadMs - 2 * DEREGISTRATION_WAVE_GAP_MS);
    expect(disconnected()).toBe(2 * waves);
    // No grace outlives the cut (8 s after the drain saw `draining`): the last wave's is the margin.
    expect(grace[0]).toBe(MOVE_GRACE_MS);
    expect(grace.at(-1)).toBe(DEREGISTRATION_MARGIN_MS + DEREGISTRATION_WAVE_GAP_MS);
    await vi.advanceTimersByTimeAsync(DEREGISTRATION_MARGIN_MS + DEREGISTRATION_WAVE_GAP_MS);
    await moving;
    expect(count(log, 'disconnect')).toBe(2 * waves);
  });

  it('moves everyone at once when the delay leaves no spread', async () => {
    const log: string[] = [];
    await moveSocketsBeforeCut(fakeSockets(5, log), 1000, 2000);
    expect(count(log, 'disconnect')).toBe(5);
  });
});

describe('drain', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('stops accepting, hands off what the window cannot cover, moves sockets, waits for jobs up to the deadline, hands off the rest, closes', async () => {
    const steps: string[] = [];
    const handOffs: boolean[][] = [];
    const draining = drain({
      drainTimeoutMs: 1000,
      stopAccepting: () => steps.push('stop'),
      sockets: () => [],
      handOff: async (which) => {
        steps.push('handOff');
        handOffs.push([which({ dueAtMs: 500 }), which({ dueAtMs: 1500 })]);
      },
      jobsSettled: () => new Promise(() => undefined), // a job that never finishes
      close: async () => {
        steps.push('close');
      },
    });
    await vi.advanceTimersByTimeAsync(1000);
    await draining;
    expect(steps).toEqual(['stop', 'handOff', 'handOff', 'close']);
    expect(handOffs).toEqual([
      [false, true],
      [true, true],
    ]);
  });
});
