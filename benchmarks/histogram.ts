import * as hdr from 'hdr-histogram-js';

/**
 * Latency histograms. Values are recorded in microseconds (integers): the goals are sub-millisecond,
 * so milliseconds would round everything that matters to 0 or 1.
 */
export interface LatencySummary {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  meanMs: number;
}

/** One hour in microseconds: anything slower is a hang, not a latency. */
const HIGHEST_TRACKABLE_US = 3_600_000_000;

export type LatencyHistogram = hdr.Histogram;

export function createLatencyHistogram(): LatencyHistogram {
  return hdr.build({
    bitBucketSize: 64,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_US,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

/** Records a latency given in (fractional) milliseconds. Negative values (clock jitter) count as 0. */
export function recordMs(histogram: LatencyHistogram, latencyMs: number): void {
  const us = Math.min(HIGHEST_TRACKABLE_US, Math.max(0, Math.round(latencyMs * 1000)));
  histogram.recordValue(us);
}

export function encodeHistogram(histogram: LatencyHistogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): LatencyHistogram {
  const decoded = hdr.decodeFromCompressedBase64(encoded, 64, false);
  // Re-home in a histogram with our bounds so merges never overflow.
  const histogram = createLatencyHistogram();
  histogram.add(decoded);
  decoded.destroy();
  return histogram;
}

/** Merges encoded histograms from several load-generator processes. */
export function mergeEncoded(encoded: readonly string[]): LatencyHistogram {
  const merged = createLatencyHistogram();
  for (const item of encoded) {
    const histogram = decodeHistogram(item);
    merged.add(histogram);
    histogram.destroy();
  }
  return merged;
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;

export function summarize(histogram: LatencyHistogram): LatencySummary {
  const at = (percentile: number) =>
    histogram.totalCount === 0 ? 0 : round3(histogram.getValueAtPercentile(percentile) / 1000);
  return {
    count: histogram.totalCount,
    p50Ms: at(50),
    p90Ms: at(90),
    p99Ms: at(99),
    p999Ms: at(99.9),
    // The 100th percentile, not `maxValue`: it survives encoding unchanged (3 significant digits).
    maxMs: at(100),
    meanMs: histogram.totalCount === 0 ? 0 : round3(histogram.mean / 1000),
  };
}

/** Points of the cumulative distribution (latency in ms against the fraction at or below it). */
export function cdfPoints(
  histogram: LatencyHistogram,
  points = 60,
): { latencyMs: number; fraction: number }[] {
  if (histogram.totalCount === 0) return [];
  const out: { latencyMs: number; fraction: number }[] = [];
  // Denser near the tail, where the interesting part of a latency CDF is.
  for (let i = 0; i <= points; i++) {
    const fraction = 1 - 10 ** (-4 * (i / points));
    const percentile = Math.min(100, fraction * 100);
    out.push({
      latencyMs: round3(histogram.getValueAtPercentile(percentile) / 1000),
      fraction: round3(fraction),
    });
  }
  out.push({ latencyMs: round3(histogram.getValueAtPercentile(100) / 1000), fraction: 1 });
  return out;
}

/** Median and spread over several runs: what the report shows for every figure. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) return { median: 0, min: 0, max: 0, runs: [] };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? (sorted[mid] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return {
    median: round3(median),
    min: round3(sorted[0] as number),
    max: round3(sorted[sorted.length - 1] as number),
    runs: values.map(round3),
  };
}
