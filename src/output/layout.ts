import type { Compression, Format, Signal } from '../core/config.ts';

// Where each format's files live inside melt_data/: beside the original's JSON day files, same
// folders, same names, another ending. One place, so the writers, the service's file list and the
// docs agree.

/** What a day file holds: one of the four signals, or the ground-truth labels. */
export type DayContent = Signal | 'labels';

/** The ending of a format's files (after `<signal>_YYYY-MM-DD`), before any `.gz`. */
export const FORMAT_EXTENSIONS: Readonly<Record<Format, string>> = {
  json: '.json',
  ndjson: '.ndjson',
  parquet: '.parquet',
  otlp: '.otlp.jsonl',
  openmetrics: '.om.txt',
};

/** The formats that are text and take `compression: gzip`. */
export const TEXT_FORMATS: ReadonlySet<Format> = new Set(['ndjson', 'otlp', 'openmetrics']);

/** What each format carries: the signals it has a file for, and whether it writes the labels. */
export const FORMAT_CONTENT: Readonly<Record<Format, readonly DayContent[]>> = {
  json: ['metrics', 'events', 'logs', 'traces', 'labels'],
  ndjson: ['metrics', 'events', 'logs', 'traces', 'labels'],
  parquet: ['metrics', 'events', 'logs', 'traces', 'labels'],
  otlp: ['metrics', 'events', 'logs', 'traces'],
  openmetrics: ['metrics'],
};

/** The full ending of a format's files under a compression. */
export function formatExtension(format: Format, compression: Compression): string {
  return FORMAT_EXTENSIONS[format] + (compression === 'gzip' && TEXT_FORMATS.has(format) ? '.gz' : '');
}

/**
 * A day file's path inside melt_data/: `metrics/2024-06/metrics_2024-06-14.parquet`,
 * `metadata/labels/2024-06/labels_2024-06-14.ndjson.gz`.
 */
export function dayPath(content: DayContent, date: string, format: Format, compression: Compression): string {
  const folder = content === 'labels' ? 'metadata/labels' : content;
  return `${folder}/${date.slice(0, 7)}/${content}_${date}${formatExtension(format, compression)}`;
}

/** The incident catalog as a Parquet table (the JSON catalog is always written). */
export const CATALOG_PARQUET_PATH = 'metadata/incident_catalog.parquet';

/** What a path inside melt_data/ is, or null for files that are not day files. */
export function parseDayPath(path: string): { content: DayContent; date: string; format: Format; gzip: boolean } | null {
  const m = /^(metrics|events|logs|traces|metadata\/labels)\/\d{4}-\d{2}\/(metrics|events|logs|traces|labels)_(\d{4}-\d{2}-\d{2})(\.[a-z.]+?)(\.gz)?$/.exec(path);
  if (!m) return null;
  const format = (Object.keys(FORMAT_EXTENSIONS) as Format[]).find((f) => FORMAT_EXTENSIONS[f] === m[4]);
  if (!format) return null;
  return { content: m[2] as DayContent, date: m[3] as string, format, gzip: m[5] === '.gz' };
}

/** The media type each format is served with. */
export const MEDIA_TYPES: Readonly<Record<Format, string>> = {
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
  otlp: 'application/jsonl; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

/** The format an Accept header asks for by its media type, if it names one of ours first. */
export function formatFromAccept(accept: string | undefined): Format | null {
  if (!accept) return null;
  const first = accept.split(',')[0]?.split(';')[0]?.trim().toLowerCase();
  for (const [format, type] of Object.entries(MEDIA_TYPES) as [Format, string][]) if (type.split(';')[0] === first) return format;
  return null;
}
