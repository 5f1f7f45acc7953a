// VictoriaMetrics: `/api/v1/import`, JSON lines, one series per line with its values and
// timestamps (ms). Metric names are the OpenMetrics ones (`system_cpu_util`), labels `host_id`,
// `service`, `region`, as the OpenMetrics files have them, so queries work on either.
import { METRIC_KEYS } from '../core/incident-types.ts';
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

/** The import body of a batch of rows: one line per series (host × metric). */
export function importLines(rows: readonly MetricRecord[]): string {
  const series = new Map<string, { labels: string; values: number[]; timestamps: number[] }[]>();
  const times = new Map<string, number>();
  for (const r of rows) {
    let ms = times.get(r.timestamp);
    if (ms === undefined) times.set(r.timestamp, (ms = Date.parse(r.timestamp)));
    let perMetric = series.get(r.host_id);
    if (!perMetric) {
      const labels = `"host_id":${JSON.stringify(r.host_id)},"service":${JSON.stringify(r.service)},"region":${JSON.stringify(r.region)}`;
      series.set(r.host_id, (perMetric = METRIC_KEYS.map(() => ({ labels, values: [], timestamps: [] }))));
    }
    METRIC_KEYS.forEach((k, j) => {
      const s = perMetric[j] as { values: number[]; timestamps: number[] };
      s.values.push(r.metrics[k]);
      s.timestamps.push(ms);
    });
  }
  const lines: string[] = [];
  for (const perMetric of series.values()) {
    METRIC_KEYS.forEach((k, j) => {
      const s = perMetric[j] as { labels: string; values: number[]; timestamps: number[] };
      lines.push(`{"metric":{"__name__":"${OPENMETRICS_NAMES[k]}",${s.labels}},"values":[${s.values.join(',')}],"timestamps":[${s.timestamps.join(',')}]}\n`);
    });
  }
  return lines.join('');
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
