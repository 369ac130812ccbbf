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
  it('is true when the log’s newest id is not the reader’s checkpoint', () => {
    const checkpoint = id('checkpoint');
    expect(missedPosition(id('newer'), checkpoint)).toBe(true);
    expect(missedPosition(id('first'), undefined)).toBe(true);
  });

  it('is false for no position and for the checkpoint itself', () => {
    const checkpoint = id('checkpoint-2');
    expect(missedPosition(undefined, checkpoint)).toBe(false);
    expect(missedPosition(undefined, undefined)).toBe(false);
    expect(missedPosition(checkpoint, checkpoint)).toBe(false);
  });
});
