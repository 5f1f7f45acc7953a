import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { buildCatalog, rootCauseText, type IncidentCatalog } from '../core/catalog.ts';
import type { Format, Signal } from '../core/config.ts';
import type { DayRecords } from '../core/records.ts';
import { dayDate, type Simulation } from '../core/simulation.ts';
import { dayFormatFiles, formatMetadataFiles, loadFormatWriters } from './formats.ts';
import { dayPath } from './layout.ts';
import { serializeRecords } from './records-json.ts';

/** Where a day file lives inside `melt_data/`: `metrics/2024-06/metrics_2024-06-14.json`. */
export function dayFilePath(signal: Signal, date: string): string {
  return dayPath(signal, date, 'json', 'none');
}

/** Where a day's label file lives: `metadata/labels/2024-06/labels_2024-06-14.json`. */
export function labelFilePath(date: string): string {
  return dayPath('labels', date, 'json', 'none');
}

export const CATALOG_PATH = 'metadata/incident_catalog.json';
export const ROOT_CAUSE_PATH = 'metadata/root_cause.txt';

export { serializeRecords } from './records-json.ts';

export function serializeCatalog(catalog: IncidentCatalog): string {
  return JSON.stringify(catalog, null, 2) + '\n';
}

/** Writes via a temporary name and a rename, so a reader never sees half a file. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/**
 * One signal's day file from records, through JSON.stringify: the plain reference that the byte
 * renderer (`renderDayFiles`) is tested against.
 */
export function serializeSignal(signal: Signal, day: DayRecords): string {
  return serializeRecords(day[signal]);
}

/**
 * The files of one day in every format of the config (src/output/formats.ts), by path relative to
 * `melt_data/`. For JSON, the byte renderer's files: the same bytes as `dayFiles` of
 * `generateDay`'s records. Formats loaded on demand (Parquet) need `loadFormatWriters` first.
 */
export function renderDayFiles(sim: Simulation, dayIndex: number): Map<string, Uint8Array> {
  return new Map(dayFormatFiles(sim, dayIndex));
}

/** The serialized files of one day's records (the reference path), by path relative to `melt_data/`. */
export function dayFiles(sim: Simulation, day: DayRecords): Map<string, string> {
  const files = new Map<string, string>();
  for (const signal of sim.config.signals) files.set(dayFilePath(signal, day.date), serializeSignal(signal, day));
  files.set(labelFilePath(day.date), serializeRecords(day.labels));
  return files;
}

export interface DayWritten {
  readonly dayIndex: number;
  readonly date: string;
  readonly daysDone: number;
  readonly daysTotal: number;
  readonly bytes: number;
  /** Primary incidents that start on this day. */
  readonly primaryIncidents: number;
}

export interface WriteOptions {
  readonly onDay?: (info: DayWritten) => void;
  readonly signal?: AbortSignal;
}

/**
 * The serialized metadata files, by path relative to `melt_data/`: the catalog and root causes, and
 * the catalog as a table for Parquet (which needs `loadFormatWriters` first).
 */
export function metadataFiles(catalog: IncidentCatalog, formats: readonly Format[] = ['json']): Map<string, string | Uint8Array> {
  return new Map<string, string | Uint8Array>([
    [CATALOG_PATH, serializeCatalog(catalog)],
    [ROOT_CAUSE_PATH, rootCauseText(catalog)],
    ...formatMetadataFiles(catalog, formats),
  ]);
}

/**
 * Writes the metadata (first, so the ground truth is readable while days are still being made).
 * @param catalog `buildCatalog(sim)`, when the caller has it already.
 */
export async function writeMetadata(sim: Simulation, outDir: string, catalog: IncidentCatalog = buildCatalog(sim)): Promise<IncidentCatalog> {
  await loadFormatWriters(sim.config.formats);
  for (const [path, data] of metadataFiles(catalog, sim.config.formats)) await writeFileAtomic(join(outDir, path), data);
  return catalog;
}

/** Renders and writes one day's files; returns the bytes written. */
export async function writeDay(sim: Simulation, outDir: string, dayIndex: number): Promise<number> {
  await loadFormatWriters(sim.config.formats);
  let bytes = 0;
  for (const [path, data] of renderDayFiles(sim, dayIndex)) {
    await writeFileAtomic(join(outDir, path), data);
    bytes += data.byteLength;
  }
  return bytes;
}

/** Writes a whole dataset in the `melt_data/` layout into `outDir`. */
export async function writeDataset(sim: Simulation, outDir: string, options: WriteOptions = {}): Promise<IncidentCatalog> {
  const catalog = await writeMetadata(sim, outDir);
  const starts = new Map<string, number>();
  for (const inc of catalog.incidents) if (inc.is_primary) starts.set(inc.start_time.slice(0, 10), (starts.get(inc.start_time.slice(0, 10)) ?? 0) + 1);
  for (let d = 0; d < sim.config.days; d++) {
    options.signal?.throwIfAborted();
    const bytes = await writeDay(sim, outDir, d);
    const date = dayDate(sim, d);
    options.onDay?.({ dayIndex: d, date, daysDone: d + 1, daysTotal: sim.config.days, bytes, primaryIncidents: starts.get(date) ?? 0 });
  }
  return catalog;
}
