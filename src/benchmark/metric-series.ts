// A dataset's metrics as per-host columns: one Float32Array per host and candidate metric, one cell
// per interval. The baselines score windows of these columns; reading them once, day file by day
// file, keeps memory at hosts × intervals × 7 cells (a year of the default 25 hosts: ~25 MB) instead
// of the size of the JSON.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SIGNATURE_METRICS, type MetricKey } from '../core/incident-types.ts';
import { dayFilePath } from '../output/json-writer.ts';
import { DatasetError } from '../validation/read-dataset.ts';
import { parseUtc } from './cases.ts';

export { DatasetError } from '../validation/read-dataset.ts';

/**
 * The metrics a root-cause indicator can name: the seven that carry an incident signature.
 * `app.request_count` is left out: it is the workload, which no fault type changes first.
 */
export const CANDIDATE_METRICS: readonly MetricKey[] = SIGNATURE_METRICS;

export type CandidateMetric = MetricKey;

/** One host's columns. */
export interface HostSeries {
  readonly hostId: string;
  readonly service: string;
  /**
   * One column per candidate metric, in CANDIDATE_METRICS order, one cell per interval from the
   * series' start; NaN where the host has no record (or the record lacks the metric).
   * Float32 holds the files' two decimals exactly enough and halves the memory.
   */
  readonly values: readonly Float32Array[];
}

/** The metrics of a dataset on a regular grid of intervals. */
export interface MetricSeries {
  /** The first interval: midnight UTC of the first day file. */
  readonly startMs: number;
  readonly granularityMs: number;
  /** Cells per column: every interval from the first day file's midnight to the last one's end. */
  readonly intervals: number;
  /** Hosts sorted by id. */
  readonly hosts: readonly HostSeries[];
  /** The services of the hosts, sorted. */
  readonly services: readonly string[];
  /** The interval a time falls in (floored), or -1 outside the series. */
  slot(ms: number): number;
  /** The start of interval k. */
  timeOf(k: number): number;
}

/** Options of readMetricSeries. */
export interface ReadSeriesOptions {
  /** Minutes between samples; when absent, the smallest spacing of the first day file's timestamps (15 if it has one). */
  readonly granularityMinutes?: number | undefined;
}

const DAY_MS = 86_400_000;

/** The dates that have a metrics day file (`metrics/YYYY-MM/metrics_YYYY-MM-DD.json`), sorted. */
export function metricDates(dir: string): string[] {
  const root = join(dir, 'metrics');
  if (!existsSync(root)) return [];
  const dates: string[] = [];
  for (const month of readdirSync(root).filter((m) => /^\d{4}-\d{2}$/.test(m))) {
    for (const f of readdirSync(join(root, month))) {
      const m = /^metrics_(\d{4}-\d{2}-\d{2})\.json$/.exec(f);
      if (m) dates.push(m[1] as string);
    }
  }
  return dates.sort();
}

interface MetricRow {
  readonly timestamp?: unknown;
  readonly host_id?: unknown;
  readonly service?: unknown;
  readonly metrics?: Readonly<Record<string, unknown>> | null;
}

function readDay(dir: string, date: string): MetricRow[] {
  const rows = JSON.parse(readFileSync(join(dir, dayFilePath('metrics', date)), 'utf8')) as unknown;
  if (!Array.isArray(rows)) throw new DatasetError(`${dayFilePath('metrics', date)} is not a JSON array`);
  return rows as MetricRow[];
}

function inferGranularityMs(rows: readonly MetricRow[]): number {
  const times = [...new Set(rows.map((r) => (typeof r.timestamp === 'string' ? parseUtc(r.timestamp) : Number.NaN)))].filter((t) => !Number.isNaN(t)).sort((a, b) => a - b);
  let step = Number.POSITIVE_INFINITY;
  for (let i = 1; i < times.length; i++) step = Math.min(step, (times[i] as number) - (times[i - 1] as number));
  return Number.isFinite(step) && step > 0 ? step : 15 * 60_000;
}

/**
 * Reads every metrics day file of a dataset (the `melt_data/` folder) into per-host columns, one
 * day file at a time. Rows without a host id, a parseable timestamp or a service are skipped; a
 * value that is not a finite number stays NaN.
 * @throws DatasetError when there is no metrics day file or one is not a JSON array.
 */
export function readMetricSeries(dir: string, options: ReadSeriesOptions = {}): MetricSeries {
  const dates = metricDates(dir);
  if (dates.length === 0) throw new DatasetError(`no metrics day files under ${join(dir, 'metrics')}`);
  const startMs = Date.parse(`${dates[0] as string}T00:00:00Z`);
  const endMs = Date.parse(`${dates[dates.length - 1] as string}T00:00:00Z`) + DAY_MS;
  let first: MetricRow[] | null = readDay(dir, dates[0] as string);
  const g = options.granularityMinutes && options.granularityMinutes > 0 ? options.granularityMinutes * 60_000 : inferGranularityMs(first);
  const intervals = Math.ceil((endMs - startMs) / g);
  const slot = (ms: number): number => {
    if (!Number.isFinite(ms) || ms < startMs) return -1;
    const k = Math.floor((ms - startMs) / g);
    return k < intervals ? k : -1;
  };
  const hosts = new Map<string, HostSeries>();
  for (const date of dates) {
    const rows = first ?? readDay(dir, date);
    first = null;
    // A day has one timestamp string per interval, shared by every host: parse each once.
    const slots = new Map<string, number>();
    for (const row of rows) {
      if (typeof row.host_id !== 'string' || typeof row.timestamp !== 'string' || typeof row.service !== 'string') continue;
      let k = slots.get(row.timestamp);
      if (k === undefined) slots.set(row.timestamp, (k = slot(parseUtc(row.timestamp))));
      if (k < 0) continue;
      let host = hosts.get(row.host_id);
      if (!host) {
        const values = CANDIDATE_METRICS.map(() => new Float32Array(intervals).fill(Number.NaN));
        hosts.set(row.host_id, (host = { hostId: row.host_id, service: row.service, values }));
      }
      const metrics = row.metrics;
      if (!metrics) continue;
      for (let j = 0; j < CANDIDATE_METRICS.length; j++) {
        const v = metrics[CANDIDATE_METRICS[j] as string];
        if (typeof v === 'number' && Number.isFinite(v)) (host.values[j] as Float32Array)[k] = v;
      }
    }
  }
  const sorted = [...hosts.values()].sort((a, b) => (a.hostId < b.hostId ? -1 : a.hostId > b.hostId ? 1 : 0));
  return {
    startMs,
    granularityMs: g,
    intervals,
    hosts: sorted,
    services: [...new Set(sorted.map((h) => h.service))].sort(),
    slot,
    timeOf: (k) => startMs + k * g,
  };
}
