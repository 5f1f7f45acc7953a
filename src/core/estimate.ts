import type { Format, GenerationConfig, Signal } from './config.ts';
import { callProbability } from './topology.ts';

// Bytes per record, measured on the default config; names and ids add to them, counted below.
const METRIC_FIXED = 292;
const SPAN_FIXED = 330;
const LOG_FIXED = 200;
const EVENTS_PER_SERVICE_DAY = 2300;

/**
 * Bytes of each format per byte of the original's JSON, by signal, measured on a default week
 * (seed 5); null where the format does not carry the signal. `gz` is the same with compression gzip.
 */
const FORMAT_FACTORS: Record<Format, { plain: Record<Signal, number | null>; gz: Record<Signal, number | null> }> = {
  json: { plain: { metrics: 1, events: 1, logs: 1, traces: 1 }, gz: { metrics: 1, events: 1, logs: 1, traces: 1 } },
  ndjson: { plain: { metrics: 1, events: 1, logs: 1, traces: 1 }, gz: { metrics: 0.12, events: 0.16, logs: 0.13, traces: 0.13 } },
  parquet: { plain: { metrics: 0.08, events: 0.55, logs: 0.15, traces: 0.13 }, gz: { metrics: 0.08, events: 0.55, logs: 0.15, traces: 0.13 } },
  otlp: { plain: { metrics: 2.05, events: 2.9, logs: 1.45, traces: 1.55 }, gz: { metrics: 0.17, events: 0.23, logs: 0.16, traces: 0.15 } },
  openmetrics: { plain: { metrics: 2.7, events: null, logs: null, traces: null }, gz: { metrics: 0.19, events: null, logs: null, traces: null } },
};

/**
 * Estimates the bytes a config will write, before anything is generated: used to refuse a job that
 * is too large, would pass a quota or would fill the disk. Within about ±25 % of the real size, for every format.
 */
export function estimateDatasetBytes(config: GenerationConfig): number {
  const intervals = 1440 / config.granularityMinutes;
  const calls = new Map(config.services.map((s) => [s.name, s.calls]));
  // Expected spans of a request entering at a service, and their summed name lengths.
  const memo = new Map<string, { spans: number; names: number }>();
  const tree = (name: string): { spans: number; names: number } => {
    const known = memo.get(name);
    if (known) return known;
    let spans = 1;
    let names = 2 * name.length + 7; // service_name and host.name (service + 7-char suffix)
    const callees = calls.get(name) ?? [];
    const p = callProbability(callees.length);
    for (const c of callees) {
      const sub = tree(c);
      spans += p * sub.spans;
      names += p * (sub.names + name.length * 1);
    }
    const out = { spans, names };
    memo.set(name, out);
    return out;
  };
  const callers = new Set(config.services.flatMap((s) => s.calls));
  const entries = config.services.filter((s) => !callers.has(s.name));
  let spansPerInterval = 0;
  let spanNames = 0;
  for (const e of entries) {
    const t = tree(e.name);
    const traces = e.hosts * config.tracesPerEntryHost * config.knobs.traceSampling;
    spansPerInterval += traces * t.spans;
    spanNames += traces * t.names;
  }
  const regionLen = config.regions.reduce((a, r) => a + r.length, 0) / config.regions.length;
  let metricBytes = 0;
  for (const s of config.services) metricBytes += s.hosts * (METRIC_FIXED + 2 * s.name.length + 7 + regionLen);
  const perDay = {
    metrics: metricBytes * intervals,
    traces: (spansPerInterval * (SPAN_FIXED + regionLen) + spanNames) * intervals,
    logs: (spansPerInterval * LOG_FIXED + spanNames) * intervals,
    events: EVENTS_PER_SERVICE_DAY * config.services.length,
  };
  let day = 0;
  for (const format of config.formats) {
    const factors = FORMAT_FACTORS[format][config.compression === 'gzip' ? 'gz' : 'plain'];
    for (const s of config.signals) day += perDay[s] * (factors[s] ?? 0);
  }
  return Math.round(day * config.days + 5000 + 1500 * config.days * config.incidentRate * config.knobs.concurrency);
}
