// Parquet: one file per signal per day, plus the labels and the catalog as tables, written with
// hyparquet-writer (pure JavaScript, so it runs in the generation threads with nothing to build).
// The columns come from the record schemas (src/core/record-schemas.ts), so the two cannot drift:
// times are TIMESTAMP (milliseconds, UTC), numbers DOUBLE or INT32, strings dictionary-encoded
// where that pays, snappy-compressed. Nested objects are flattened into columns: the keys of
// `metrics` and `attributes` (already dotted names such as `system.cpu.util`, `host.name`) become
// columns as they are, other objects' keys are prefixed with the object's name (`metadata.deployed_by`,
// `root_cause.metric`); arrays are JSON text.
import { parquetWriteBuffer, type ColumnSource } from 'hyparquet-writer';
import type { TSchema } from '../typebox.ts';
import type { IncidentCatalog } from '../core/catalog.ts';
import { EVENT_SCHEMAS, IncidentSchema, LogRecordSchema, MetricRecordSchema, SpanRecordSchema } from '../core/record-schemas.ts';
import type { EventRecord, LabelRecord, LogRecord, MetricRecord, SpanRecord } from '../core/records.ts';
import { GENERATOR_VERSION } from '../version.ts';

/** The Parquet type of a column. */
export type ColumnKind = 'STRING' | 'DOUBLE' | 'INT32' | 'BOOLEAN' | 'TIMESTAMP' | 'JSON';

/** A column: its name, where its value is in a record, its type. */
export interface ColumnSpec {
  readonly name: string;
  readonly path: readonly string[];
  readonly kind: ColumnKind;
}

/** Objects whose keys are already full names: their keys become columns without a prefix. */
const UNWRAPPED = new Set(['metrics', 'attributes']);

type JsonSchemaLike = { type?: string; properties?: Record<string, TSchema>; anyOf?: TSchema[]; pattern?: string; const?: unknown; enum?: unknown[] };

function kindOf(schema: TSchema, name: string, parent: string | null): ColumnKind {
  const s = schema as JsonSchemaLike;
  const members = s.anyOf?.filter((m) => (m as JsonSchemaLike).type !== 'null') ?? [];
  if (members.length === 1) return kindOf(members[0] as TSchema, name, parent);
  if (parent === 'metrics') return 'DOUBLE';
  if (s.type === 'string' && s.pattern?.includes('T\\d{2}:\\d{2}:\\d{2}')) return 'TIMESTAMP';
  // A closed set of values: their own type (the HTTP statuses are numbers, the levels strings).
  const values = s.enum ?? (s.const !== undefined ? [s.const] : null);
  if (values && values.every((v) => typeof v === 'boolean')) return 'BOOLEAN';
  if (values && values.every((v) => Number.isInteger(v))) return 'INT32';
  if (values && values.every((v) => typeof v === 'number')) return 'DOUBLE';
  if (s.type === 'string' || values) return 'STRING';
  if (s.type === 'integer') return 'INT32';
  if (s.type === 'number') return 'DOUBLE';
  if (s.type === 'boolean') return 'BOOLEAN';
  return 'JSON';
}

/** The columns of a record schema, nested objects flattened, in the schema's order. */
export function columnsOf(schema: TSchema, path: readonly string[] = [], prefix = ''): ColumnSpec[] {
  const out: ColumnSpec[] = [];
  for (const [key, child] of Object.entries((schema as JsonSchemaLike).properties ?? {})) {
    const c = child as JsonSchemaLike;
    if (c.type === 'object' && c.properties) {
      out.push(...columnsOf(child, [...path, key], UNWRAPPED.has(key) ? prefix : `${prefix}${key}.`));
    } else out.push({ name: `${prefix}${key}`, path: [...path, key], kind: kindOf(child, key, path[path.length - 1] ?? null) });
  }
  return out;
}

