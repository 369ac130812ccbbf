import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient, type ReplayAnswer } from '../../../shared/client/index.js';
import { createNotification, ErrorCode, type Notification } from '../../../shared/contract/index.js';
import { jwtFor } from '../../support/storage.js';
import { FakeTransport } from './support/fake-transport.js';

const n = (jobId: string): Notification => createNotification({ type: 'sync.complete', userId: 'u', jobId });
const flush = () => new Promise((r) => setImmediate(r));
const drained = {
  code: ErrorCode.ServerShuttingDown,
  reason: 'server is draining',
  reconnect: true,
  immediate: true,
};

/** A resume answer the test hands over when it chooses: the successor's replay still in flight. */
function deferred() {
  let answer!: (value: ReplayAnswer) => void;
  const promise = new Promise<ReplayAnswer>((resolve) => {
    answer = resolve;
  });
  return { promise, answer };
}

// Make before break: a draining server asks the connection to move; the client opens its successor
// while the old connection still delivers, and swaps once the successor's replay is in.
describe('client handover when the server asks to move (make before break)', () => {
  let transport: FakeTransport;
  beforeEach(() => {
    transport = new FakeTransport();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => vi.useRealTimers());

  async function connected(token: string | (() => string) = 't') {
    const client = createClient({ transport, url: 'x', token, random: () => 0.5, minReconnectDelayMs: 100 });
    const states: string[] = [];
    const got: [string | undefined, boolean][] = [];
    const resumed: (string | undefined)[] = [];
    client.on('state', (s) => states.push(s.newState));
    client.on('notification', ({ notification, meta }) => got.push([notification.jobId, meta.replayed]));
    client.on('resumed', (r) => resumed.push(r.servedBy));
    await flush();
    transport.last.handlers.onOpen();
    await flush();
    return { client, states, got, resumed, old: transport.last };
  }

  it('keeps delivering on the old connection while the successor resumes, then swaps with no gap, no duplicate and no connecting', async () => {
    const { client, states, got, resumed, old } = await connected();
    const [a, b, c, d] = [n('a'), n('b'), n('c'), n('d')];
    old.handlers.onNotification(a);
    old.handlers.onMoveRequested?.();
    await flush();
    expect(transport.opens).toHaveLength(2);
    const successor = transport.last;
    const replay = deferred();
    transport.replies.push(replay.promise);
    successor.handlers.onOpen();
    await flush();
    expect(successor.resumes).toEqual([a.id]);
    // The old connection still delivers, live, while the successor's replay is in flight.
    old.handlers.onNotification(b);
    successor.handlers.onNotification(c); // live on the successor: held until its replay is in
    expect(got).toEqual([
      ['a', false],
      ['b', false],
    ]);
    expect(old.closed).toBe(false);
    replay.answer({ notifications: [b, c], truncated: false, servedBy: 'ecs-2' });
    await flush();
    successor.handlers.onNotification(d);
    expect(got).toEqual([
      ['a', false],
      ['b', false],
      ['c', true],
      ['d', false],
    ]);
    expect(old.closed).toBe(true);
    expect(successor.closed).toBe(false);
    expect(resumed).toEqual([undefined, 'ecs-2']);
    expect(client.servedBy).toBe('ecs-2');
    expect(states).toEqual(['connecting', 'connected']);
    // The old connection is gone for the client: its late frames and its close change nothing.
    old.handlers.onNotification(n('late'));
    old.handlers.onClose(drained);
    vi.advanceTimersByTime(10_000);
    await flush();
    expect(got.map(([jobId]) => jobId)).toEqual(['a', 'b', 'c', 'd']);
    expect(transport.opens).toHaveLength(2);
    expect(client.state).toBe('connected');
  });

  it('makes the successor the reconnect when the server closes the old connection first', async () => {
    const { client, states, got, old } = await connected();
    old.handlers.onMoveRequested?.();
    await flush();
    const successor = transport.last;
    old.handlers.onClose(drained);
    expect(client.state).toBe('connecting');
    successor.handlers.onOpen();
    await flush();
    expect(client.state).toBe('connected');
    successor.handlers.onNotification(n('after'));
    expect(got).toEqual([['after', false]]);
    expect(transport.opens).toHaveLength(2);
    expect(states).toEqual(['connecting', 'connected', 'connecting', 'connected']);
  });

  it('carries on with the old connection when the successor fails to open or to resume, saying why on moveFailed', async () => {
    const { client, got, old } = await connected();
    const failures: string[] = [];
    client.on('moveFailed', ({ reason }) => failures.push(reason));
    old.handlers.onMoveRequested?.();
    await flush();
    transport.last.handlers.onClose({ code: 'connect_error', reason: 'refused', reconnect: true });
    old.handlers.onNotification(n('still'));
    expect(client.state).toBe('connected');
    // Asked again: a second successor, whose resume fails; it is closed, the old one stays.
    old.handlers.onMoveRequested?.();
    await flush();
    const second = transport.last;
    transport.replies.push(new Error('resume timed out'));
    second.handlers.onOpen();
    await flush();
    expect(second.closed).toBe(true);
    expect(old.closed).toBe(false);
    old.handlers.onNotification(n('again'));
    expect(got.map(([jobId]) => jobId)).toEqual(['still', 'again']);
    // Once per failed move, naming what failed (the second successor's own close is not another).
    expect(failures).toEqual(['closed: refused', 'resume: resume timed out']);
    // The server's own close at the end of its grace: the reconnect skips the backoff, as before.
    old.handlers.onClose(drained);
    expect(client.state).toBe('connecting');
    vi.advanceTimersByTime(50);
    await flush();
    expect(transport.opens).toHaveLength(4);
  });

  it('opens one successor however often the server asks, and close() ends both', async () => {
    const { client, old } = await connected();
    old.handlers.onMoveRequested?.();
    old.handlers.onMoveRequested?.();
    await flush();
    expect(transport.opens).toHaveLength(2);
    client.close();
    expect(old.closed).toBe(true);
    expect(transport.last.closed).toBe(true);
    transport.last.handlers.onOpen();
    await flush();
    expect(client.state).toBe('disconnected');
  });

  it("opens no successor with another user's token: the reconnect after the close selects that user", async () => {
    let token = jwtFor({ sub: 'alice' });
    const { client, old } = await connected(() => token);
    const failures: string[] = [];
    client.on('moveFailed', ({ reason }) => failures.push(reason));
    token = jwtFor({ sub: 'bob' });
    old.handlers.onMoveRequested?.();
    await flush();
    expect(transport.opens).toHaveLength(1);
    expect(failures).toEqual(['token: another user']);
  });

  it('opens no successor when the token source fails, and says so; the old connection carries on', async () => {
    let fail = false;
    const { client, got, old } = await connected(() => {
      if (fail) throw new Error('token endpoint down');
      return 't';
    });
    const failures: string[] = [];
    client.on('moveFailed', ({ reason }) => failures.push(reason));
    fail = true;
    old.handlers.onMoveRequested?.();
    await flush();
    expect(transport.opens).toHaveLength(1);
    expect(failures).toEqual(['token: token endpoint down']);
    old.handlers.onNotification(n('kept'));
    expect(got.map(([jobId]) => jobId)).toEqual(['kept']);
    expect(client.state).toBe('connected');
  });
});
