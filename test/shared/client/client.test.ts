import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  BoundedIdSet,
  MAX_RETRY_AFTER_MS,
  type ClientEvents,
  createClient,
  DisconnectCode,
  type DisconnectReason,
} from '../../../shared/client/index.js';
import {
  createNotification,
  ErrorCode,
  type MalformedNotificationError,
  type Notification,
  type SyncbellError,
} from '../../../shared/contract/index.js';
import { jwtFor, MapStorage } from '../../support/storage.js';
import { FakeTransport } from './support/fake-transport.js';
import { withCode } from '../../support/errors.js';
import { ClientErrorCode, ResumeTimeoutError } from '../../../shared/client/index.js';

const n = (jobId: string): Notification => createNotification({ type: 'sync.complete', userId: 'u', jobId });
const flush = () => new Promise((r) => setImmediate(r));

describe('BoundedIdSet', () => {
  it('remembers the newest ids up to its capacity and forgets the oldest', () => {
    const set = new BoundedIdSet(2);
    expect(set.add('a')).toBe(true);
    expect(set.add('a')).toBe(false);
    set.add('b');
    set.add('c');
    expect([set.has('a'), set.has('b'), set.has('c'), set.size]).toEqual([false, true, true, 2]);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a capacity of %d with a ConfigError', (capacity) => {
    expect(() => new BoundedIdSet(capacity)).toThrow(
      withCode(ClientErrorCode.InvalidOption, 'BoundedIdSet', 'capacity'),
    );
  });
});

describe('createClient options', () => {
  const base = { transport: new FakeTransport(), url: 'x', token: 't', autoConnect: false };
  it.each([
    [
      { minReconnectDelayMs: 0, connectTimeoutMs: Number.NaN, dedupeCapacity: 1.5 },
      ['minReconnectDelayMs', 'connectTimeoutMs', 'dedupeCapacity'],
    ],
    [{ maxReconnectDelayMs: 3e9 }, ['maxReconnectDelayMs']],
    [
      { minReconnectDelayMs: 2000, maxReconnectDelayMs: 1000 },
      ['maxReconnectDelayMs', 'minReconnectDelayMs'],
    ],
    [{ dedupeCapacity: 0 }, ['dedupeCapacity']],
  ])('refuses %j with a ConfigError naming each bad option', (options, names) => {
    expect(() => createClient({ ...base, ...options })).toThrow(
      withCode(ClientErrorCode.InvalidOption, 'createClient', ...names),
    );
  });

  it('takes equal reconnect delays and the defaults', () => {
    expect(() => createClient({ ...base, minReconnectDelayMs: 400, maxReconnectDelayMs: 400 })).not.toThrow();
    expect(createClient(base).state).toBe('disconnected');
  });
});

