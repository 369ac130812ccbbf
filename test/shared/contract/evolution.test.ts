import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  createNotification,
  isKnownNotification,
  type Notification,
  notificationSchema,
  type ReceivedNotification,
  readableNotificationId,
  receivedNotificationSchema,
  receivedReplayResultSchema,
  receivedServerFrameSchema,
  screenLogEntry,
} from '../../../shared/contract/index.js';

const known = createNotification({ type: 'sync.complete', userId: 'alice', jobId: 'j' }, 1_795_000_000_000);
/** What a newer server might send: a type this version does not know, a new field, a higher version. */
const newer = { ...known, type: 'export.ready', priority: 'high', v: 2 };

describe('the tolerant reader (Evolving the contract)', () => {
  it('accepts a newer server’s envelope and keeps its unknown fields', () => {
    const parsed = receivedNotificationSchema.parse(newer);
    expect(parsed).toEqual(newer);
    expect(parsed.priority).toBe('high');
  });

  it('requires only id, type, userId and createdAtMs', () => {
    const minimal = { id: known.id, type: 'export.ready', userId: 'alice', createdAtMs: 1 };
    expect(receivedNotificationSchema.safeParse(minimal).success).toBe(true);
  });

  it.each([
    ['no id', { id: undefined }],
    ['an id that is not a ULID', { id: 'not-a-ulid' }],
    ['a type that is not a string', { type: 42 }],
    ['no userId', { userId: undefined }],
    ['no createdAtMs', { createdAtMs: undefined }],
    ['a jobId of the wrong shape', { jobId: 7 }],
  ])('rejects an envelope with %s', (_, patch) => {
    expect(receivedNotificationSchema.safeParse({ ...newer, ...patch }).success).toBe(false);
  });

  it('keeps the publisher strict: a server can only create known v1 envelopes', () => {
    expect(notificationSchema.safeParse(newer).success).toBe(false);
    expect(() =>
      createNotification({ type: 'export.ready' as 'sync.complete', userId: 'a', jobId: 'j' }),
    ).toThrow();
  });

  it('calls only full v1 envelopes of a known type known, extra fields or not', () => {
    expect(isKnownNotification(known)).toBe(true);
    expect(isKnownNotification({ ...known, priority: 'high' })).toBe(true);
    expect(isKnownNotification({ ...known, type: 'export.ready' })).toBe(false);
    expect(isKnownNotification({ ...known, v: 2 })).toBe(false);
  });

  it('types the generic notification with type: string and the known one with the union', () => {
    expectTypeOf<ReceivedNotification['type']>().toEqualTypeOf<string>();
    expectTypeOf<Notification['type']>().toEqualTypeOf<'sync.complete' | 'sync.failed' | 'sync.progress'>();
    expectTypeOf<Notification>().toExtend<ReceivedNotification>();
  });

  it('reads a replay answer and frames with extra fields, leaving each entry to be checked on its own', () => {
    const corrupt = { id: known.id, type: 42 };
    expect(
      receivedReplayResultSchema.parse({
        notifications: [known, corrupt, 'garbage'],
        truncated: false,
        shard: 3,
      }),
    ).toMatchObject({ notifications: [known, corrupt, 'garbage'], shard: 3 });
    expect(
      receivedServerFrameSchema.safeParse({ type: 'notification', notification: corrupt, region: 'eu' })
        .success,
    ).toBe(true);
  });

  it('reads an id from a malformed entry only when it is a ULID', () => {
    expect(readableNotificationId({ id: known.id, type: 42 })).toBe(known.id);
    expect(readableNotificationId({ id: 'nope' })).toBeUndefined();
    expect(readableNotificationId('garbage')).toBeUndefined();
    expect(readableNotificationId(null)).toBeUndefined();
  });
});

describe('screenLogEntry (what a server serves from its log)', () => {
  it('serves a newer server’s entry as stored', () => {
    expect(screenLogEntry(newer, 'alice')).toEqual({ served: newer });
  });

  it('serves a malformed entry with a readable id, for the client to skip and report', () => {
    const corrupt = { id: known.id, userId: 'alice', type: 42 };
    expect(screenLogEntry(corrupt, 'alice')).toEqual({ served: corrupt });
  });

  it.each([
    ['not JSON', undefined],
    ['a string', 'garbage'],
    ['an array', [known]],
    ['an object without a readable id', { userId: 'alice', type: 'sync.complete' }],
  ])('skips an unreadable entry (%s)', (_, value) => {
    expect(screenLogEntry(value, 'alice')).toEqual({ skipped: 'unreadable' });
  });

  it('never serves another user’s entry, however well-formed', () => {
    expect(screenLogEntry(known, 'bob')).toEqual({ skipped: 'another_user', id: known.id });
    expect(screenLogEntry({ id: known.id, type: 42 }, 'alice')).toEqual({
      skipped: 'another_user',
      id: known.id,
    });
  });
});
