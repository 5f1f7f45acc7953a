// A live stream: the simulation played out at wall-clock pace (or N× faster), each interval's
// records pushed into the sinks when its time comes, and the ground truth announced as it
// happens: incident start, cascade, detection, resolution, each with its catalog entry.
//
// Each day is generated whole with the job's own `generateDay` and then cut into intervals, so a
// stream's records are byte for byte a job's records for the same config (moved in time by the
// stream's shift), and the same seed gives the same stream.
import { setTimeout as delay } from 'node:timers/promises';
import { buildCatalog, type CatalogIncident } from '../core/catalog.ts';
import type { GenerationConfig } from '../core/config.ts';
import { generateDay } from '../core/day.ts';
import type { DayRecords, EventRecord, LogRecord, MetricRecord, SpanRecord } from '../core/records.ts';
import { createSimulation, dayRng, type Simulation } from '../core/simulation.ts';
import { DAY_MS, isoSeconds, MINUTE_MS } from '../core/time.ts';
import type { OtlpHost } from '../output/otlp.ts';
import { shiftRecords, shiftToNow, type TimeShift } from './replay.ts';
import type { Sink, SinkBatch, SinkStats } from './sink.ts';

/** What the ground-truth feed announces. */
export const ANNOUNCEMENT_TYPES = ['incident.started', 'incident.cascaded', 'incident.detected', 'incident.resolved'] as const;
export type AnnouncementType = (typeof ANNOUNCEMENT_TYPES)[number];

/** One ground-truth announcement, sent when the stream's clock passes `time`. */
export interface Announcement {
  /** 1, 2, 3… in the order sent (the SSE event id). */
  readonly seq: number;
  /** `incident.started` for a primary, `incident.cascaded` for an incident another one caused. */
  readonly type: AnnouncementType;
  /** When it happened, on the stream's clock (the pushed records' time, shift included). */
  readonly time: string;
  /** The same instant in the dataset's own time (the job with this config has it there). */
  readonly simulated_time: string;
  /** The incident's catalog entry, its times moved by the stream's shift like the records. */
  readonly incident: CatalogIncident;
}

/** Where a stream is. */
export interface StreamProgress {
  readonly intervalsDone: number;
  readonly intervalsTotal: number;
  /** The last pushed interval's end, on the stream's clock; null before the first. */
  readonly streamTime: string | null;
  /** How far behind its schedule the last push went out (the sinks were slower than the speed), ms. */
  readonly lagMs: number;
  readonly announcements: number;
  /** Per sink, in the order given. */
  readonly sinks: readonly Readonly<SinkStats>[];
}

export interface StreamOptions {
  readonly config: GenerationConfig;
  readonly sinks: readonly Sink[];
  /** 1 = wall clock, N = N× faster. */
  readonly speed: number;
  /** `now` (the default) moves the dataset so that its first interval starts at the current interval; `none` keeps its dates. */
  readonly timeShift?: TimeShift;
  /** The wall clock (tests pass their own). */
  readonly now?: () => number;
  /** Waits `ms` (tests pass their own); rejects when `signal` aborts. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly signal?: AbortSignal;
  /** Once, before anything is pushed: the shift and the empty progress. */
  readonly onStart?: (shiftMs: number, p: StreamProgress) => void;
  readonly onAnnouncement?: (a: Announcement) => void;
  /** After each pushed interval. */
  readonly onProgress?: (p: StreamProgress) => void;
}

export interface StreamResult {
  /** Milliseconds added to every record's time. */
  readonly shiftMs: number;
  readonly progress: StreamProgress;
}

/** A catalog entry with its times moved by `shiftMs`. */
function shiftEntry(e: CatalogIncident, shiftMs: number): CatalogIncident {
  if (shiftMs === 0) return e;
  const move = (iso: string): string => isoSeconds(Date.parse(iso) + shiftMs);
  return {
    ...e,
    start_time: move(e.start_time),
    end_time: move(e.end_time),
    detected_at: e.detected_at === null ? null : move(e.detected_at),
    ...(e.oom_kill_time === undefined ? {} : { oom_kill_time: move(e.oom_kill_time) }),
  };
}

interface Pending {
  readonly ms: number;
  readonly type: AnnouncementType;
  /** Ties at one instant: starts before detections before resolutions, a parent before its children. */
  readonly rank: number;
  readonly depth: number;
  readonly entry: CatalogIncident;
}

/**
 * The announcements of a simulation, in the order a stream sends them: by time; at one instant
 * starts, then detections, then resolutions, a cause before what it caused. Times in dataset time.
 */
export function groundTruthTimeline(sim: Simulation): Omit<Pending, 'rank' | 'depth'>[] {
  const catalog = buildCatalog(sim);
  const byId = new Map(catalog.incidents.map((e) => [e.id, e]));
  const depth = (e: CatalogIncident): number => {
    let d = 0;
    for (let p = e.parent_incident_id; p !== null; p = byId.get(p)?.parent_incident_id ?? null) d++;
    return d;
  };
  const items: Pending[] = [];
  for (const e of catalog.incidents) {
    const d = depth(e);
    items.push({ ms: Date.parse(e.start_time), type: e.is_primary ? 'incident.started' : 'incident.cascaded', rank: 0, depth: d, entry: e });
    if (e.detected_at !== null) items.push({ ms: Date.parse(e.detected_at), type: 'incident.detected', rank: 1, depth: d, entry: e });
    // Only what the stream's time covers: an incident still ongoing at the end is not resolved.
    if (Date.parse(e.end_time) <= sim.endMs) items.push({ ms: Date.parse(e.end_time), type: 'incident.resolved', rank: 2, depth: d, entry: e });
  }
  items.sort((a, b) => a.ms - b.ms || a.rank - b.rank || a.depth - b.depth || a.entry.id.localeCompare(b.entry.id));
  return items;
}