describe('client state machine', () => {
  let transport: FakeTransport;
  beforeEach(() => {
    transport = new FakeTransport();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const make = (extra: Partial<Parameters<typeof createClient>[0]> = {}) =>
    createClient({
      transport,
      url: 'x',
      token: 't',
      random: () => 0.5,
      minReconnectDelayMs: 100,
      maxReconnectDelayMs: 1000,
      ...extra,
    });

  it('goes connecting -> connected after the resume answer, and reports each change once, the first one too', async () => {
    const client = make();
    const states: string[] = [];
    client.on('state', (s) => states.push(`${s.oldState}>${s.newState}`));
    await flush();
    transport.last.handlers.onOpen();
    await flush();
    expect(states).toEqual(['disconnected>connecting', 'connecting>connected']);
    expect(client.state).toBe('connected');
  });

  it('hands replayed notifications to the app before live ones held during the resume, without duplicates', async () => {
    const a = n('a');
    const b = n('b');
    const c = n('c');
    transport.replies.push({ notifications: [a, b], truncated: false });
    const client = make({ resumeAfter: '01ARZ3NDEKTSV4RRFFQ69G5FAV' });
    const got: [string | undefined, boolean][] = [];
    client.on('notification', ({ notification, meta }) => got.push([notification.jobId, meta.replayed]));
    await flush();
    const { handlers } = transport.last;
    handlers.onOpen();
    handlers.onNotification(b); // arrives live while the replay is in flight
    handlers.onNotification(c);
    await flush();
    expect(got).toEqual([
      ['a', true],
      ['b', true],
      ['c', false],
    ]);
    expect(transport.last.resumes).toEqual(['01ARZ3NDEKTSV4RRFFQ69G5FAV']);
    expect(client.lastSeenId).toBe(c.id);
  });

  it('reconnects with full-jitter backoff after a drop and resumes after the last id seen', async () => {
    const client = make();
    await flush();
    transport.last.handlers.onOpen();
    await flush();
    const seen = n('seen');
    transport.last.handlers.onNotification(seen);
    transport.last.handlers.onClose({ code: 1006, reason: 'dropped', reconnect: true });
    expect(client.state).toBe('connecting');
    expect(transport.opens).toHaveLength(1);
    vi.advanceTimersByTime(49); // backoff(0, 100, 1000, 0.5) = 50
    expect(transport.opens).toHaveLength(1);
    vi.advanceTimersByTime(1);
    await flush();
    expect(transport.opens).toHaveLength(2);
    transport.last.handlers.onOpen();
    await flush();
    expect(transport.last.resumes).toEqual([seen.id]);
    expect(client.state).toBe('connected');
  });

  /** Closes the last connection with `reason` and counts the ms until the client opens the next one. */
  const waitAfter = async (reason: DisconnectReason): Promise<number> => {
    const before = transport.opens.length;
    transport.last.handlers.onClose(reason);
    let waited = 0;
    while (transport.opens.length === before) {
      vi.advanceTimersByTime(10);
      waited += 10;
      await flush();
    }
    return waited;
  };
  const refused: DisconnectReason = { code: DisconnectCode.ConnectError, reason: 'refused', reconnect: true };
  const dropped: DisconnectReason = { code: 1006, reason: 'dropped', reconnect: true };

  it('grows the delay on repeated failures, never below the floor after a failed attempt, and resets it after a stable connection', async () => {
    let nowMs = 0;
    make({ now: () => nowMs });
    await flush();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) delays.push(await waitAfter(refused));
    // backoff(0) = 50 (random 0.5 below the 100 ms floor), then 100 + 0.5 * (ceiling - 100), capped at 1000.
    expect(delays).toEqual([50, 150, 250, 450]);
    transport.last.handlers.onOpen();
    await flush();
    nowMs += 1000; // up, resumed, for maxReconnectDelayMs: a success
    expect(await waitAfter(dropped)).toBe(50);
  });

  it('does not reset the backoff for a server that accepts, resumes and drops at once: no loop faster than the floor', async () => {
    make({ now: () => 0 });
    await flush();
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      delays.push(await waitAfter(dropped));
      transport.last.handlers.onOpen();
      await flush();
    }
    expect(delays[0]).toBe(50);
    for (const delay of delays.slice(1)) expect(delay).toBeGreaterThanOrEqual(100);
    expect(delays.at(-1)).toBe(550); // 100 + 0.5 * (1000 - 100): the cap holds
  });

  it('waits at least its floor after a rate_limited refusal without a hint (a 503 whose Retry-After it cannot read)', async () => {
    make();
    await flush();
    expect(await waitAfter({ code: ErrorCode.RateLimited, reason: 'busy', reconnect: true })).toBe(150);
  });

  it('asks each resume with the failures since the last stable connection, so its deadline grows under a slow backend', async () => {
    let nowMs = 0;
    make({ now: () => nowMs });
    await flush();
    for (let i = 0; i < 3; i++) {
      transport.replies.push(new ResumeTimeoutError(10_000));
      transport.last.handlers.onOpen();
      await flush();
      // The failed resume closed the connection; the client reconnects after its backoff.
      while (transport.last.resumes.length > 0) {
        vi.advanceTimersByTime(10);
        await flush();
      }
    }
    transport.last.handlers.onOpen();
    await flush();
    expect(transport.opens.map((o) => o.failures)).toEqual([[0], [1], [2], [3]]);
    expect(transport.opens.slice(0, 3).every((o) => o.closed)).toBe(true);
    nowMs += 1000;
    transport.last.handlers.onResync(); // on the stable connection: the base deadline again
    await flush();
    expect(transport.last.failures).toEqual([3, 0]);
  });

  it("waits for the server's retryAfterMs hint over its own backoff, and never longer than the cap", async () => {
    make();
    await flush();
    const waitFor = async (hint: number) => {
      const before = transport.opens.length;
      transport.last.handlers.onClose({
        code: ErrorCode.RateLimited,
        reason: 'over the accept rate',
        reconnect: true,
        retryAfterMs: hint,
      });
      let waited = 0;
      while (transport.opens.length === before) {
        vi.advanceTimersByTime(10);
        waited += 10;
        await flush();
      }
      return waited;
    };
    expect(await waitFor(1500)).toBe(1500); // the hint, not backoff(0) = 50
    expect(await waitFor(10 * MAX_RETRY_AFTER_MS)).toBe(MAX_RETRY_AFTER_MS); // a runaway hint is capped
  });

  it('stops for good on an invalid token and reports the error', async () => {
    const client = make();
    const errors: string[] = [];
    client.on('error', (e) => errors.push(e.code));
    await flush();
    transport.last.handlers.onClose({ code: ErrorCode.InvalidToken, reason: 'bad', reconnect: false });
    vi.advanceTimersByTime(10_000);
    await flush();
    expect(client.state).toBe('disconnected');
    expect(errors).toEqual([ErrorCode.InvalidToken]);
    expect(transport.opens).toHaveLength(1);
  });

  it('fetches a fresh token from a token function after token_expired', async () => {
    let issued = 0;
    make({ token: () => `token-${++issued}` });
    await flush();
    transport.last.handlers.onClose({
      code: ErrorCode.TokenExpired,
      reason: 'expired',
      reconnect: true,
    } satisfies DisconnectReason);
    vi.advanceTimersByTime(1000);
    await flush();
    expect(transport.opens.map((o) => o.token)).toEqual(['token-1', 'token-2']);
  });

  it('ignores events from a connection it already left', async () => {
    const client = make();
    const got: (string | undefined)[] = [];
    client.on('notification', ({ notification }) => got.push(notification.jobId));
    await flush();
    const old = transport.last.handlers;
    old.onOpen();
    await flush();
    old.onClose({ code: 1006, reason: 'dropped', reconnect: true });
    old.onNotification(n('ghost'));
    old.onClose({ code: 1006, reason: 'again', reconnect: true });
    vi.advanceTimersByTime(1000);
    await flush();
    expect(got).toEqual([]);
    expect(transport.opens).toHaveLength(2);
  });

  it('resumes again on the same connection when the server asks for a resync', async () => {
    const client = make();
    await flush();
    transport.last.handlers.onOpen();
    await flush();
    const seen = n('seen');
    transport.last.handlers.onNotification(seen);
    const missed = n('missed');
    transport.replies.push({ notifications: [missed], truncated: false });
    transport.last.handlers.onResync();
    await flush();
    expect(transport.last.resumes).toEqual([undefined, seen.id]);
    expect(client.lastSeenId).toBe(missed.id);
    expect(transport.opens).toHaveLength(1);
  });

  it('resumes on the same connection when a keep-alive names a position it has not had, then hands it over', async () => {
    const client = make();
    const got: string[] = [];
    client.on('notification', ({ notification, meta }) =>
      got.push(`${notification.jobId}${meta.replayed ? ' (replayed)' : ''}`),
    );
    await flush();
    transport.last.handlers.onOpen();
    await flush();
    const seen = n('seen');
    transport.last.handlers.onNotification(seen);
    transport.last.handlers.onPosition({ latest: seen.id }); // nothing missed: no resume
    await flush();
    const lost = n('lost-live');
    transport.replies.push({ notifications: [lost], truncated: false });
    transport.last.handlers.onPosition({ latest: lost.id });
    await flush();
    expect(transport.last.resumes).toEqual([undefined, seen.id]);
    expect(got).toEqual(['seen', 'lost-live (replayed)']);
    expect(client.lastSeenId).toBe(lost.id);
    expect(transport.opens).toHaveLength(1);
  });

  /** A client connected and resumed, its checkpoint the resume answer's cursor; `got` its hand-offs' job ids. */
  async function openedAtCheckpoint() {
    const client = make();
    const got: string[] = [];
    client.on('notification', ({ notification }) => got.push(String(notification.jobId)));
    await flush();
    const checkpoint = n('before-connect');
    transport.replies.push({ notifications: [], truncated: false, cursor: checkpoint.id });
    transport.last.handlers.onOpen();
    await flush();
    return { got, checkpoint };
  }

  it('on a keep-alive position resumes after its checkpoint, so a live delivery lost before one that arrived is caught up', async () => {
    const { got, checkpoint } = await openedAtCheckpoint();
    const lost = n('lost-live');
    const arrived = n('arrived-live');
    transport.last.handlers.onNotification(arrived); // `lost` never came: its post failed
    transport.replies.push({ notifications: [lost, arrived], truncated: false, cursor: arrived.id });
    transport.last.handlers.onPosition({ latest: arrived.id }); // the newest id was seen, the gap below it was not
    await flush();
    transport.last.handlers.onPosition({ latest: arrived.id }); // the checkpoint moved: nothing more to do
    await flush();
    expect(transport.last.resumes).toEqual([undefined, checkpoint.id]);
    expect(got).toEqual(['arrived-live', 'lost-live']);
  });

  it('moves its checkpoint without a resume when the keep-alive’s `recent` shows everything newer was handed over', async () => {
    const { got, checkpoint } = await openedAtCheckpoint();
    const first = n('first');
    const second = n('second');
    transport.last.handlers.onNotification(first);
    transport.last.handlers.onNotification(second);
    // The log's newest, newest first, reaching back to the checkpoint: both arrived live.
    transport.last.handlers.onPosition({ latest: second.id, recent: [second.id, first.id, checkpoint.id] });
    await flush();
    expect(transport.last.resumes).toEqual([undefined]);
    // The checkpoint moved to the newest: the next keep-alive with the same position does nothing,
    // and one more that arrived live is confirmed from there.
    const third = n('third');
    transport.last.handlers.onNotification(third);
    transport.last.handlers.onPosition({
      latest: third.id,
      recent: [third.id, second.id, first.id, checkpoint.id],
    });
    await flush();
    expect(transport.last.resumes).toEqual([undefined]);
    expect(got).toEqual(['first', 'second', 'third']);
  });

  it('still resumes when `recent` names an id it never handed over, does not reach its checkpoint, or is malformed', async () => {
    const { got, checkpoint } = await openedAtCheckpoint();

    // A live post that failed below one that arrived.
    const lost = n('lost-live');
    const arrived = n('arrived-live');
    transport.last.handlers.onNotification(arrived);
    transport.replies.push({ notifications: [lost, arrived], truncated: false, cursor: arrived.id });
    transport.last.handlers.onPosition({ latest: arrived.id, recent: [arrived.id, lost.id, checkpoint.id] });
    await flush();
    expect(transport.last.resumes).toEqual([undefined, checkpoint.id]);
    expect(got).toEqual(['arrived-live', 'lost-live']);

    // More arrived than `recent` shows: the checkpoint is not in it.
    const many = ['m1', 'm2', 'm3', 'm4', 'm5'].map(n);
    for (const each of many) transport.last.handlers.onNotification(each);
    transport.replies.push({ notifications: [], truncated: false, cursor: many[4]?.id });
    const newestFirst = [...many].reverse().map((each) => each.id);
    transport.last.handlers.onPosition({ latest: many[4]?.id, recent: newestFirst.slice(0, 4) });
    await flush();
    expect(transport.last.resumes).toEqual([undefined, checkpoint.id, arrived.id]);

    // Malformed: not led by `latest`, not ids, not an array. Each is read as absent: a resume.
    const next = n('next');
    transport.last.handlers.onNotification(next);
    for (const bad of [[many[4]?.id], ['not-a-ulid'], 'x', { 0: next.id, 1: many[4]?.id }]) {
      transport.replies.push({ notifications: [], truncated: false, cursor: many[4]?.id });
      transport.last.handlers.onPosition({ latest: next.id, recent: bad });
      await flush();
    }
    expect(transport.last.resumes).toEqual([
      undefined,
      checkpoint.id,
      arrived.id,
      many[4]?.id,
      many[4]?.id,
      many[4]?.id,
      many[4]?.id,
    ]);
  });

  it('ignores a malformed or absent position, and resumes at most once for the same one', async () => {
    make();
    await flush();
    transport.last.handlers.onOpen();
    await flush();
    for (const bad of [undefined, null, 'not-a-ulid', 42, { id: 'x' }])
      transport.last.handlers.onPosition({ latest: bad, recent: [bad] });
    for (const frame of [undefined, null, 'x', 42, []]) transport.last.handlers.onPosition(frame);
    await flush();
    expect(transport.last.resumes).toEqual([undefined]);
    // A position the replay does not hand over (the server answered nothing for it).
    const unreachable = n('unreachable').id;
    transport.last.handlers.onPosition({ latest: unreachable });
    await flush();
    transport.last.handlers.onPosition({ latest: unreachable });
    await flush();
    expect(transport.last.resumes).toEqual([undefined, undefined]);
  });

  it('closes without reconnecting when the app calls close()', async () => {
    const client = make();
    const reasons: (DisconnectReason | undefined)[] = [];
    client.on('state', ({ reason }) => reasons.push(reason));
    await flush();
    transport.last.handlers.onOpen();
    await flush();
    client.close();
    expect(transport.last.closed).toBe(true);
    vi.advanceTimersByTime(10_000);
    expect(transport.opens).toHaveLength(1);
    expect(client.state).toBe('disconnected');
    expect(reasons.at(-1)).toMatchObject({ code: DisconnectCode.ClientClose, reconnect: false });
  });

  it('reports a token function that fails as token_source_failed and retries it', async () => {
    let calls = 0;
    const client = make({
      token: () => {
        calls++;
        throw new Error('no session');
      },
    });
    const reasons: (DisconnectReason | undefined)[] = [];
    client.on('state', ({ reason }) => reasons.push(reason));
    await flush();
    expect(reasons).toEqual([
      undefined, // the first connecting
      { code: DisconnectCode.TokenSourceFailed, reason: 'token source failed: no session', reconnect: true },
    ]);
    vi.advanceTimersByTime(1000);
    await flush();
    expect(calls).toBeGreaterThan(1); // retried
    client.close();
  });

  it('types a reason code as the SDK table, a contract error code or a close code', () => {
    expectTypeOf<DisconnectReason['code']>().toEqualTypeOf<DisconnectCode | ErrorCode | number>();
  });
});

