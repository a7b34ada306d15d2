import { build, type Histogram } from 'hdr-histogram-js';

/** Latency percentiles of one measurement, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  /** p99.9; absent from results saved before it was recorded. */
  p999?: number;
  max: number;
  mean: number;
}

/** An HDR histogram of latencies recorded in microseconds (1 µs to 2 min, 3 significant digits). */
export function createLatencyHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
}

/** Records one latency given in milliseconds (performance.now() deltas). */
export function recordMs(histogram: Histogram, ms: number): void {
  histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
}

const toMs = (us: number): number => Math.round(us) / 1000;

export function summarize(histogram: Histogram): LatencySummary {
  return {
    count: histogram.totalCount,
    p50: toMs(histogram.getValueAtPercentile(50)),
    p90: toMs(histogram.getValueAtPercentile(90)),
    p99: toMs(histogram.getValueAtPercentile(99)),
    p999: toMs(histogram.getValueAtPercentile(99.9)),
    max: toMs(histogram.maxValue),
    mean: toMs(histogram.mean),
  };
}
