// BARO's root-cause step: Pham, Ha and Zhang, "BARO: Robust Root Cause Analysis for Microservices
// via Multivariate Bayesian Online Change Point Detection", FSE 2024 (arXiv:2405.09330). Its RCA
// ranks metrics by their robust score after the change point: |x − median| / IQR of the normal
// period (sklearn's RobustScaler), which a few incident values leaking into the reference move far
// less than they move a mean and standard deviation. BARO's detection step (multivariate Bayesian
// online change point detection) is not reproduced: the anomaly list uses the same robust score
// against each host's whole-dataset median and IQR.
import type { BaselineMethod } from './common.ts';
import { createWindowMethod, type AnomalyTime, type Spread } from './window-scoring.ts';

/** The least IQR: the files' resolution (two decimals), so a flat reference cannot divide by 0. */
export const BARO_EPSILON = 0.01;

/**
 * The anomaly threshold when none is given, in IQRs. One IQR is about 1.35 standard deviations of
 * Gaussian noise, and the score is taken on seven metrics per host-interval: 5 IQR (~6.7 σ) keeps
 * the false alarms of noise rare while the incident signatures, many IQR high, still pass.
 */
export const BARO_DEFAULT_THRESHOLD = 5;

/** The q-quantile of sorted values, interpolated linearly between order statistics (numpy's default). */
function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  return a + ((sorted[hi] as number) - a) * (pos - lo);
}

/** Median and interquartile range (floored at BARO_EPSILON), as RobustScaler fits them. */
export function medianIqr(values: Float64Array): Spread {
  const sorted = Float64Array.from(values).sort();
  return { center: quantile(sorted, 0.5), scale: Math.max(quantile(sorted, 0.75) - quantile(sorted, 0.25), BARO_EPSILON) };
}

/** Options of the BARO baseline. */
export interface BaroOptions {
  readonly time?: AnomalyTime | undefined;
  /** Robust score at or above which a host-interval is anomalous; default 5. */
  readonly threshold?: number | undefined;
}

/** The BARO (robust median/IQR) baseline. */
export function createBaroMethod(options: BaroOptions = {}): BaselineMethod {
  return createWindowMethod('baro', medianIqr, { time: options.time, threshold: options.threshold ?? BARO_DEFAULT_THRESHOLD });
}