describe('client with a newer server (tolerant reader)', () => {
  let transport: FakeTransport;
  beforeEach(() => {
    transport = new FakeTransport();
  });

  const make = () =>
    createClient({
      transport,
      url: 'x',
      token: 't',
      random: () => 0.5,
      resumeAfter: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
    });
  /** A notification of a type this SDK does not know, with a field it has never heard of. */
  const newer = (jobId: string) => ({ ...n(jobId), type: 'export.ready', priority: 'high' });
  const record = (client: ReturnType<typeof make>) => {
    const got = {
      all: [] as string[],
      typed: [] as string[],
      errors: [] as SyncbellError[],
      states: [] as string[],
    };
    client.on('notification', ({ notification }) => got.all.push(notification.id));
    client.on('sync.complete', ({ notification }) => got.typed.push(notification.id));
    client.on('error', (error) => got.errors.push(error));
    client.on('state', ({ newState }) => got.states.push(newState));
    return got;
  };

  it('types the generic event with type: string and the typed events with the known envelope', () => {
    expectTypeOf<ClientEvents['notification']['notification']['type']>().toEqualTypeOf<string>();
    expectTypeOf<ClientEvents['sync.complete']['notification']>().toEqualTypeOf<Notification>();
  });

  it('delivers the valid entries of a replay, skips and reports the malformed one, and stays connected', async () => {
    const before = n('before');
    const unknownType = newer('new');
    const future = { ...n('v2'), v: 2, region: 'eu' };
    const corrupt = { id: n('corrupt').id, userId: 'u', type: 42 };
    const after = n('after');
    transport.replies.push({
      notifications: [before, unknownType, corrupt, 'garbage', future, after],
      truncated: false,
    });
    const client = make();
    const got = record(client);
    await flush();
    transport.last.handlers.onOpen();
    await flush();
    expect(got.all).toEqual([before.id, unknownType.id, future.id, after.id]);
    expect(got.typed).toEqual([before.id, after.id]);
    expect(got.errors.map((e) => [e.name, (e as MalformedNotificationError).notificationId])).toEqual([
      ['MalformedNotificationError', corrupt.id],
      ['MalformedNotificationError', undefined],
    ]);
    expect(got.errors[0]?.code).toBe(ErrorCode.BadRequest);
    expect(got.states).toEqual(['connecting', 'connected']);
    expect(transport.opens).toHaveLength(1);
    expect(client.lastSeenId).toBe(after.id);
  });

  it('hands a live notification of an unknown type to the generic event only, and reports a malformed one with its id once', async () => {
    const client = make();
    const got = record(client);
    await flush();
    transport.last.handlers.onOpen();
    await flush();
    const unknownType = newer('live');
    const corrupt = { ...n('bad'), createdAtMs: 'yesterday' };
    transport.last.handlers.onNotification(unknownType);
    transport.last.handlers.onNotification(corrupt);
    transport.last.handlers.onNotification(corrupt); // served again (e.g. replayed): not reported twice
    expect(got.all).toEqual([unknownType.id]);
    expect(got.typed).toEqual([]);
    expect(got.errors.map((e) => (e as MalformedNotificationError).notificationId)).toEqual([corrupt.id]);
    expect(got.errors[0]).toEqual(withCode(ErrorCode.BadRequest, 'createdAtMs'));
    expect(got.states).toEqual(['connecting', 'connected']);
  });
});

