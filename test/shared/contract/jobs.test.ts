import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SYNC_JOB_DURATION_MS,
  MAX_SYNC_JOB_DURATION_MS,
  SYNC_JOB_ID_PATTERN,
  ulidTimeMs,
} from '../../../shared/contract/index.js';
import { newSyncJobId, syncJobIdSchema, syncJobRequestSchema } from '../../../shared/contract/jobs.js';

describe('the demo job API (both variants)', () => {
  it('fills the defaults: a 2-second job that completes', () => {
    expect(syncJobRequestSchema.parse({})).toEqual({
      durationMs: DEFAULT_SYNC_JOB_DURATION_MS,
      outcome: 'complete',
    });
  });

  it('accepts durations from 0 to the cap and refuses one millisecond more, fractions and unknown fields', () => {
    expect(syncJobRequestSchema.safeParse({ durationMs: 0 }).success).toBe(true);
    expect(syncJobRequestSchema.safeParse({ durationMs: MAX_SYNC_JOB_DURATION_MS }).success).toBe(true);
    for (const body of [
      { durationMs: MAX_SYNC_JOB_DURATION_MS + 1 },
      { durationMs: -1 },
      { durationMs: 1.5 },
      { publishVia: 'worker' },
    ])
      expect(syncJobRequestSchema.safeParse(body).success, JSON.stringify(body)).toBe(false);
  });

  it('makes job ids of job_ and a ULID stamped now, which its schema accepts and a UUID does not pass', () => {
    const before = Date.now();
    const id = newSyncJobId();
    expect(id).toMatch(SYNC_JOB_ID_PATTERN);
    expect(ulidTimeMs(id.slice('job_'.length))).toBeGreaterThanOrEqual(before);
    expect(syncJobIdSchema.safeParse(id).success).toBe(true);
    expect(syncJobIdSchema.safeParse('3b241101-e2bb-4255-8caf-4136c566a962').success).toBe(false);
  });
});

describe('@syncbell/contract', () => {
  it('keeps the demo job API out of its main entry (it is @syncbell/contract/jobs)', async () => {
    const contract = await import('@syncbell/contract');
    const jobs = await import('@syncbell/contract/jobs');
    expect(Object.keys(jobs).filter((name) => name in contract)).toEqual([]);
    expect(Object.keys(jobs)).toEqual(expect.arrayContaining(['syncJobRequestSchema', 'newSyncJobId']));
  });
});
