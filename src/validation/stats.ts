// The arithmetic of the report: shares, correlations and medians, pure functions on numbers.
import type { Correlation, Ratio } from './report.ts';

/** A share with what it was computed from, rounded to 4 decimals; null when the denominator is 0. */
export function ratio(numerator: number, denominator: number): Ratio {
  return { numerator, denominator, value: denominator === 0 ? null : Math.round((numerator / denominator) * 10000) / 10000 };
}

/** Pearson's r, rounded to 4 decimals; null with fewer than 3 pairs or no variance. */
export function pearson(xs: readonly number[], ys: readonly number[]): number | null {
  const n = xs.length;
  if (n < 3) return null;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i] as number;
    my += ys[i] as number;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? null : Math.round((sxy / Math.sqrt(sxx * syy)) * 10000) / 10000;
}

/**
 * The r that a metric equal to the true failure probability p (xs) would reach against the
 * failed share of n sampled spans per cell (ns): that share varies by p(1 − p)/n around p, and this
 * noise alone caps r at √(var p / (var p + mean noise)).
 */
export function samplingCeiling(xs: readonly number[], ns: readonly number[]): number | null {
  const n = xs.length;
  if (n < 3) return null;
  let mean = 0;
  for (const x of xs) mean += x;
  mean /= n;
  let varX = 0;
  let noise = 0;
  for (let i = 0; i < n; i++) {
    const x = xs[i] as number;
    varX += (x - mean) ** 2;
    noise += (x * (1 - x)) / (ns[i] as number);
  }
  varX /= n;
  return varX === 0 ? null : Math.round(Math.sqrt(varX / (varX + noise / n)) * 10000) / 10000;
}

/** The error-rate metric (xs) against the failed share (ys) of ns sampled spans per cell. */
export function errorCorrelation(xs: readonly number[], ys: readonly number[], ns: readonly number[], cell: string): Correlation {
  return { r: pearson(xs, ys), ceiling: samplingCeiling(xs, ns), cells: xs.length, cell };
}

/** The median; NaN for no values. */
export function median(values: Float64Array): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
