import { describe, expect, it } from 'vitest';
import {
  createNotification,
  keepAliveAnswerSchema,
  missedPosition,
  readLatest,
  readServerFrame,
  serverFrameSchema,
} from '../../../shared/contract/index.js';

const id = (jobId: string) => createNotification({ type: 'sync.complete', userId: 'u', jobId }).id;

describe('readLatest', () => {
  it('reads a ULID `latest` and nothing else', () => {
    const latest = id('a');
    expect(readLatest({ type: 'pong', serverTimeMs: 1, latest })).toBe(latest);
    expect(readLatest({ serverTimeMs: 1 })).toBeUndefined();
    for (const bad of ['', 'not-a-ulid', 42, null, { id: latest }, [latest], latest.toLowerCase()])
      expect(readLatest({ latest: bad })).toBeUndefined();
    for (const notAFrame of [undefined, null, 'pong', 7]) expect(readLatest(notAFrame)).toBeUndefined();
  });

  it('leaves a pong with a malformed `latest` readable (tolerant reader)', () => {
    const frame = { type: 'pong', serverTimeMs: 1, latest: { newer: 'shape' } };
    expect(readServerFrame(frame)).toEqual(frame);
    expect(readLatest(frame)).toBeUndefined();
  });

  it('is what a server sends: the sent schemas refuse a malformed `latest`', () => {
    expect(serverFrameSchema.safeParse({ type: 'pong', serverTimeMs: 1, latest: 'x' }).success).toBe(false);
    expect(serverFrameSchema.safeParse({ type: 'pong', serverTimeMs: 1, latest: id('b') }).success).toBe(
      true,
    );
    expect(keepAliveAnswerSchema.safeParse({ serverTimeMs: 1 }).success).toBe(true);
    expect(keepAliveAnswerSchema.safeParse({ serverTimeMs: 1, latest: 'x' }).success).toBe(false);
  });
});

describe('missedPosition', () => {
  const seen = new Set<string>();
  const known = (lastSeenId: string | undefined) => ({ lastSeenId, has: (x: string) => seen.has(x) });

  it('is true for a position the reader has not had', () => {
    const handed = id('handed');
    seen.add(handed);
    expect(missedPosition(id('newer'), known(handed))).toBe(true);
    expect(missedPosition(id('first'), known(undefined))).toBe(true);
  });

  it('is false for no position, the last id seen (or the resume cursor), and any id already handed over', () => {
    const handed = id('handed-2');
    seen.add(handed);
    const cursor = id('cursor');
    expect(missedPosition(undefined, known(handed))).toBe(false);
    expect(missedPosition(handed, known(handed))).toBe(false);
    expect(missedPosition(handed, known(id('later')))).toBe(false);
    expect(missedPosition(cursor, known(cursor))).toBe(false);
  });
});
