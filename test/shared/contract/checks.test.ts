import fc from 'fast-check';
import type * as z from 'zod';
import { describe, expect, it } from 'vitest';
import {
  CLIENT_ACTIONS,
  createNotification,
  ErrorCode,
  receivedErrorFrameBodySchema,
  isKnownNotification,
  knownNotificationSchema,
  notificationProblems,
  readableNotificationId,
  readErrorFrameBody,
  readReplayResult,
  readServerFrame,
  receivedNotificationSchema,
  receivedReplayResultSchema,
  receivedServerFrameSchema,
  SERVER_FRAME_TYPES,
  ulidSchema,
} from '../../../shared/contract/index.js';

/**
 * The browser's hand checks (checks.ts) and the zod schemas servers use must accept and refuse
 * the same things, or a client and a server would disagree about the contract. Inputs are JSON
 * values (what arrives off the wire): valid ones, the same with one field removed or replaced
 * by something else, with extra fields, and anything at all.
 */

const ulid = fc.stringMatching(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
const userId = fc.stringMatching(/^[A-Za-z0-9._@-]{1,128}$/);
const jobId = fc.string({ minLength: 1, maxLength: 128 });
// Known codes, codes a newer server might add, and the 64-character edge of the reader's rule.
const errorCode = fc.oneof(
  fc.constantFrom(...Object.values(ErrorCode)),
  fc.constantFrom('quota_exceeded', 'x', 'c'.repeat(64), 'c'.repeat(65)),
  fc.string({ maxLength: 70 }),
);

/** Values near every rule's edge, and anything JSON can carry. */
const oddValue = fc.oneof(
  fc.constantFrom(
    '',
    0,
    -1,
    1,
    1.5,
    -0,
    2 ** 53,
    Number.MAX_SAFE_INTEGER,
    null,
    true,
    [],
    {},
    'x'.repeat(129),
  ),
  fc.constantFrom('sync.complete', 'export.ready', 'alice', 'al ice', 'ok', 'error', 'replay'),
  // Almost a ULID: lower case, letters Crockford leaves out, a first digit above 7, 25 or 27 long.
  ulid.map((id) => id.toLowerCase()),
  ulid.map((id) => `${id.slice(0, 25)}U`),
  ulid.map((id) => `8${id.slice(1)}`),
  ulid.map((id) => id.slice(1)),
  ulid.map((id) => `${id}0`),
  ulid,
  errorCode,
  fc.jsonValue(),
);

/** A valid record, then possibly one field removed or replaced, possibly extra fields. */
function variants(valid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<unknown> {
  const extra = fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue(), { maxKeys: 3 });
  return fc.oneof(
    valid,
    fc.tuple(valid, extra).map(([value, more]) => ({ ...more, ...value })),
    fc.tuple(valid, fc.nat(), oddValue, fc.boolean()).map(([value, index, replacement, remove]) => {
      const keys = Object.keys(value);
      const key = keys[index % keys.length] as string;
      const copy: Record<string, unknown> = { ...value };
      if (remove) delete copy[key];
      else copy[key] = replacement;
      return copy;
    }),
    oddValue,
  );
}

const optional = <T>(arbitrary: fc.Arbitrary<T>) => ({ arbitrary, optional: true });
function record(shape: Record<string, fc.Arbitrary<unknown> | { arbitrary: fc.Arbitrary<unknown> }>) {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  const required: string[] = [];
  for (const [key, field] of Object.entries(shape)) {
    if ('arbitrary' in field) fields[key] = field.arbitrary;
    else {
      fields[key] = field;
      required.push(key);
    }
  }
  return fc.record(fields, { requiredKeys: required }) as fc.Arbitrary<Record<string, unknown>>;
}

const notification = record({
  id: ulid,
  type: fc.oneof(
    fc.constantFrom('sync.complete', 'sync.failed', 'sync.progress'),
    fc.string({ minLength: 1 }),
  ),
  userId,
  createdAtMs: fc.maxSafeNat(),
  v: optional(fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 9 }))),
  jobId: optional(jobId),
  data: optional(fc.dictionary(fc.string(), fc.jsonValue())),
});
/** What this version's publishers send (v 1, a known type, a jobId): the typed-event check. */
const knownNotification = fc
  .tuple(notification, fc.constantFrom('sync.complete', 'sync.failed', 'sync.progress'), jobId)
  .map(([value, type, job]) => ({ ...value, v: 1, type, jobId: job }));
