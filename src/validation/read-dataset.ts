import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SIGNALS } from '../core/config.ts';
import { CATALOG_PATH, dayFilePath, labelFilePath } from '../output/json-writer.ts';
import { createAnalyzer, parseTime, type CatalogLike } from './analyzer.ts';
import type { ValidationReport } from './report.ts';

/** A dataset that cannot be read as `melt_data/`. */
export class DatasetError extends Error {
  readonly code = 'INVALID_DATASET';
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

/** The days that have at least one signal file, sorted. */
function datesIn(dir: string): string[] {
  const dates = new Set<string>();
  for (const signal of SIGNALS) {
    const root = join(dir, signal);
    if (!existsSync(root)) continue;
    for (const month of readdirSync(root)) {
      if (!/^\d{4}-\d{2}$/.test(month)) continue;
      for (const f of readdirSync(join(root, month))) {
        const m = new RegExp(`^${signal}_(\\d{4}-\\d{2}-\\d{2})\\.json$`).exec(f);
        if (m) dates.add(m[1] as string);
      }
    }
  }
  return [...dates].sort();
}

/** The granularity from the catalog, or from the spacing of the first day's metric timestamps. */
function granularity(catalog: CatalogLike, firstMetrics: readonly Record<string, unknown>[]): number {
  const fromCatalog = catalog.generation_config?.granularity_minutes;
  if (typeof fromCatalog === 'number' && fromCatalog > 0) return fromCatalog;
  const times = [...new Set(firstMetrics.map((m) => parseTime(m.timestamp)))].filter((t) => !Number.isNaN(t)).sort((a, b) => a - b);
  let step = Number.POSITIVE_INFINITY;
  for (let i = 1; i < times.length; i++) step = Math.min(step, (times[i] as number) - (times[i - 1] as number));
  return Number.isFinite(step) && step > 0 ? step / 60_000 : 15;
}

/**
 * Reads a dataset in the `melt_data/` layout (ours or the original generator's) one day at a time
 * and measures it. Memory grows with hosts × intervals, not with the size of the files.
 * @throws DatasetError when there is no catalog or no day file.
 */
export function validateDataset(dir: string, options: { zThreshold?: number } = {}): ValidationReport {
  const catalogPath = join(dir, CATALOG_PATH);
  if (!existsSync(catalogPath)) throw new DatasetError(`no ${CATALOG_PATH} in ${dir}`);
  const catalog = readJson(catalogPath) as CatalogLike;
  if (!catalog || !Array.isArray(catalog.incidents)) throw new DatasetError(`${CATALOG_PATH} has no incidents list`);
  const dates = datesIn(dir);
  if (dates.length === 0) throw new DatasetError(`no day files under ${dir}`);
  const startMs = Date.parse(`${dates[0] as string}T00:00:00Z`);
  const days = Math.round((Date.parse(`${dates[dates.length - 1] as string}T00:00:00Z`) - startMs) / 86_400_000) + 1;
  const read = (path: string): Record<string, unknown>[] => (existsSync(join(dir, path)) ? (readJson(join(dir, path)) as Record<string, unknown>[]) : []);
  const firstMetrics = read(dayFilePath('metrics', dates[0] as string));
  const analyzer = createAnalyzer(catalog, { startMs, days, granularityMinutes: granularity(catalog, firstMetrics), zThreshold: options.zThreshold });
  for (const date of dates) {
    const labels = labelFilePath(date);
    analyzer.addDay({
      date,
      metrics: date === dates[0] ? firstMetrics : read(dayFilePath('metrics', date)),
      traces: read(dayFilePath('traces', date)),
      logs: read(dayFilePath('logs', date)),
      events: read(dayFilePath('events', date)),
      labels: existsSync(join(dir, labels)) ? read(labels) : null,
    });
  }
  return analyzer.finish();
}
