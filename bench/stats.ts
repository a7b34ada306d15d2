/** Middle value (mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** A figure from repeated measurements: the median and the range the repetitions spanned. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  values: number[];
}

export function spreadOf(values: number[]): Spread {
  const finite = values.filter(Number.isFinite);
  return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite), values: finite };
}

/** Ratios of paired repetitions (a[i] ÷ b[i]: run next to each other, so drift hits both alike), with their spread. */
export function pairedRatio(a: number[], b: number[]): Spread {
  const count = Math.min(a.length, b.length);
  return spreadOf(Array.from({ length: count }, (_, i) => (a[i] as number) / (b[i] as number)));
}

export function round(value: number, digits = 3): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