describe('client position across page loads (positionStorage)', () => {
  let transport: FakeTransport;
  let storage: MapStorage;
  beforeEach(() => {
    transport = new FakeTransport();
    storage = new MapStorage();
  });
  const alice = jwtFor({ sub: 'alice' });
  const bob = jwtFor({ sub: 'bob' });
  /** One page load: a client on the shared storage, connected, its resume answered. */
  const load = async (extra: Partial<Parameters<typeof createClient>[0]> = {}) => {
    const client = createClient({
      transport,
      url: 'wss://x/prod',
      token: alice,
      positionStorage: storage,
      ...extra,
    });
    const got: [string | undefined, boolean][] = [];
    client.on('notification', ({ notification, meta }) => got.push([notification.jobId, meta.replayed]));
    await flush();
    const opened = transport.last;
    opened.handlers.onOpen();
    await flush();
    return { client, got, opened };
  };

  it('resumes a reloaded page after the last notification the previous page handed the app', async () => {
    const first = await load();
    const handed = n('before-reload');
    first.opened.handlers.onNotification(handed);
    first.client.close(); // the page unloads
    const missed = n('during-reload');
    transport.replies.push({ notifications: [missed], truncated: false });
    const second = await load();
    expect(second.opened.resumes).toEqual([handed.id]);
    expect(second.got).toEqual([['during-reload', true]]);
  });

  it('resumes a reloaded page that had received nothing after the resume answer’s cursor', async () => {
    const cursor = n('older').id;
    transport.replies.push({ notifications: [], truncated: false, cursor });
    (await load()).client.close();
    expect((await load()).opened.resumes).toEqual([cursor]);
  });

  it('never resumes another user after this user’s position, on a new page or a later connect', async () => {
    const first = await load();
    first.opened.handlers.onNotification(n('alice-only'));
    first.client.close();
    expect((await load({ token: bob })).opened.resumes).toEqual([undefined]);
    // One client whose token source switches users between connects.
    let token = alice;
    const switching = await load({ token: () => token, random: () => 0 });
    expect(switching.opened.resumes).toEqual([switching.client.lastSeenId]);
    token = bob;
    switching.opened.handlers.onClose({ code: 1006, reason: 'drop', reconnect: true, immediate: true });
    await vi.waitFor(() => expect(transport.opens.length).toBe(4));
    transport.last.handlers.onOpen();
    await flush();
    expect(transport.last.resumes).toEqual([undefined]);
  });

  it('lets an explicit resumeAfter win over the stored position', async () => {
    const first = await load();
    first.opened.handlers.onNotification(n('stored'));
    first.client.close();
    const explicit = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
    expect((await load({ resumeAfter: explicit })).opened.resumes).toEqual([explicit]);
  });

  it('stores nothing with positionStorage off', async () => {
    const page = await load({ positionStorage: 'off' });
    page.opened.handlers.onNotification(n('x'));
    expect(storage.items.size).toBe(0);
  });

  it('refuses a bad positionStorage with a ConfigError naming it', () => {
    expect(() =>
      createClient({
        transport,
        url: 'u',
        token: 't',
        positionStorage: 'tab' as 'session',
        autoConnect: false,
      }),
    ).toThrow(withCode(ClientErrorCode.InvalidOption, 'createClient', 'positionStorage'));
  });
});
