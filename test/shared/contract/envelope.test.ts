import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { buildJsonSchema, JSON_SCHEMA_PATH } from '../../../cli/json-schema.js';
import {
  createNotification,
  isUlidFloor,
  notificationSchema,
  ulidFloor,
  ulidTimeMs,
} from '../../../shared/contract/index.js';

describe('notification envelope', () => {
  it('stamps a version, a ULID id and the creation time in epoch ms', () => {
    const n = createNotification(
      { type: 'sync.complete', userId: 'alice', jobId: 'job-1' },
      1_795_000_000_000,
    );
    expect(n).toMatchObject({
      v: 1,
      type: 'sync.complete',
      userId: 'alice',
      jobId: 'job-1',
      createdAtMs: 1_795_000_000_000,
    });
    expect(ulidTimeMs(n.id)).toBe(1_795_000_000_000);
  });

  it('gives ids that sort in creation order, even within one millisecond', () => {
    const ids = Array.from(
      { length: 50 },
      () => createNotification({ type: 'sync.progress', userId: 'u', jobId: 'j' }, 42_000).id,
    );
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(50);
  });

  it.each([
    ['an unknown type', { type: 'sync.exploded' }],
    ['a user id with a room separator', { userId: 'user:bob' }],
    ['a negative time', { createdAtMs: -1 }],
    ['an extra field', { admin: true }],
    ['a future version', { v: 2 }],
  ])('rejects %s', (_, patch) => {
    const valid = createNotification({ type: 'sync.complete', userId: 'alice', jobId: 'j' });
    expect(notificationSchema.safeParse({ ...valid, ...patch }).success).toBe(false);
  });

  it('round-trips a time cursor that sorts before every real id of that millisecond', () => {
    const floor = ulidFloor(1_795_000_000_123);
    expect(ulidTimeMs(floor)).toBe(1_795_000_000_123);
    expect(isUlidFloor(floor)).toBe(true);
    const real = createNotification({ type: 'sync.complete', userId: 'a', jobId: 'j' }, 1_795_000_000_123);
    expect(isUlidFloor(real.id)).toBe(false);
    expect(floor < real.id).toBe(true);
  });

  it('keeps the checked-in JSON Schema in step with the zod schemas (run `syncbell schema` to update)', async () => {
    const onDisk = JSON.parse(await readFile(JSON_SCHEMA_PATH, 'utf8'));
    expect(onDisk).toEqual(buildJsonSchema());
  });
});