/** The event columns: every type's fields, the common ones first, in first-seen order. */
function eventColumns(): ColumnSpec[] {
  const byName = new Map<string, ColumnSpec>();
  for (const s of EVENT_SCHEMAS) {
    for (const c of columnsOf(s)) {
      const known = byName.get(c.name);
      if (!known) byName.set(c.name, c);
      // The same name with two types in two event kinds: kept as JSON text rather than guessed.
      else if (known.kind !== c.kind) byName.set(c.name, { ...known, kind: 'JSON' });
    }
  }
  const first = ['timestamp', 'type', 'event_id', 'message'];
  const all = [...byName.values()];
  return [...first.map((n) => byName.get(n) as ColumnSpec), ...all.filter((c) => !first.includes(c.name))];
}

/** The columns of each table, fixed for every day whatever the day holds. */
export const PARQUET_COLUMNS = {
  metrics: columnsOf(MetricRecordSchema),
  events: eventColumns(),
  logs: columnsOf(LogRecordSchema),
  traces: columnsOf(SpanRecordSchema),
  labels: [
    { name: 'timestamp', path: ['timestamp'], kind: 'TIMESTAMP' },
    { name: 'host_id', path: ['host_id'], kind: 'STRING' },
    { name: 'service', path: ['service'], kind: 'STRING' },
    { name: 'incident_id', path: ['incident_id'], kind: 'STRING' },
    { name: 'incident_type', path: ['incident_type'], kind: 'STRING' },
    { name: 'primary_incident_id', path: ['primary_incident_id'], kind: 'STRING' },
    { name: 'role', path: ['role'], kind: 'STRING' },
  ],
  incidents: columnsOf(IncidentSchema),
} as const satisfies Record<string, readonly ColumnSpec[]>;

function valueAt(record: unknown, path: readonly string[]): unknown {
  let v: unknown = record;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return null;
    v = (v as Record<string, unknown>)[k];
  }
  return v === undefined ? null : v;
}

const BASIC: Record<ColumnKind, ColumnSource['type']> = { STRING: 'STRING', DOUBLE: 'DOUBLE', INT32: 'INT32', BOOLEAN: 'BOOLEAN', TIMESTAMP: 'TIMESTAMP', JSON: 'JSON' };

/** A Parquet file of rows under fixed columns (a day without rows is a file without rows). */
export function parquetTable(columns: readonly ColumnSpec[], rows: readonly unknown[]): Uint8Array {
  const columnData: ColumnSource[] = columns.map((c) => {
    const data = rows.map((r) => {
      const v = valueAt(r, c.path);
      if (v === null) return null;
      if (c.kind === 'TIMESTAMP') return Date.parse(v as string);
      if (c.kind === 'DOUBLE') return Number(v);
      return v;
    });
    return { name: c.name, data, type: BASIC[c.kind], nullable: true };
  });
  // No time or host in the file: the same rows give the same bytes.
  return new Uint8Array(parquetWriteBuffer({ columnData, codec: 'SNAPPY', createdBy: `meltgen ${GENERATOR_VERSION}`, rowGroupSize: 100_000 }));
}

export const parquetMetrics = (rows: readonly MetricRecord[]): Uint8Array => parquetTable(PARQUET_COLUMNS.metrics, rows);
export const parquetEvents = (rows: readonly EventRecord[]): Uint8Array => parquetTable(PARQUET_COLUMNS.events, rows);
export const parquetLogs = (rows: readonly LogRecord[]): Uint8Array => parquetTable(PARQUET_COLUMNS.logs, rows);
export const parquetSpans = (rows: readonly SpanRecord[]): Uint8Array => parquetTable(PARQUET_COLUMNS.traces, rows);

/** The labels in long form: one row per host, interval and incident (a host-interval with two incidents is two rows). */
export function parquetLabels(rows: readonly LabelRecord[]): Uint8Array {
  const long = rows.flatMap((r) => r.incidents.map((i) => ({ timestamp: r.timestamp, host_id: r.host_id, service: r.service, ...i })));
  return parquetTable(PARQUET_COLUMNS.labels, long);
}

/** The catalog's incidents, one row each (the config and summary stay in the JSON catalog). */
export function parquetIncidents(catalog: IncidentCatalog): Uint8Array {
  return parquetTable(PARQUET_COLUMNS.incidents, catalog.incidents);
}
