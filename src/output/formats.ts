// Every format of one day, from one simulated day: the job's `formats` pick the writers, and each
// writes every signal it can carry. The original's JSON files come from the byte renderer when no
// other format needs the records; otherwise from the records (the same bytes: tested).
import { gzipSync, constants as zlib } from 'node:zlib';
import type { IncidentCatalog } from '../core/catalog.ts';
import type { Format, Signal } from '../core/config.ts';
import { generateDay } from '../core/day.ts';
import type { DayRecords } from '../core/records.ts';
import { dayDate, dayRng, type Simulation } from '../core/simulation.ts';
import { renderDayBytes } from './day-bytes.ts';
import { CATALOG_PARQUET_PATH, dayPath, FORMAT_CONTENT, TEXT_FORMATS, type DayContent } from './layout.ts';
import { ndjsonFromJsonArray } from './ndjson.ts';
import { openMetricsText } from './openmetrics.ts';
import { otlpEvents, otlpLogs, otlpMetrics, otlpTraces, type OtlpHost } from './otlp.ts';
import type * as ParquetWriter from './parquet.ts';
import { utf8Bytes } from './byte-writer.ts';


// The Parquet writer is loaded only for a job that asks for Parquet: its columns come from the
// record schemas, whose typebox import is 257 ms of a generation thread's ~330 ms start-up, paid
// before the first day even of a JSON-only job.
let parquetWriter: typeof ParquetWriter | null = null;

/**
 * Loads the writers that `formats` need and that are not loaded at start (today the Parquet
 * writer). Call it (once per process or thread; later calls cost nothing) before
 * `dayFormatFiles` or `formatMetadataFiles` with those formats.
 */
export async function loadFormatWriters(formats: readonly Format[]): Promise<void> {
  if (formats.includes('parquet')) parquetWriter ??= await import('./parquet.ts');
}

function parquet(): typeof ParquetWriter {
  if (!parquetWriter) throw new Error('the Parquet writer is not loaded: await loadFormatWriters(config.formats) first');
  return parquetWriter;
}

/** The formats made from records rather than from the JSON bytes. */
const RECORD_FORMATS: ReadonlySet<Format> = new Set(['parquet', 'otlp', 'openmetrics']);

/** gzip for the text formats: level 1 (most of the gain for a fraction of the CPU), and no time in the header, so the bytes repeat. */
function gzip(bytes: Uint8Array): Uint8Array {
  return gzipSync(bytes, { level: zlib.Z_BEST_SPEED });
}

function hostsOf(sim: Simulation): Map<string, OtlpHost> {
  return new Map(sim.topology.hosts.map((h) => [h.id, { service: h.service, region: h.region }]));
}

/** One record format's bytes for one thing a day holds (null where the format does not carry it). */
function recordFile(format: Format, content: DayContent, day: DayRecords, hosts: ReadonlyMap<string, OtlpHost>): Uint8Array | string | null {
  switch (format) {
    case 'parquet': {
      const pq = parquet();
      if (content === 'metrics') return pq.parquetMetrics(day.metrics);
      if (content === 'events') return pq.parquetEvents(day.events);
      if (content === 'logs') return pq.parquetLogs(day.logs);
      if (content === 'traces') return pq.parquetSpans(day.traces);
      return pq.parquetLabels(day.labels);
    }
    case 'otlp':
      if (content === 'metrics') return otlpMetrics(day.metrics);
      if (content === 'events') return otlpEvents(day.events);
      if (content === 'logs') return otlpLogs(day.logs, hosts);
      if (content === 'traces') return otlpTraces(day.traces, hosts);
      return null;
    case 'openmetrics':
      return content === 'metrics' ? openMetricsText(day.metrics) : null;
    default:
      return null;
  }
}

/**
 * Every file of one day in every format of the config, by path inside melt_data/, one at a time,
 * each made when asked for: a writer that writes each before asking for the next holds one file's
 * bytes, not the whole day's in every format. The same day gives the same bytes whichever thread
 * renders it and whatever else is rendered.
 * @param reuse a file's bytes may be overwritten by the next day this thread renders: for a caller
 *   that writes each file before going on (see `renderDayBytes`).
 */
export function* dayFormatFiles(sim: Simulation, dayIndex: number, reuse = false): Generator<[string, Uint8Array]> {
  const { formats, compression, signals } = sim.config;
  const date = dayDate(sim, dayIndex);
  const contents: DayContent[] = [...signals, 'labels'];
  const records = formats.some((f) => RECORD_FORMATS.has(f)) ? generateDay(dayRng(sim, dayIndex), sim, dayIndex) : null;
  const hosts = hostsOf(sim);
  // The JSON arrays always come from the byte renderer: rendering the day again costs less than
  // serializing its records (same bytes).
  const json = new Map<DayContent, Uint8Array>();
  if (formats.includes('json') || formats.includes('ndjson')) {
    for (const [c, bytes] of renderDayBytes(dayRng(sim, dayIndex), sim, dayIndex, reuse)) json.set(c, bytes);
  }
  for (const format of formats) {
    const pack = (data: Uint8Array | string): Uint8Array => {
      const bytes = typeof data === 'string' ? utf8Bytes(data) : data;
      return compression === 'gzip' && TEXT_FORMATS.has(format) ? gzip(bytes) : bytes;
    };
    for (const content of contents) {
      if (!FORMAT_CONTENT[format].includes(content)) continue;
      let data: Uint8Array | string | null;
      if (format === 'json') data = json.get(content) ?? null;
      else if (format === 'ndjson') data = ndjsonFromJsonArray(json.get(content) as Uint8Array);
      else data = recordFile(format, content, records as DayRecords, hosts);
      if (data !== null) yield [dayPath(content, date, format, compression), format === 'json' ? (data as Uint8Array) : pack(data)];
    }
  }
}

/** The metadata files of the formats beyond JSON (the JSON catalog and root_cause.txt are always written). */
export function formatMetadataFiles(catalog: IncidentCatalog, formats: readonly Format[]): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  if (formats.includes('parquet')) files.set(CATALOG_PARQUET_PATH, parquet().parquetIncidents(catalog));
  return files;
}
