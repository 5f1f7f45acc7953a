// The baseline methods of the benchmark and the one call that runs one on a dataset: reference
// points a model's predictions are compared with (a random floor, NSigma and BARO's robust scorer).
import { rcaCases, readCatalog } from '../cases.ts';
import { DatasetError, readMetricSeries } from '../metric-series.ts';
import { createBaroMethod } from './baro.ts';
import type { BaselineInput, BaselineMethod, MethodName, Predictions } from './common.ts';
import { createRandomMethod } from './random.ts';
import type { AnomalyTime } from './window-scoring.ts';
import { createZscoreMethod } from './zscore.ts';

export { BARO_DEFAULT_THRESHOLD, BARO_EPSILON, createBaroMethod, medianIqr } from './baro.ts';
export { allIndicators, indicatorName, METHODS } from './common.ts';
export type { AnomalyPrediction, BaselineInput, BaselineMethod, MethodName, Predictions, RcaPrediction } from './common.ts';
export { createRandomMethod, RANDOM_ANOMALY_RATE } from './random.ts';
export { ANOMALOUS_MS, anomalyTime, REFERENCE_MS } from './window-scoring.ts';
export type { AnomalyTime, Spread } from './window-scoring.ts';
export { createZscoreMethod, meanStd, ZSCORE_DEFAULT_THRESHOLD, ZSCORE_EPSILON } from './zscore.ts';

/** What runBaseline runs. */
export interface BaselineOptions {
  readonly method: MethodName;
  /** random: the seed of its draws. Default 0. */
  readonly seed?: number | undefined;
  /**
   * zscore, baro: the anomaly time of each case: `detected` (default), the first alert's time, or
   * the case's start when no alert fired; `start`, the fault's true start.
   */
  readonly time?: AnomalyTime | undefined;
  /** zscore, baro: the score at or above which a host-interval is anomalous. Default 3 (zscore), 5 (baro). */
  readonly threshold?: number | undefined;
}

/** The method an options object names. */
export function createBaseline(options: BaselineOptions): BaselineMethod {
  switch (options.method) {
    case 'random':
      return createRandomMethod({ seed: options.seed });
    case 'zscore':
      return createZscoreMethod({ time: options.time, threshold: options.threshold });
    case 'baro':
      return createBaroMethod({ time: options.time, threshold: options.threshold });
  }
}

/**
 * Runs a baseline on a dataset (the `melt_data/` folder): one ranking per RCA case of the catalog,
 * in catalog order, and the host-intervals it calls anomalous. The methods read the metrics only;
 * the catalog gives them the cases (id and anomaly time) and its config's service list, so a
 * ranking also covers a service that wrote no metrics.
 * @throws DatasetError when the catalog or the metrics cannot be read.
 */
export function runBaseline(dir: string, options: BaselineOptions): Predictions {
  let catalog;
  try {
    catalog = readCatalog(dir);
  } catch (e) {
    throw new DatasetError((e as Error).message);
  }
  const series = readMetricSeries(dir, { granularityMinutes: catalog.generation_config?.granularity_minutes });
  const input: BaselineInput = { series, services: [...new Set([...series.services, ...(catalog.generation_config?.services ?? [])])].sort() };
  const method = createBaseline(options);
  return {
    rca: rcaCases(catalog).map((c) => ({ incident_id: c.incidentId, ranking: method.rank(input, c) })),
    anomalies: method.detect(input),
  };
}

/** A prediction file's text: JSON with one case or anomaly a line, so large files stay readable and diffable. */
export function serializePredictions(predictions: Predictions): string {
  const list = (items: readonly unknown[]): string => (items.length === 0 ? '[]' : `[\n    ${items.map((x) => JSON.stringify(x)).join(',\n    ')}\n  ]`);
  return `{\n  "rca": ${list(predictions.rca)},\n  "anomalies": ${list(predictions.anomalies)}\n}\n`;
}