const errorBody = record({ code: errorCode, message: fc.string() });
const replayResult = record({
  notifications: fc.array(fc.oneof(notification, fc.jsonValue()), { maxLength: 3 }),
  truncated: fc.boolean(),
  cursor: optional(ulid),
  servedBy: optional(fc.string()),
});
const requestId = optional(fc.string({ maxLength: 64 }));
const serverFrame = fc.oneof(
  record({ type: fc.constant('notification'), notification: fc.oneof(notification, fc.jsonValue()) }),
  record({
    type: fc.constant('replay'),
    requestId,
    notifications: fc.array(notification, { maxLength: 3 }),
    truncated: fc.boolean(),
    more: optional(fc.boolean()),
    cursor: optional(ulid),
  }),
  record({
    type: fc.constant('pong'),
    requestId,
    serverTimeMs: fc.double({ noNaN: true, noDefaultInfinity: true }),
  }),
  record({ type: fc.constant('error'), requestId, code: errorCode, message: fc.string() }),
  // A frame type from a newer server: both refuse it (the transport then ignores it).
  record({ type: fc.constantFrom('presence', 'resync', ...CLIENT_ACTIONS) }),
);

function agree(schema: z.ZodType, check: (value: unknown) => boolean, inputs: fc.Arbitrary<unknown>) {
  fc.assert(
    fc.property(inputs, (value) => {
      expect(check(value), JSON.stringify(value)).toBe(schema.safeParse(value).success);
    }),
    { numRuns: 2000 },
  );
}

describe('the hand checks agree with the zod schemas', () => {
  it('on received notifications (receivedNotificationSchema)', () => {
    agree(
      receivedNotificationSchema,
      (value) => notificationProblems(value).length === 0,
      variants(notification),
    );
  });

  it('on notifications the typed events carry (knownNotificationSchema)', () => {
    agree(knownNotificationSchema, isKnownNotification, variants(knownNotification));
    agree(knownNotificationSchema, isKnownNotification, variants(notification));
  });

  it('on readable ids (ulidSchema)', () => {
    agree(ulidSchema, (id) => readableNotificationId({ id }) !== undefined, fc.oneof(ulid, oddValue));
  });

  it('on error frame bodies (receivedErrorFrameBodySchema: a newer code too), keeping only code and message as zod does', () => {
    agree(
      receivedErrorFrameBodySchema,
      (value) => readErrorFrameBody(value) !== undefined,
      variants(errorBody),
    );
    fc.assert(
      fc.property(variants(errorBody), (value) => {
        const parsed = receivedErrorFrameBodySchema.safeParse(value);
        if (parsed.success) expect(readErrorFrameBody(value)).toEqual(parsed.data);
      }),
    );
  });

  it('on replay answers (receivedReplayResultSchema)', () => {
    agree(
      receivedReplayResultSchema,
      (value) => readReplayResult(value) !== undefined,
      variants(replayResult),
    );
  });

  it('on server frames of every type (receivedServerFrameSchema)', () => {
    agree(receivedServerFrameSchema, (value) => readServerFrame(value) !== undefined, variants(serverFrame));
  });
});

describe('notificationProblems', () => {
  it('names each field a reader needs and lacks', () => {
    const valid = createNotification(
      { type: 'sync.complete', userId: 'alice', jobId: 'j' },
      1_795_000_000_000,
    );
    expect(notificationProblems(valid)).toEqual([]);
    expect(notificationProblems({ ...valid, id: 'nope', createdAtMs: -1 })).toEqual([
      'id: must be a ULID (26 Crockford base32 characters)',
      'createdAtMs: must be an integer of at least 0',
    ]);
    expect(notificationProblems(null)).toEqual(['notification: must be an object']);
  });

  it('knows every frame type the contract lists', () => {
    for (const type of SERVER_FRAME_TYPES) expect(readServerFrame({ type })).toBeUndefined();
    expect(readServerFrame({ type: 'pong', serverTimeMs: 1 })).toEqual({ type: 'pong', serverTimeMs: 1 });
  });
});
