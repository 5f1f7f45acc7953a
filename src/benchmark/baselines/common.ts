// What every baseline method shares: the prediction file's shape, the indicator names, and the
// deterministic ordering of scored indicators.
import type { RcaCase } from '../cases.ts';
import { CANDIDATE_METRICS, type MetricSeries } from '../metric-series.ts';

/** The baseline methods. */
export const METHODS = ['random', 'zscore', 'baro'] as const;
export type MethodName = (typeof METHODS)[number];

/** One RCA answer: the indicators of a case, best first. */
export interface RcaPrediction {
  readonly incident_id: string;
  /** `service:metric` indicators, best first; scored at service level (the part before the first ':') and as exact indicators. */
  readonly ranking: readonly string[];
}

/** One host-interval a method calls anomalous; the timestamp is the interval's start, as in the data files. */
export interface AnomalyPrediction {
  readonly host_id: string;
  readonly timestamp: string;
}

/** A prediction file: the scorer's input. */
export interface Predictions {
  readonly rca: readonly RcaPrediction[];
  readonly anomalies: readonly AnomalyPrediction[];
}

/** What a method sees: the metrics, and every service its rankings must cover. */
export interface BaselineInput {
  readonly series: MetricSeries;
  /** Sorted; the services of the series and of the catalog's config. */
  readonly services: readonly string[];
}

/** A baseline: an RCA ranker and an anomaly detector over the same metrics. */
export interface BaselineMethod {
  readonly name: MethodName;
  /** Every `service:metric` indicator of the input's services, best first, ties by name. */
  rank(input: BaselineInput, rcaCase: RcaCase): string[];
  /** The host-intervals called anomalous, in time order, then host id. */
  detect(input: BaselineInput): AnomalyPrediction[];
}

/** `service:metric`, the indicator form of a ranking entry. */
export function indicatorName(service: string, metric: string): string {
  return `${service}:${metric}`;
}

/** Every indicator of the services (each × every candidate metric), sorted by name. */
export function allIndicators(services: readonly string[]): string[] {
  return services.flatMap((s) => CANDIDATE_METRICS.map((m) => indicatorName(s, m))).sort();
}

/**
 * The indicators of the services ordered by score, highest first; ties, and indicators without a
 * score (no data in a window: NaN or absent), by name, so the same data always gives the same file.
 */
export function rankByScore(services: readonly string[], scores: ReadonlyMap<string, number>): string[] {
  const scored = allIndicators(services).map((name) => {
    const s = scores.get(name);
    return { name, score: s === undefined || Number.isNaN(s) ? Number.NEGATIVE_INFINITY : s };
  });
  // allIndicators is sorted by name and Array.prototype.sort is stable: equal scores keep that order.
  scored.sort((a, b) => (a.score === b.score ? 0 : a.score > b.score ? -1 : 1));
  return scored.map((x) => x.name);
}

/** An interval's start as the data files write timestamps: `2024-06-01T00:15:00Z`. */
export function intervalTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
