// OTLP/JSON in the OpenTelemetry file exporter's layout: JSON Lines, one TracesData / LogsData /
// MetricsData object a line, one signal a file; a line holds one UTC hour of the day, grouped by
// resource (one per host; one per service for events). The encoding follows the OTLP spec's JSON
// mapping: hex trace and span ids, enums as integers, 64-bit integers as decimal strings,
// lowerCamelCase keys.
import type { EventRecord, LogRecord, MetricRecord, SpanRecord } from '../core/records.ts';
import type { MetricKey } from '../core/incident-types.ts';
import { METRIC_KEYS } from '../core/incident-types.ts';
import { GENERATOR_VERSION } from '../version.ts';

type AnyValue = { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean } | { arrayValue: { values?: AnyValue[] } };
interface KeyValue {
  key: string;
  value: AnyValue;
}

/** Where a host runs: from the topology, since log lines name only the host. */
export interface OtlpHost {
  readonly service: string;
  readonly region: string;
}

const SCOPE = { name: 'meltgen', version: GENERATOR_VERSION };
/** Span kind SERVER: every span is a service handling a request (calls are not modelled as CLIENT spans). */
const SPAN_KIND_SERVER = 2;
const STATUS_ERROR = 2;
/** OpenTelemetry severity numbers of the original's levels. */
export const SEVERITY_NUMBERS = { INFO: 9, WARNING: 13, ERROR: 17 } as const;
const EVENT_SEVERITY = 9;

/**
 * The OTLP name, unit and scale of each metric. Two have an OpenTelemetry semantic-convention
 * name, which is a ratio (0–1): the percent is divided by 100. The others keep the original's name.
 */
export const OTLP_METRICS: Readonly<Record<MetricKey, { name: string; unit: string; ratio: boolean; int: boolean }>> = {
  'system.cpu.util': { name: 'system.cpu.utilization', unit: '1', ratio: true, int: false },
  'system.mem.util': { name: 'system.memory.utilization', unit: '1', ratio: true, int: false },
  'net.latency.ms': { name: 'net.latency.ms', unit: 'ms', ratio: false, int: false },
  'app.error_rate': { name: 'app.error_rate', unit: '%', ratio: false, int: false },
  'app.request_count': { name: 'app.request_count', unit: '{request}', ratio: false, int: true },
  'net.packet_loss.pct': { name: 'net.packet_loss.pct', unit: '%', ratio: false, int: false },
  'db.connection_pool.util': { name: 'db.connection_pool.util', unit: '%', ratio: false, int: false },
  'resource.pool.util': { name: 'resource.pool.util', unit: '%', ratio: false, int: false },
};

/** The cloud provider a region name implies (AWS-style names), or null for on-premises and custom ones. */
export function cloudProvider(region: string): string | null {
  return /^(us|eu|ap|sa|ca|me|af|il|mx)-(north|south|east|west|central|northeast|southeast|northwest|southwest)-\d+$/.test(region) ? 'aws' : null;
}

const str = (key: string, v: string): KeyValue => ({ key, value: { stringValue: v } });

function anyValue(v: unknown): AnyValue | null {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) {
    const values = v.map(anyValue).filter((x): x is AnyValue => x !== null);
    // Proto3 JSON leaves an empty repeated field out.
    return { arrayValue: values.length > 0 ? { values } : {} };
  }
  return null;
}

/** An event's fields as attributes: nested objects flattened with dots, nulls left out. */
function eventAttributes(e: Record<string, unknown>, prefix = '', out: KeyValue[] = []): KeyValue[] {
  for (const [k, v] of Object.entries(e)) {
    if (prefix === '' && (k === 'timestamp' || k === 'message' || k === 'type')) continue;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) eventAttributes(v as Record<string, unknown>, `${prefix}${k}.`, out);
    else {
      const value = anyValue(v);
      if (value) out.push({ key: `${prefix}${k}`, value });
    }
  }
  return out;
}

function hostResource(hostId: string, host: OtlpHost): { attributes: KeyValue[] } {
  const attributes = [str('service.name', host.service), str('service.instance.id', hostId), str('host.name', hostId), str('cloud.region', host.region)];
  const provider = cloudProvider(host.region);
  if (provider) attributes.push(str('cloud.provider', provider));
  return { attributes };
}

