// VictoriaMetrics: `/api/v1/import`, JSON lines, one series per line with its values and
// timestamps (ms). Metric names are the OpenMetrics ones (`system_cpu_util`), labels `host_id`,
// `service`, `region`, as the OpenMetrics files have them, so queries work on either.
import { METRIC_KEYS, type MetricKey } from '../core/incident-types.ts';
import type { MetricRecord } from '../core/records.ts';
import { OPENMETRICS_NAMES } from '../output/openmetrics.ts';
import { deliver, type DeliveryOptions } from './http-delivery.ts';
import { createBatchingSink, type Sink } from './sink.ts';

export interface VictoriaMetricsSinkOptions extends DeliveryOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:8428`. */
  readonly url: string;
  /** Rows batched per request. Default 10,000 (80,000 samples). */
  readonly batchRows?: number;
  /** Requests in flight at once (VictoriaMetrics takes samples in any order). Default 4. */
  readonly inFlight?: number;
}

/** The series names, in METRIC_KEYS order. */
const NAMES = METRIC_KEYS.map((key) => OPENMETRICS_NAMES[key]);

/** The import body of a batch of rows: one line per series (host × metric). */
export function importLines(rows: readonly MetricRecord[]): string {
  // Per host: its labels, one timestamp list shared by its eight series, and a value list per metric.
  const series = new Map<string, { labels: string; timestamps: number[]; values: number[][] }>();
  const times = new Map<string, number>();
  const k = METRIC_KEYS.length;
  for (const r of rows) {
    let ms = times.get(r.timestamp);
    if (ms === undefined) times.set(r.timestamp, (ms = Date.parse(r.timestamp)));
    let s = series.get(r.host_id);
    if (!s) {
      const labels = `"host_id":${JSON.stringify(r.host_id)},"service":${JSON.stringify(r.service)},"region":${JSON.stringify(r.region)}`;
      series.set(r.host_id, (s = { labels, timestamps: [], values: METRIC_KEYS.map(() => []) }));
    }
    s.timestamps.push(ms);
    const m = r.metrics;
    for (let j = 0; j < k; j++) (s.values[j] as number[]).push(m[METRIC_KEYS[j] as MetricKey]);
  }
  let out = '';
  for (const s of series.values()) {
    const tail = `,"timestamps":[${s.timestamps.join(',')}]}\n`;
    for (let j = 0; j < k; j++) out += `{"metric":{"__name__":"${NAMES[j] as string}",${s.labels}},"values":[${(s.values[j] as number[]).join(',')}]${tail}`;
  }
  return out;
}

/** A sink into VictoriaMetrics' JSON-lines import. */
export function createVictoriaMetricsSink(options: VictoriaMetricsSinkOptions): Sink {
  const url = `${options.url.replace(/\/+$/, '')}/api/v1/import`;
  return createBatchingSink(
    options.batchRows ?? 10_000,
    async (rows, stats) => {
      await deliver(url, importLines(rows), 'application/json', stats, options);
      stats.samplesSent += rows.length * METRIC_KEYS.length;
    },
    options.inFlight ?? 4,
  );
}
