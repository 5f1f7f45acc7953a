import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Signal } from '../core/config.ts';
import { FieldsError } from '../plugins/errors.ts';
import { RANGE_FILTERS, type DayRangeQuery } from './schemas.ts';

/** What a range request keeps of a day file; unset parts keep everything. */
export interface DayFilter {
  readonly hosts: ReadonlySet<string> | null;
  readonly services: ReadonlySet<string> | null;
  readonly traces: ReadonlySet<string> | null;
  readonly types: ReadonlySet<string> | null;
  readonly fromMs: number;
  readonly toMs: number;
  readonly limit: number;
}

/**
 * How far past `to` a file is still read. The day files are in time order, but a trace's spans
 * follow its root, so a span may start a little before the one above it (170 ms seen on a default
 * day); an hour is far more than any request takes.
 */
const ORDER_SLACK_MS = 3_600_000;

const set = (list: string | undefined): ReadonlySet<string> | null => (list === undefined ? null : new Set(list.split(',')));

/** The filter a query asks for; null when it names none (the whole file is sent as usual). */
export function parseDayFilter(signal: Signal, query: DayRangeQuery): DayFilter | null {
  const named = RANGE_FILTERS[signal].filter((k) => query[k] !== undefined);
  if (named.length === 0) return null;
  const fromMs = query.from === undefined ? -Infinity : Date.parse(query.from);
  const toMs = query.to === undefined ? Infinity : Date.parse(query.to);
  const errors: { field: string; message: string }[] = [];
  if (Number.isNaN(fromMs)) errors.push({ field: '/query/from', message: 'is not a valid UTC instant' });
  if (Number.isNaN(toMs)) errors.push({ field: '/query/to', message: 'is not a valid UTC instant' });
  if (errors.length === 0 && fromMs >= toMs) errors.push({ field: '/query/to', message: 'must be after from' });
  // The filters read the JSON records; another format's bytes are not cut.
  if (query.format !== undefined && query.format !== 'json') errors.push({ field: '/query/format', message: `must be json (or left out) with the filters ${named.join(', ')}: they answer JSON records` });
  if (errors.length > 0) throw new FieldsError('A query parameter is invalid; `errors` names each one.', errors);
  return {
    hosts: set(query.host),
    services: set(query.service),
    traces: set(query.trace),
    types: set(query.type),
    fromMs,
    toMs,
    limit: query.limit ?? Infinity,
  };
}

type Row = Record<string, unknown>;

/** The record's host, service and trace by signal (each signal names them its own way). */
function hostOf(signal: Signal, r: Row): unknown {
  if (signal === 'metrics') return r.host_id;
  if (signal === 'logs') return r.host;
  if (signal === 'traces') return (r.attributes as Row | undefined)?.['host.name'];
  return undefined;
}

function servicesOf(signal: Signal, r: Row): unknown[] {
  if (signal === 'traces') return [r.service_name];
  // A maintenance window names its services as a list; an incident update both.
  return [r.service, ...(Array.isArray(r.affected_services) ? (r.affected_services as unknown[]) : [])];
}

/** Whether one record passes the filter, time aside. */
function keeps(signal: Signal, filter: DayFilter, r: Row): boolean {
  if (filter.hosts && !filter.hosts.has(String(hostOf(signal, r)))) return false;
  if (filter.services && !servicesOf(signal, r).some((s) => typeof s === 'string' && filter.services?.has(s))) return false;
  if (filter.traces && !filter.traces.has(String(r.trace_id))) return false;
  if (filter.types && !filter.types.has(String(r.type))) return false;
  return true;
}

/**
 * A cheap test on a record's text before parsing it: with hosts or traces asked for, a line that
 * names none of them cannot match (most lines of a day, for one host of a hundred).
 */
function mayKeep(filter: DayFilter, line: string): boolean {
  if (filter.traces && ![...filter.traces].some((t) => line.includes(t))) return false;
  if (filter.hosts && ![...filter.hosts].some((h) => line.includes(`"${h}"`))) return false;
  return true;
}

/**
 * The records of a day file (the json file: `[`, a record a line, `]`; or ndjson, plain or
 * gzipped) that pass the filter, read as a stream: a day of traces of a large topology is hundreds
 * of megabytes, and one host's window is a small part of it. The files are in time order, so the
 * read stops once it is past `to`.
 */
export async function readFilteredDay(absPath: string, gzip: boolean, signal: Signal, filter: DayFilter): Promise<Row[]> {
  const file = createReadStream(absPath);
  const input: Readable = gzip ? file.pipe(createGunzip()) : file;
  const lines = createInterface({ input, crlfDelay: Infinity });
  const out: Row[] = [];
  const stopAt = filter.toMs + (signal === 'metrics' ? 0 : ORDER_SLACK_MS);
  try {
    for await (const raw of lines) {
      let line = raw.trim();
      if (line === '[' || line === ']' || line === '') continue;
      if (line.endsWith(',')) line = line.slice(0, -1);
      if (line.startsWith('[')) {
        // Not a record a line (the writers do write one): the whole array at once.
        return (JSON.parse(line.endsWith(']') ? line : `${line}]`) as Row[]).filter((r) => inRange(filter, r) && keeps(signal, filter, r)).slice(0, Number.isFinite(filter.limit) ? filter.limit : undefined);
      }
      // The time first, from the text (every record has a `timestamp` string): past the window the
      // read ends, before it the line is skipped, both without parsing.
      const t = timestampOf(line);
      if (t >= stopAt) break;
      if (!(t >= filter.fromMs && t < filter.toMs) || !mayKeep(filter, line)) continue;
      const r = JSON.parse(line) as Row;
      if (!keeps(signal, filter, r)) continue;
      out.push(r);
      if (out.length >= filter.limit) break;
    }
  } finally {
    lines.close();
    file.destroy();
  }
  return out;
}

const TIMESTAMP_KEY = '"timestamp":"';

/** A record line's `timestamp` in ms (NaN when it has none, and then it is never in a window). */
function timestampOf(line: string): number {
  const at = line.indexOf(TIMESTAMP_KEY);
  if (at < 0) return NaN;
  const start = at + TIMESTAMP_KEY.length;
  return Date.parse(line.slice(start, line.indexOf('"', start)));
}

function inRange(filter: DayFilter, r: Row): boolean {
  const t = Date.parse(String(r.timestamp));
  return t >= filter.fromMs && t < filter.toMs;
}
