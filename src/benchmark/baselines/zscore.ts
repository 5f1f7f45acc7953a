// NSigma, the z-score baseline of RCAEval (Pham et al., "RCAEval: A Benchmark for Root Cause
// Analysis of Microservice Systems with Telemetry Data", WWW 2025 Companion, arXiv:2412.17015): each metric is
// standardized by the mean and standard deviation of the normal period, and ranked by the largest
// |z| it reaches after the anomaly time.
import type { BaselineMethod } from './common.ts';
import { createWindowMethod, type AnomalyTime, type Spread } from './window-scoring.ts';

/**
 * Added to the standard deviation: the files' resolution (values are written with two decimals),
 * so a flat reference (a healthy network's 0 % packet loss) does not make one step of rounding an
 * infinite departure.
 */
export const ZSCORE_EPSILON = 0.01;

/** The 3-sigma rule: the anomaly threshold when none is given. */
export const ZSCORE_DEFAULT_THRESHOLD = 3;

/** Mean and population standard deviation (+ ZSCORE_EPSILON), as StandardScaler fits them. */
export function meanStd(values: Float64Array): Spread {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let sq = 0;
  for (const v of values) sq += (v - mean) * (v - mean);
  return { center: mean, scale: Math.sqrt(sq / values.length) + ZSCORE_EPSILON };
}

/** Options of the z-score baseline. */
export interface ZscoreOptions {
  readonly time?: AnomalyTime | undefined;
  /** |z| at or above which a host-interval is anomalous; default 3. */
  readonly threshold?: number | undefined;
}

/** The z-score (NSigma) baseline. */
export function createZscoreMethod(options: ZscoreOptions = {}): BaselineMethod {
  return createWindowMethod('zscore', meanStd, { time: options.time, threshold: options.threshold ?? ZSCORE_DEFAULT_THRESHOLD });
}