/** Groups rows by UTC hour (the first 13 characters of their time), then by a key, keeping order; each row as `render` makes it. */
function byHour<T, U = T>(rows: readonly T[], time: (r: T) => string, key: (r: T) => string, render: (r: T) => U = (r) => r as unknown as U): Map<string, Map<string, U[]>> {
  const out = new Map<string, Map<string, U[]>>();
  for (const r of rows) {
    const hour = time(r).slice(0, 13);
    let groups = out.get(hour);
    if (!groups) out.set(hour, (groups = new Map()));
    const k = key(r);
    let list = groups.get(k);
    if (!list) groups.set(k, (list = []));
    list.push(render(r));
  }
  return out;
}

const lines = (objects: unknown[]): string => objects.map((o) => `${JSON.stringify(o)}\n`).join('');

function hostOf(hosts: ReadonlyMap<string, OtlpHost>, id: string): OtlpHost {
  const h = hosts.get(id);
  if (!h) throw new Error(`otlp: unknown host ${id}`);
  return h;
}

// The three large signals are written as strings rather than through JSON.stringify of object
// trees (an object per attribute): the same bytes (the golden hashes pin them), several times
// faster. Strings from the data go through JSON.stringify once each and are cached.

/** Unix nanoseconds, as a decimal string, of milliseconds plus microseconds (exact below 2^53 µs). */
function nanosOf(ms: number, plusUs = 0): string {
  return `${ms * 1000 + plusUs}000`;
}

function quoted(cache: Map<string, string>, v: string): string {
  let q = cache.get(v);
  if (q === undefined) cache.set(v, (q = JSON.stringify(v)));
  return q;
}

const SCOPE_JSON = JSON.stringify(SCOPE);
const strJson = (key: string, v: string): string => `{"key":${JSON.stringify(key)},"value":{"stringValue":${JSON.stringify(v)}}}`;

function hostResourceJson(cache: Map<string, string>, hostId: string, host: OtlpHost): string {
  const key = `resource ${hostId}`;
  let r = cache.get(key);
  if (r === undefined) cache.set(key, (r = JSON.stringify(hostResource(hostId, host))));
  return r;
}

/** One line of an hour: the resources' blocks, each `{"resource":…,"<scopes>":[{"scope":…,"<items>":[…]}]}`. */
function hourLine(top: string, scopes: string, items: string, groups: Map<string, string[]>, resource: (key: string) => string): string {
  const blocks: string[] = [];
  for (const [key, list] of groups) blocks.push(`{"resource":${resource(key)},"${scopes}":[{"scope":${SCOPE_JSON},"${items}":[${list.join(',')}]}]}`);
  return `{"${top}":[${blocks.join(',')}]}\n`;
}

/** A day's spans as TracesData lines. */
export function otlpTraces(spans: readonly SpanRecord[], hosts: ReadonlyMap<string, OtlpHost>): string {
  const cache = new Map<string, string>();
  const operations = new Map<string, readonly [string, string]>();
  // The span's name and kind, and its method and route attributes: once per operation.
  const operation = (op: string, method: string): readonly [string, string] => {
    const key = `${method} ${op}`;
    let v = operations.get(key);
    if (v === undefined) {
      const space = op.indexOf(' ');
      operations.set(key, (v = [`"name":${JSON.stringify(op)},"kind":${SPAN_KIND_SERVER}`, `${strJson('http.request.method', method)},${strJson('http.route', op.slice(space + 1))}`]));
    }
    return v;
  };
  const render = (s: SpanRecord): string => {
    const [name, attrs] = operation(s.operation, s.attributes['http.method']);
    const ms = Date.parse(s.timestamp);
    let attributes = `${attrs},{"key":"http.response.status_code","value":{"intValue":"${s.status_code}"}}`;
    if (s.attributes['peer.service'] !== undefined) attributes += `,${quotedAttr(cache, 'peer.service', s.attributes['peer.service'])}`;
    if (s.attributes['error.type'] !== undefined) attributes += `,${quotedAttr(cache, 'error.type', s.attributes['error.type'])}`;
    const status = s.status_code >= 500 ? `{"code":${STATUS_ERROR},"message":${quoted(cache, s.attributes['error.type'] ?? `HTTP ${s.status_code}`)}}` : '{}';
    const parent = s.parent_span_id === null ? '' : `,"parentSpanId":"${s.parent_span_id}"`;
    return `{"traceId":"${s.trace_id}","spanId":"${s.span_id}"${parent},${name},"startTimeUnixNano":"${nanosOf(ms)}","endTimeUnixNano":"${nanosOf(ms, Math.round(s.duration_ms * 1000))}","attributes":[${attributes}],"status":${status}}`;
  };
  let out = '';
  for (const groups of byHour(spans, (s) => s.timestamp, (s) => s.attributes['host.name'], render).values()) {
    out += hourLine('resourceSpans', 'scopeSpans', 'spans', groups, (hostId) => hostResourceJson(cache, hostId, hostOf(hosts, hostId)));
  }
  return out;
}

