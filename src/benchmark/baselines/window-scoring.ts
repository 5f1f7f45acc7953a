// The shared frame of the two scoring baselines (zscore and baro): both compare an anomalous window
// against a reference window before the anomaly time and differ only in how they summarize the
// reference (mean and standard deviation, or median and interquartile range).
import type { RcaCase } from '../cases.ts';
import { CANDIDATE_METRICS, type HostSeries } from '../metric-series.ts';
import { indicatorName, intervalTimestamp, rankByScore, type AnomalyPrediction, type BaselineInput, type BaselineMethod, type MethodName } from './common.ts';

/** Where a reference sits and how far a value must go to count as one step away from it. */
export interface Spread {
  readonly center: number;
  /** Always > 0: each method floors its own. */
  readonly scale: number;
}

/** Summarizes a reference: values holds at least one number and no NaN. */
export type Summarize = (values: Float64Array) => Spread;

/** The reference window: the four hours before the anomaly time ([t − 4 h, t)). */
export const REFERENCE_MS = 4 * 3_600_000;
/** The anomalous window: the hour from the anomaly time ([t, t + 1 h)). */
export const ANOMALOUS_MS = 3_600_000;

/**
 * Which time a method is given as the anomaly time of a case: `detected`, the case's first alert
 * (the start when no alert fired), is what an operator would have; `start`, the fault's true start,
 * is RCAEval's setting (the injection time is known there).
 */
export type AnomalyTime = 'start' | 'detected';

/** Options of the scoring methods. */
export interface WindowMethodOptions {
  readonly time?: AnomalyTime | undefined;
  /** Score at or above which a host-interval is called anomalous. */
  readonly threshold: number;
}

/** The anomaly time of a case under an option. */
export function anomalyTime(rcaCase: RcaCase, time: AnomalyTime): number {
  return time === 'start' ? rcaCase.startMs : (rcaCase.detectedMs ?? rcaCase.startMs);
}

/** The present (non-NaN) values of column cells [from, to), clamped to the column. */
function present(column: Float32Array, from: number, to: number): Float64Array {
  const lo = Math.max(0, from);
  const hi = Math.min(column.length, to);
  const out: number[] = [];
  for (let k = lo; k < hi; k++) {
    const v = column[k] as number;
    if (!Number.isNaN(v)) out.push(v);
  }
  return Float64Array.from(out);
}

/**
 * One host's score on one metric: the largest |x − center| / scale over the anomalous cells,
 * against the reference cells' summary; NaN when either window has no value.
 */
function windowScore(column: Float32Array, summarize: Summarize, ref: readonly [number, number], anomalous: readonly [number, number]): number {
  const reference = present(column, ref[0], ref[1]);
  if (reference.length === 0) return Number.NaN;
  const { center, scale } = summarize(reference);
  let best = Number.NEGATIVE_INFINITY;
  for (const x of present(column, anomalous[0], anomalous[1])) best = Math.max(best, Math.abs(x - center) / scale);
  return best === Number.NEGATIVE_INFINITY ? Number.NaN : best;
}

/**
 * A scoring baseline. RCA: each host's metric is scored on the case's windows, and a service's
 * indicator takes the largest score of its hosts, because a fault usually sits on one host of a
 * service, and averaging over hosts would dilute it by the number of healthy ones.
 * Anomalies: each host and metric is summarized once over the whole dataset (cheap, and no
 * trailing window to warm up); a host-interval is flagged when any candidate metric scores at or
 * above the threshold against it.
 */
export function createWindowMethod(name: MethodName, summarize: Summarize, options: WindowMethodOptions): BaselineMethod {
  const time = options.time ?? 'detected';
  return {
    name,
    rank({ series, services }, rcaCase) {
      const k0 = Math.floor((anomalyTime(rcaCase, time) - series.startMs) / series.granularityMs);
      // At least one interval each, for granularities coarser than the windows (hourly, daily).
      const ref = [k0 - Math.max(1, Math.round(REFERENCE_MS / series.granularityMs)), k0] as const;
      const anomalous = [k0, k0 + Math.max(1, Math.round(ANOMALOUS_MS / series.granularityMs))] as const;
      const scores = new Map<string, number>();
      for (const host of series.hosts) {
        for (let j = 0; j < CANDIDATE_METRICS.length; j++) {
          const s = windowScore(host.values[j] as Float32Array, summarize, ref, anomalous);
          if (Number.isNaN(s)) continue;
          const key = indicatorName(host.service, CANDIDATE_METRICS[j] as string);
          const prev = scores.get(key);
          if (prev === undefined || s > prev) scores.set(key, s);
        }
      }
      return rankByScore(services, scores);
    },
    detect({ series }) {
      const flagged = series.hosts.map((host) => flagHost(host, summarize, options.threshold));
      const out: AnomalyPrediction[] = [];
      for (let k = 0; k < series.intervals; k++) {
        for (let h = 0; h < series.hosts.length; h++) {
          if ((flagged[h] as Uint8Array)[k]) out.push({ host_id: (series.hosts[h] as HostSeries).hostId, timestamp: intervalTimestamp(series.timeOf(k)) });
        }
      }
      return out;
    },
  };
}

/** 1 for each interval where a metric of the host scores ≥ threshold against its whole-dataset summary. */
function flagHost(host: HostSeries, summarize: Summarize, threshold: number): Uint8Array {
  const column0 = host.values[0] as Float32Array;
  const flags = new Uint8Array(column0.length);
  for (const column of host.values) {
    const all = present(column, 0, column.length);
    if (all.length === 0) continue;
    const { center, scale } = summarize(all);
    for (let k = 0; k < column.length; k++) {
      const v = column[k] as number;
      if (!Number.isNaN(v) && Math.abs(v - center) / scale >= threshold) flags[k] = 1;
    }
  }
  return flags;
}
