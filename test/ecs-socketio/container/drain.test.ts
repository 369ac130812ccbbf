import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Socket } from 'socket.io';
import {
  DEREGISTRATION_MARGIN_MS,
  DEREGISTRATION_WAVE_GAP_MS,
  DRAIN_WAVES,
  drain,
  moveSockets,
  moveSocketsBeforeCut,
} from '../../../ecs-socketio/container/drain.js';
import { SocketEvent } from '../../../shared/contract/index.js';

function fakeSockets(count: number, log: string[]) {
  return Array.from({ length: count }, (_, i) => ({
    emit: (event: string) => log.push(`${event}:${i}`),
    disconnect: () => log.push(`disconnect:${i}`),
  })) as unknown as Socket[];
}

describe('moveSockets', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('tells each socket it is draining, then disconnects it, in waves across half the window', async () => {
    const log: string[] = [];
    const moving = moveSockets(fakeSockets(20, log), 2000);
    expect(log.filter((l) => l.startsWith('disconnect')).length).toBe(20 / DRAIN_WAVES);
    await vi.advanceTimersByTimeAsync(2000 / 2);
    await moving;
    expect(log.slice(0, 2)).toEqual([`${SocketEvent.Draining}:0`, 'disconnect:0']);
    expect(log.filter((l) => l.startsWith('disconnect')).length).toBe(20);
  });
});

describe('moveSocketsBeforeCut', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('spreads the sockets over the delay less the poll interval and the margin, a wave every 200 ms', async () => {
    const log: string[] = [];
    const disconnected = () => log.filter((l) => l.startsWith('disconnect')).length;
    // 10 s delay, 2 s poll: 6 s of spread, 30 waves of 2 sockets.
    const spreadMs = 10_000 - 2000 - DEREGISTRATION_MARGIN_MS;
    const waves = spreadMs / DEREGISTRATION_WAVE_GAP_MS;
    const moving = moveSocketsBeforeCut(fakeSockets(2 * waves, log), 10_000, 2000);
    expect(disconnected()).toBe(2);
    await vi.advanceTimersByTimeAsync(DEREGISTRATION_WAVE_GAP_MS);
    expect(disconnected()).toBe(4);
    // The last wave leaves before the spread ends: the margin is left for the clients to reconnect.
    await vi.advanceTimersByTimeAsync(spreadMs - 2 * DEREGISTRATION_WAVE_GAP_MS);
    await moving;
    expect(disconnected()).toBe(2 * waves);
  });

  it('moves everyone at once when the delay leaves no spread', async () => {
    const log: string[] = [];
    await moveSocketsBeforeCut(fakeSockets(5, log), 1000, 2000);
    expect(log.filter((l) => l.startsWith('disconnect'))).toHaveLength(5);
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