/** A day's records cut into its intervals (records keep their order within each). */
function byInterval(day: DayRecords, dayStart: number, g: number, intervals: number): { metrics: MetricRecord[]; spans: SpanRecord[]; logs: LogRecord[]; events: EventRecord[] }[] {
  const out = Array.from({ length: intervals }, () => ({ metrics: [] as MetricRecord[], spans: [] as SpanRecord[], logs: [] as LogRecord[], events: [] as EventRecord[] }));
  const slot = (ts: string): number => Math.min(intervals - 1, Math.max(0, Math.floor((Date.parse(ts) - dayStart) / g)));
  for (const r of day.metrics) out[slot(r.timestamp)]?.metrics.push(r);
  for (const r of day.traces) out[slot(r.timestamp)]?.spans.push(r);
  for (const r of day.logs) out[slot(r.timestamp)]?.logs.push(r);
  for (const r of day.events) out[slot(r.timestamp)]?.events.push(r);
  return out;
}

/**
 * Plays a generation config out into sinks. An interval's records go out when the interval has
 * passed on the stream's clock (so no record is ahead of it); an announcement when its instant
 * has. Resolves when the config's last day is pushed; rejects when a sink refuses for good or
 * `signal` aborts.
 */
export async function runStream(options: StreamOptions): Promise<StreamResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number, signal?: AbortSignal) => delay(ms, undefined, signal ? { signal } : {}));
  const sim = createSimulation(options.config);
  const g = sim.config.granularityMinutes * MINUTE_MS;
  const intervalsPerDay = DAY_MS / g;
  const days = Math.round((sim.endMs - sim.startMs) / DAY_MS);
  const wallStart = now();
  const shiftMs = (options.timeShift ?? 'now') === 'now' ? shiftToNow(sim.startMs, sim.config.granularityMinutes, wallStart) : 0;
  /** When a dataset instant is due on the wall clock. */
  const due = (ms: number): number => wallStart + (ms - sim.startMs) / options.speed;
  const hosts = new Map<string, OtlpHost>(sim.topology.hosts.map((h) => [h.id, { service: h.service, region: h.region }]));
  const timeline = groundTruthTimeline(sim);
  let next = 0;
  let seq = 0;
  let lagMs = 0;
  let intervalsDone = 0;
  const progress = (streamEnd: number | null): StreamProgress => ({
    intervalsDone,
    intervalsTotal: days * intervalsPerDay,
    streamTime: streamEnd === null ? null : isoSeconds(streamEnd + shiftMs),
    lagMs,
    announcements: seq,
    sinks: options.sinks.map((s) => s.stats()),
  });
  const waitUntil = async (wall: number): Promise<void> => {
    options.signal?.throwIfAborted();
    const ms = wall - now();
    if (ms > 0) await sleep(ms, options.signal);
  };
  const announceUpTo = async (ms: number): Promise<void> => {
    for (let item = timeline[next]; item !== undefined && item.ms <= ms; item = timeline[++next]) {
      await waitUntil(due(item.ms));
      options.onAnnouncement?.({
        seq: ++seq,
        type: item.type,
        time: isoSeconds(item.ms + shiftMs),
        simulated_time: isoSeconds(item.ms),
        incident: shiftEntry(item.entry, shiftMs),
      });
    }
  };
  let lastEnd: number | null = null;
  options.onStart?.(shiftMs, progress(null));
  for (let d = 0; d < days; d++) {
    options.signal?.throwIfAborted();
    const dayStart = sim.startMs + d * DAY_MS;
    const day = generateDay(dayRng(sim, d), sim, d);
    const slices = byInterval(day, dayStart, g, intervalsPerDay);
    for (let i = 0; i < intervalsPerDay; i++) {
      const end = dayStart + (i + 1) * g;
      // What happened before this interval ended is announced first, each at its own instant.
      await announceUpTo(end - 1);
      await waitUntil(due(end));
      lagMs = Math.max(0, now() - due(end));
      const s = slices[i] as (typeof slices)[number];
      const batch: SinkBatch = { metrics: shiftRecords(s.metrics, shiftMs), spans: shiftRecords(s.spans, shiftMs), logs: shiftRecords(s.logs, shiftMs), events: shiftRecords(s.events, shiftMs), hosts };
      await Promise.all(
        options.sinks.map(async (sink) => {
          await sink.send(batch);
          await sink.flush();
        }),
      );
      intervalsDone++;
      lastEnd = end;
      options.onProgress?.(progress(end));
    }
  }
  await announceUpTo(sim.endMs);
  return { shiftMs, progress: progress(lastEnd) };
}
