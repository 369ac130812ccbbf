import { afterEach, describe, expect, it } from 'vitest';
import {
  createHandshakePacer,
  eventLoopLag,
  type HandshakePacer,
} from '../../../../ecs-socketio/src/attach/handshake-pacer.js';

const pacers: HandshakePacer[] = [];
afterEach(() => {
  for (const pacer of pacers.splice(0)) pacer.close();
});

function pacer(options: Partial<Parameters<typeof createHandshakePacer>[0]> & { clock: { ms: number } }) {
  const { clock, ...rest } = options;
  const created = createHandshakePacer({
    maxInFlight: undefined,
    maxEventLoopLagMs: undefined,
    random: () => 0,
    now: () => clock.ms,
    ...rest,
  });
  pacers.push(created);
  return created;
}

describe('createHandshakePacer', () => {
  it('admits up to maxInFlight handshakes, refuses the next with a hint, and admits again once one finishes', () => {
    const clock = { ms: 0 };
    const p = pacer({ maxInFlight: 2, clock });
    const [a, b, c] = [{}, {}, {}];
    expect(p.admit(a)).toBeUndefined();
    expect(p.admit(b)).toBeUndefined();
    expect(p.inFlight()).toBe(2);
    expect(p.admit(c)).toBeGreaterThan(0);
    expect(p.inFlight()).toBe(2);
    clock.ms += 100;
    p.finish(a);
    p.finish(a); // a second finish is ignored
    expect(p.inFlight()).toBe(1);
    expect(p.admit(c)).toBeUndefined();
  });

  it('sends a refused herd back one drain interval apart, at the rate handshakes complete', () => {
    const clock = { ms: 0 };
    const p = pacer({ maxInFlight: 4, clock });
    // Handshakes that take 200 ms each: with 4 in flight, about one completes every 50 ms.
    for (let round = 0; round < 20; round++) {
      const keys = [{}, {}, {}, {}];
      for (const key of keys) expect(p.admit(key)).toBeUndefined();
      clock.ms += 200;
      for (const key of keys) p.finish(key);
    }
    for (let i = 0; i < 4; i++) p.admit({});
    const hints = Array.from({ length: 5 }, () => p.admit({}) as number);
    // Each next refused client gets a later slot; the spacing follows the drain rate.
    for (let i = 1; i < hints.length; i++) expect(hints[i] as number).toBeGreaterThan(hints[i - 1] as number);
    const spacing = (hints[4] as number) - (hints[3] as number);
    expect(spacing).toBeGreaterThanOrEqual(40);
    expect(spacing).toBeLessThanOrEqual(60);
  });

  it('spreads equal slots with jitter', () => {
    const clock = { ms: 0 };
    let next = 0;
    const randoms = [0, 0.99];
    const p = pacer({ maxInFlight: 1, clock, random: () => randoms[next++ % 2] as number });
    p.admit({});
    const first = p.admit({}) as number;
    const second = p.admit({}) as number;
    expect(second).toBeGreaterThan(first);
  });

  it('stops counting a handshake that never finished after staleAfterMs (a client that never resumed)', () => {
    const clock = { ms: 0 };
    const p = pacer({ maxInFlight: 1, staleAfterMs: 1000, clock });
    expect(p.admit({})).toBeUndefined();
    expect(p.admit({})).toBeGreaterThan(0);
    clock.ms = 1000;
    expect(p.admit({})).toBeUndefined();
  });

  it('refuses while the event loop lags more than maxEventLoopLagMs (once 8 handshakes are in flight), and admits again once it does not', () => {
    const clock = { ms: 0 };
    let lagMs = 0;
    const p = pacer({ maxEventLoopLagMs: 50, clock, lag: { read: () => lagMs, close: () => undefined } });
    // Lagging, but fewer than 8 handshakes in flight: they go on, at a trickle.
    lagMs = 51;
    for (let i = 0; i < 8; i++) expect(p.admit({})).toBeUndefined();
    expect(p.admit({})).toBeGreaterThan(0);
    lagMs = 50;
    expect(p.admit({})).toBeUndefined();
  });

  it('reads the lag from the perf_hooks monitor: a loop kept busy shows it', async () => {
    const lag = eventLoopLag();
    try {
      const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      lag.read(0);
      // Five 100 ms stretches of a busy loop: the monitor's samples come that late.
      for (let i = 0; i < 5; i++) {
        const until = performance.now() + 100;
        while (performance.now() < until) {
          // busy
        }
        await sleep(1);
      }
      await sleep(20);
      expect(lag.read(1000)).toBeGreaterThan(50);
    } finally {
      lag.close();
    }
  });

  it('never hints beyond the SDK cap, and admits everyone when not bounded', () => {
    const clock = { ms: 0 };
    const bounded = pacer({ maxInFlight: 1, clock });
    bounded.admit({});
    let hint = 0;
    for (let i = 0; i < 10_000; i++) hint = bounded.admit({}) as number;
    expect(hint).toBe(30_000);
    const open = pacer({ clock });
    for (let i = 0; i < 1000; i++) expect(open.admit({})).toBeUndefined();
  });
});
