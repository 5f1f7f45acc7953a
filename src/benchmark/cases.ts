// The ground truth a benchmark scores against, read from a dataset's catalog and label files:
// the RCA cases (one per primary incident, with its root-cause indicators and the time its first
// alert fired) and the labeled host-intervals. Shared by the scorer and the baselines, so both
// agree on what a case is.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOG_PATH } from '../output/json-writer.ts';
import { parseTime as parseUtc } from '../validation/input.ts';

/** A root-cause indicator: a service and the metric that carries the fault's signature there. */
export interface Indicator {
  readonly service: string;
  readonly metric: string;
}

/** The catalog fields the benchmark reads; older catalogs (and the original's) lack the newer ones. */
export interface BenchmarkCatalog {
  readonly generation_config?: {
    readonly granularity_minutes?: number;
    readonly services?: readonly string[];
    readonly service_dependencies?: Readonly<Record<string, readonly string[]>>;
    readonly topology?: string;
    readonly difficulty?: string;
  };
  readonly incidents: readonly {
    readonly id: string;
    readonly type: string;
    readonly start_time: string;
    readonly end_time: string;
    readonly is_primary?: boolean;
    readonly primary_incident_id?: string | null;
    readonly root_cause?: { readonly service?: string | null; readonly metric?: string | null } | null;
    readonly root_cause_indicators?: readonly Indicator[];
    readonly detected_at?: string | null;
    readonly affected_hosts?: readonly string[];
  }[];
}

/** One RCA case: a primary incident and the indicators a model should rank first. */
export interface RcaCase {
  readonly incidentId: string;
  readonly type: string;
  readonly startMs: number;
  readonly endMs: number;
  /** When the incident's first alert fired (null when none did): the time a model is given. */
  readonly detectedMs: number | null;
  /** One or more; every one counts as a true root cause. */
  readonly rootCauses: readonly Indicator[];
}

/** Timestamps with Z, or without a zone as the original wrote them (read as UTC): the validator's reader. */
export { parseUtc };

/** Reads `metadata/incident_catalog.json` of a dataset directory. */
export function readCatalog(dir: string): BenchmarkCatalog {
  const path = join(dir, CATALOG_PATH);
  if (!existsSync(path)) throw new Error(`no ${CATALOG_PATH} in ${dir}`);
  const catalog = JSON.parse(readFileSync(path, 'utf8')) as BenchmarkCatalog;
  if (!catalog || !Array.isArray(catalog.incidents)) throw new Error(`${CATALOG_PATH} has no incidents list`);
  return catalog;
}

/**
 * The RCA cases of a catalog: its primary incidents, in catalog order. The root causes are the
 * catalog's `root_cause_indicators`, or, for catalogs without them, `root_cause.service` with
 * `root_cause.metric` (a primary without a service, such as the original's region partitions,
 * is then left out: it has nothing to rank).
 */
export function rcaCases(catalog: BenchmarkCatalog): RcaCase[] {
  const out: RcaCase[] = [];
  for (const inc of catalog.incidents) {
    if (inc.is_primary === false) continue;
    if (inc.primary_incident_id && inc.primary_incident_id !== inc.id) continue;
    let rootCauses: Indicator[] = [...(inc.root_cause_indicators ?? [])];
    if (rootCauses.length === 0 && inc.root_cause?.service && inc.root_cause.metric) {
      rootCauses = [{ service: inc.root_cause.service, metric: inc.root_cause.metric }];
    }
    if (rootCauses.length === 0) continue;
    out.push({
      incidentId: inc.id,
      type: inc.type,
      startMs: parseUtc(inc.start_time),
      endMs: parseUtc(inc.end_time),
      detectedMs: inc.detected_at ? parseUtc(inc.detected_at) : null,
      rootCauses,
    });
  }
  return out;
}

/** One row of a label file: a host-interval with the incidents active on it. */
export interface LabelRow {
  readonly timestamp: string;
  readonly host_id: string;
  readonly service: string;
  readonly incidents: readonly { readonly incident_id: string; readonly incident_type: string; readonly primary_incident_id: string; readonly role: string }[];
}

/** Every label row of a dataset (`metadata/labels/YYYY-MM/labels_YYYY-MM-DD.json`), day by day in date order. */
export function* labelRows(dir: string): Generator<LabelRow> {
  const root = join(dir, 'metadata', 'labels');
  if (!existsSync(root)) return;
  for (const month of readdirSync(root).filter((m) => /^\d{4}-\d{2}$/.test(m)).sort()) {
    for (const f of readdirSync(join(root, month)).filter((x) => /^labels_\d{4}-\d{2}-\d{2}\.json$/.test(x)).sort()) {
      yield* JSON.parse(readFileSync(join(root, month, f), 'utf8')) as LabelRow[];
    }
  }
}

/** The key of a host-interval, with the timestamp floored to the interval: `host|ms`. */
export function hostIntervalKey(hostId: string, ms: number, granularityMinutes: number): string {
  const g = granularityMinutes * 60_000;
  return `${hostId}|${Math.floor(ms / g) * g}`;
}
