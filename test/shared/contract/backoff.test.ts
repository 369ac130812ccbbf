import { describe, expect, it } from 'vitest';
import {
  backoff,
  delayWithHint,
  MAX_RESUME_DEADLINE_DOUBLINGS,
  MAX_RETRY_AFTER_MS,
  reconnectBackoff,
  resumeDeadlineMs,
} from '../../../shared/contract/backoff.js';

describe('delayWithHint', () => {
  it('takes the larger of the backoff and the hint, the hint capped, a missing or bad hint ignored', () => {
    expect(delayWithHint(300, undefined)).toBe(300);
    expect(delayWithHint(300, 1000)).toBe(1000);
    expect(delayWithHint(3000, 1000)).toBe(3000);
    expect(delayWithHint(0, Number.POSITIVE_INFINITY)).toBe(0);
    expect(delayWithHint(0, -5)).toBe(0);
    expect(delayWithHint(0, MAX_RETRY_AFTER_MS * 2)).toBe(MAX_RETRY_AFTER_MS);
  });
});

describe('backoff', () => {
  it('is uniformly random below min * 2^step, capped at max', () => {
    expect(backoff(0, 1000, 5000, () => 0.999)).toBe(999);
    expect(backoff(2, 1000, 5000, () => 0.5)).toBe(2000);
    expect(backoff(10, 1000, 5000, () => 0.999)).toBe(4995);
    expect(backoff(3, 1000, 5000, () => 0)).toBe(0);
  });
});

describe('reconnectBackoff', () => {
  it('spreads the first attempt below the floor, then never goes below the floor nor above the cap', () => {
    expect(reconnectBackoff(0, 1000, 5000, () => 0)).toBe(0);
    expect(reconnectBackoff(0, 1000, 5000, () => 0.999)).toBe(999);
    for (const step of [1, 2, 3, 10, 1000]) {
      expect(reconnectBackoff(step, 1000, 5000, () => 0)).toBe(1000);
      expect(reconnectBackoff(step, 1000, 5000, () => 0.999999)).toBeLessThan(5000);
    }
    expect(reconnectBackoff(1, 1000, 5000, () => 0.5)).toBe(1500); // [1000, 2000)
    expect(reconnectBackoff(2, 1000, 5000, () => 0.5)).toBe(2500); // [1000, 4000)
    expect(reconnectBackoff(5, 1000, 1000, () => 0.5)).toBe(1000); // min = max: the floor
  });
});

describe('resumeDeadlineMs', () => {
  it('doubles the deadline per consecutive failure and stops growing at the bound', () => {
    expect([0, 1, 2, 3, 50].map((failures) => resumeDeadlineMs(10_000, failures))).toEqual([
      10_000, 20_000, 40_000, 40_000, 40_000,
    ]);
    expect(resumeDeadlineMs(10_000, 1e9)).toBe(10_000 * 2 ** MAX_RESUME_DEADLINE_DOUBLINGS);
    expect(resumeDeadlineMs(10_000, -1)).toBe(10_000);
    expect(resumeDeadlineMs(10_000, Number.NaN)).toBe(10_000);
  });
});
