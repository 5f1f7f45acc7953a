// OpenMetrics text of one day's metrics, as `promtool tsdb create-blocks-from openmetrics` takes
// it: one gauge family per metric, its samples grouped by series (host) in time order, timestamps
// in seconds, `# EOF` at the end.
import { METRIC_KEYS, type MetricKey } from '../core/incident-types.ts';
import type { MetricRecord } from '../core/records.ts';

/**
 * The Prometheus name of each of the original's metrics: dots become underscores
 * (`system.cpu.util` → `system_cpu_util`), which is legal (`[a-zA-Z_:][a-zA-Z0-9_:]*`) and
 * reversible for these names. Host, service and region are the labels `host_id`, `service`, `region`.
 */
export const OPENMETRICS_NAMES: Readonly<Record<MetricKey, string>> = Object.fromEntries(METRIC_KEYS.map((k) => [k, k.replaceAll('.', '_')])) as Record<MetricKey, string>;

const HELP: Readonly<Record<MetricKey, string>> = {
  'system.cpu.util': 'CPU utilization, percent (meltgen system.cpu.util).',
  'system.mem.util': 'Memory utilization, percent (meltgen system.mem.util).',
  'net.latency.ms': 'Mean response latency in milliseconds (meltgen net.latency.ms).',
  'app.error_rate': 'Failed requests, percent (meltgen app.error_rate).',
  'app.request_count': 'Requests in the interval (meltgen app.request_count).',
  'net.packet_loss.pct': 'Packet loss, percent (meltgen net.packet_loss.pct).',
  'db.connection_pool.util': 'Database connection pool utilization, percent (meltgen db.connection_pool.util).',
  'resource.pool.util': 'Worker pool utilization, percent (meltgen resource.pool.util).',
};

/** A label value with OpenMetrics' escapes (backslash, quote, newline); ours are plain names. */
function escape(v: string): string {
  return v.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

/** The day's metrics in OpenMetrics text. Rows come in time order, hosts in the same order each interval. */
export function openMetricsText(rows: readonly MetricRecord[]): string {
  // Series in first-seen order; each keeps its rows in time order.
  const series = new Map<string, { labels: string; rows: MetricRecord[] }>();
  for (const r of rows) {
    let s = series.get(r.host_id);
    if (!s) series.set(r.host_id, (s = { labels: `{host_id="${escape(r.host_id)}",service="${escape(r.service)}",region="${escape(r.region)}"}`, rows: [] }));
    s.rows.push(r);
  }
  const seconds = new Map<string, string>();
  const time = (ts: string): string => {
    let s = seconds.get(ts);
    if (s === undefined) seconds.set(ts, (s = String(Date.parse(ts) / 1000)));
    return s;
  };
  const parts: string[] = [];
  for (const key of METRIC_KEYS) {
    const name = OPENMETRICS_NAMES[key];
    parts.push(`# TYPE ${name} gauge\n# HELP ${name} ${HELP[key]}\n`);
    for (const s of series.values()) {
      const lines: string[] = [];
      for (const r of s.rows) lines.push(`${name}${s.labels} ${r.metrics[key]} ${time(r.timestamp)}\n`);
      parts.push(lines.join(''));
    }
  }
  parts.push('# EOF\n');
  return parts.join('');
}
