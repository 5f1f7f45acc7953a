// Replay: a finished dataset's records pushed into a sink day by day, optionally moved in time so
// that the dataset ends now (most platforms refuse samples older than their retention or their
// out-of-order window).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCatalog } from '../benchmark/cases.ts';
import { metricDates } from '../benchmark/metric-series.ts';
import type { Signal } from '../core/config.ts';
import type { EventRecord, LogRecord, MetricRecord, SpanRecord } from '../core/records.ts';
import { shiftIso } from '../core/time.ts';
import { dayFilePath } from '../output/json-writer.ts';
import type { OtlpHost } from '../output/otlp.ts';
import type { Sink, SinkStats } from './sink.ts';

/** `none` keeps the dataset's times; `now` moves it so that its last day ends at the current interval. */
export type TimeShift = 'none' | 'now';

export interface ReplayOptions {
  readonly timeShift?: TimeShift;
  /** The clock `now` reads (tests pass a fixed one). */
  readonly now?: () => number;
  /** Called once before the first day, with the days to send and the shift. */
  readonly onStart?: (daysTotal: number, shiftMs: number) => void;
  /** Called after each day with the days done and the sink's stats. */
  readonly onDay?: (daysDone: number, daysTotal: number, stats: Readonly<SinkStats>) => void;
  readonly signal?: AbortSignal;
}

export interface ReplayResult {
  readonly days: number;
  /** Milliseconds added to every timestamp. */
  readonly shiftMs: number;
  readonly stats: Readonly<SinkStats>;
}

/**
 * The shift that makes a dataset ending at `endMs` end at the start of the current interval
 * (whole intervals, so the samples stay on the interval grid).
 */
export function shiftToNow(endMs: number, granularityMinutes: number, now: number): number {
  const g = granularityMinutes * 60_000;
  return Math.floor(now / g) * g - endMs;
}

/** A day file's records, or none when the file is absent (a day without that signal's file). */
function readDay<T>(dir: string, signal: Signal, date: string): T[] | undefined {
  const path = join(dir, dayFilePath(signal, date));
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T[]) : undefined;
}

/** Records with their `timestamp` moved by `shiftMs` (each distinct time formatted once); the same array when there is no shift. */
export function shiftRecords<T extends { timestamp: string }>(rows: T[], shiftMs: number): T[] {
  if (shiftMs === 0) return rows;
  const moved = new Map<string, string>();
  return rows.map((r) => {
    let ts = moved.get(r.timestamp);
    if (ts === undefined) moved.set(r.timestamp, (ts = shiftIso(r.timestamp, shiftMs)));
    return { ...r, timestamp: ts };
  });
}

const shifted = <T extends { timestamp: string }>(rows: T[] | undefined, shiftMs: number): T[] | undefined => (rows === undefined ? undefined : shiftRecords(rows, shiftMs));

/**
 * Pushes every day of `dir` (a melt_data folder) into `sink`, in date order: the day files of the
 * signals the sink carries. Hosts' services and regions, which spans and logs need, come from the
 * day's metrics.
 */
export async function replayDataset(dir: string, sink: Sink, options: ReplayOptions = {}): Promise<ReplayResult> {
  const catalog = readCatalog(dir);
  const dates = metricDates(dir);
  if (dates.length === 0) throw new Error(`no metrics day files under ${dir}`);
  const granularity = catalog.generation_config?.granularity_minutes ?? 15;
  const endMs = Date.parse(`${dates[dates.length - 1] as string}T00:00:00Z`) + 86_400_000;
  const shiftMs = options.timeShift === 'now' ? shiftToNow(endMs, granularity, (options.now ?? Date.now)()) : 0;
  const wants = new Set(sink.signals);
  options.onStart?.(dates.length, shiftMs);
  let done = 0;
  for (const date of dates) {
    options.signal?.throwIfAborted();
    const metrics = readDay<MetricRecord>(dir, 'metrics', date);
    if (metrics === undefined) continue;
    const hosts = new Map<string, OtlpHost>();
    for (const r of metrics) if (!hosts.has(r.host_id)) hosts.set(r.host_id, { service: r.service, region: r.region });
    await sink.send({
      metrics: wants.has('metrics') ? shifted(metrics, shiftMs) : undefined,
      spans: wants.has('traces') ? shifted(readDay<SpanRecord>(dir, 'traces', date), shiftMs) : undefined,
      logs: wants.has('logs') ? shifted(readDay<LogRecord>(dir, 'logs', date), shiftMs) : undefined,
      events: wants.has('events') ? shifted(readDay<EventRecord>(dir, 'events', date), shiftMs) : undefined,
      hosts,
    });
    done++;
    options.onDay?.(done, dates.length, sink.stats());
  }
  await sink.flush();
  return { days: done, shiftMs, stats: sink.stats() };
}
