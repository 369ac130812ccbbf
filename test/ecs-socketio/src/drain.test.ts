import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Socket } from 'socket.io';
import { DRAIN_WAVES, drain, moveSockets } from '../../../ecs-socketio/src/drain.js';
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