function quotedAttr(cache: Map<string, string>, key: string, v: string): string {
  const k = `attr ${key} ${v}`;
  let a = cache.get(k);
  if (a === undefined) cache.set(k, (a = strJson(key, v)));
  return a;
}

/** A day's log lines as LogsData lines, joined to their spans by traceId and spanId. */
export function otlpLogs(logs: readonly LogRecord[], hosts: ReadonlyMap<string, OtlpHost>): string {
  const cache = new Map<string, string>();
  const render = (l: LogRecord): string => {
    const t = nanosOf(Date.parse(l.timestamp));
    return `{"timeUnixNano":"${t}","observedTimeUnixNano":"${t}","severityNumber":${SEVERITY_NUMBERS[l.level]},"severityText":"${l.level}","body":{"stringValue":${quoted(cache, l.message)}},"traceId":"${l.trace_id}","spanId":"${l.span_id}"}`;
  };
  let out = '';
  for (const groups of byHour(logs, (l) => l.timestamp, (l) => l.host, render).values()) {
    out += hourLine('resourceLogs', 'scopeLogs', 'logRecords', groups, (hostId) => hostResourceJson(cache, hostId, hostOf(hosts, hostId)));
  }
  return out;
}

/** A day's events as LogsData lines: log records named by `event.name`, their fields as attributes. */
export function otlpEvents(events: readonly EventRecord[]): string {
  const out: unknown[] = [];
  const serviceOf = (e: EventRecord): string => (typeof e.service === 'string' ? e.service : '');
  for (const groups of byHour(events, (e) => e.timestamp, serviceOf).values()) {
    const resourceLogs = [...groups].map(([service, list]) => ({
      // Events of no one service (maintenance windows) have a resource without attributes.
      resource: service === '' ? {} : { attributes: [str('service.name', service)] },
      scopeLogs: [
        {
          scope: SCOPE,
          logRecords: list.map((e) => ({
            timeUnixNano: nanosOf(Date.parse(e.timestamp)),
            observedTimeUnixNano: nanosOf(Date.parse(e.timestamp)),
            severityNumber: EVENT_SEVERITY,
            severityText: 'INFO',
            body: { stringValue: e.message },
            attributes: [str('event.name', e.type), ...eventAttributes(e)],
          })),
        },
      ],
    }));
    out.push({ resourceLogs });
  }
  return lines(out);
}

/** The value OTLP carries for a metric (a ratio for the two semantic-convention names). */
export function otlpMetricValue(key: MetricKey, value: number): number {
  return OTLP_METRICS[key].ratio ? Math.round(value * 100) / 10000 : value;
}

/** A day's metrics as MetricsData lines: one gauge per metric and host, a data point per interval. */
export function otlpMetrics(rows: readonly MetricRecord[]): string {
  const cache = new Map<string, string>();
  const heads = METRIC_KEYS.map((key) => `{"name":${JSON.stringify(OTLP_METRICS[key].name)},"unit":${JSON.stringify(OTLP_METRICS[key].unit)},"gauge":{"dataPoints":[`);
  // Per hour and host: the rows of that hour, in time order.
  const hours = new Map<string, Map<string, MetricRecord[]>>();
  for (const r of rows) {
    const hour = r.timestamp.slice(0, 13);
    let groups = hours.get(hour);
    if (!groups) hours.set(hour, (groups = new Map()));
    let list = groups.get(r.host_id);
    if (!list) groups.set(r.host_id, (list = []));
    list.push(r);
  }
  let out = '';
  for (const groups of hours.values()) {
    const blocks: string[] = [];
    for (const [hostId, list] of groups) {
      const first = list[0] as MetricRecord;
      const times = list.map((r) => nanosOf(Date.parse(r.timestamp)));
      const metrics = METRIC_KEYS.map((key, k) => {
        const spec = OTLP_METRICS[key];
        const points = list.map((r, i) => (spec.int ? `{"timeUnixNano":"${times[i] as string}","asInt":"${r.metrics[key]}"}` : `{"timeUnixNano":"${times[i] as string}","asDouble":${otlpMetricValue(key, r.metrics[key])}}`));
        return `${heads[k] as string}${points.join(',')}]}}`;
      });
      blocks.push(`{"resource":${hostResourceJson(cache, hostId, { service: first.service, region: first.region })},"scopeMetrics":[{"scope":${SCOPE_JSON},"metrics":[${metrics.join(',')}]}]}`);
    }
    out += `{"resourceMetrics":[${blocks.join(',')}]}\n`;
  }
  return out;
}
