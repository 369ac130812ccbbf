import { describe, expect, it } from 'vitest';
import {
  cdfPoints,
  createLatencyHistogram,
  decodeHistogram,
  encodeHistogram,
  mergeEncoded,
  recordMs,
  spreadOf,
  summarize,
} from '../../benchmarks/histogram.js';

describe('latency histograms', () => {
  it('reports percentiles of recorded millisecond latencies at microsecond resolution', () => {
    const histogram = createLatencyHistogram();
    for (let i = 1; i <= 1000; i++) recordMs(histogram, i / 100); // 0.01 ms .. 10 ms
    const summary = summarize(histogram);
    expect(summary.count).toBe(1000);
    expect(summary.p50Ms).toBeCloseTo(5, 1);
    expect(summary.p90Ms).toBeCloseTo(9, 1);
    expect(summary.p99Ms).toBeCloseTo(9.9, 1);
    expect(summary.maxMs).toBeCloseTo(10, 1);
  });

  it('keeps sub-millisecond values apart instead of rounding them to whole milliseconds', () => {
    const histogram = createLatencyHistogram();
    recordMs(histogram, 0.26);
    recordMs(histogram, 0.26);
    recordMs(histogram, 1.7);
    expect(summarize(histogram).p50Ms).toBeCloseTo(0.26, 2);
  });

  it('records negative latencies (clock jitter) as zero rather than failing', () => {
    const histogram = createLatencyHistogram();
    recordMs(histogram, -0.5);
    expect(summarize(histogram)).toMatchObject({ count: 1, maxMs: 0 });
  });

  it('merges histograms from several processes as if recorded in one', () => {
    const a = createLatencyHistogram();
    const b = createLatencyHistogram();
    for (let i = 0; i < 100; i++) recordMs(a, 1);
    for (let i = 0; i < 100; i++) recordMs(b, 3);
    const merged = mergeEncoded([encodeHistogram(a), encodeHistogram(b)]);
    const summary = summarize(merged);
    expect(summary.count).toBe(200);
    expect(summary.p50Ms).toBeCloseTo(1, 2);
    expect(summary.p99Ms).toBeCloseTo(3, 2);
  });

  it('round-trips through the compressed encoding', () => {
    const histogram = createLatencyHistogram();
    recordMs(histogram, 12.5);
    expect(summarize(decodeHistogram(encodeHistogram(histogram)))).toEqual(summarize(histogram));
  });

  it('gives an empty summary and no CDF points for an empty histogram', () => {
    const histogram = createLatencyHistogram();
    expect(summarize(histogram)).toMatchObject({ count: 0, p50Ms: 0, maxMs: 0 });
    expect(cdfPoints(histogram)).toEqual([]);
  });

  it('draws a CDF that never decreases and ends at the maximum', () => {
    const histogram = createLatencyHistogram();
    for (let i = 1; i <= 500; i++) recordMs(histogram, i / 10);
    const points = cdfPoints(histogram, 20);
    for (let i = 1; i < points.length; i++) {
      expect(points[i]?.latencyMs).toBeGreaterThanOrEqual(points[i - 1]?.latencyMs ?? 0);
      expect(points[i]?.fraction).toBeGreaterThanOrEqual(points[i - 1]?.fraction ?? 0);
    }
    expect(points[points.length - 1]?.fraction).toBe(1);
    expect(points[points.length - 1]?.latencyMs).toBeCloseTo(50, 1);
  });
});

describe('spreadOf', () => {
  it('takes the middle value of an odd number of runs', () => {
    expect(spreadOf([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, runs: [3, 1, 2] });
  });

  it('averages the two middle values of an even number of runs', () => {
    expect(spreadOf([4, 1, 2, 3]).median).toBe(2.5);
  });

  it('is all zeros with no runs', () => {
    expect(spreadOf([])).toEqual({ median: 0, min: 0, max: 0, runs: [] });
  });
});
