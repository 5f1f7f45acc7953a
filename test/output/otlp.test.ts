import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { METRIC_KEYS } from '../../src/core/incident-types.ts';
import type { EventRecord, LogRecord, MetricRecord, SpanRecord } from '../../src/core/records.ts';
import { dayPath } from '../../src/output/layout.ts';
import { OTLP_METRICS, otlpMetricValue, SEVERITY_NUMBERS } from '../../src/output/otlp.ts';
import { generate } from '../helpers/dataset.ts';

// Every OTLP line is decoded strictly with protobufjs against the official opentelemetry-proto
// files (vendored in src/sinks/protos/opentelemetry-proto, Apache-2.0, from
// @opentelemetry/otlp-grpc-exporter-base 0.38.0): it must survive fromObject → encode → decode →
// toObject unchanged, so no field is unknown or mistyped; enums must be integers and 64-bit
// integers decimal strings (fromObject would take names and numbers too). Then the counts and
// values are those of the JSON files, and every parent span id resolves.

const PROTOS = fileURLToPath(new URL('../../src/sinks/protos/opentelemetry-proto/', import.meta.url));
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => join(PROTOS, target);
root.loadSync(['opentelemetry/proto/trace/v1/trace.proto', 'opentelemetry/proto/logs/v1/logs.proto', 'opentelemetry/proto/metrics/v1/metrics.proto'], { keepCase: false });
const TYPES = {
  traces: root.lookupType('opentelemetry.proto.trace.v1.TracesData'),
  logs: root.lookupType('opentelemetry.proto.logs.v1.LogsData'),
  events: root.lookupType('opentelemetry.proto.logs.v1.LogsData'),
  metrics: root.lookupType('opentelemetry.proto.metrics.v1.MetricsData'),
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);
const ENUM_KEYS = new Set(['kind', 'code', 'severityNumber', 'aggregationTemporality']);
const INT64_KEYS = new Set(['startTimeUnixNano', 'endTimeUnixNano', 'timeUnixNano', 'observedTimeUnixNano', 'intValue', 'asInt', 'count']);

/** Hex ids to bytes for fromObject (it would read them as base64), checking the encoding rules on the way. */
function prepare(value: Json, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => prepare(v));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, prepare(v, k)]));
  if (ID_KEYS.has(key)) {
    assert.match(value as string, /^[0-9a-f]+$/, `${key} is hex`);
    return Buffer.from(value as string, 'hex');
  }
  if (ENUM_KEYS.has(key)) assert.ok(Number.isInteger(value), `${key} is an integer, not ${JSON.stringify(value)}`);
  if (INT64_KEYS.has(key)) assert.match(value as string, /^-?\d+$/, `${key} is a decimal string`);
  return value;
}

/** protobufjs' object back in OTLP/JSON's spelling: bytes as hex. */
function normalize(value: unknown): Json {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  return value as Json;
}

function decodeStrictly(type: protobuf.Type, line: string): Json {
  const original = JSON.parse(line) as Json;
  const message = type.fromObject(prepare(original) as Record<string, unknown>);
  const decoded = type.decode(type.encode(message).finish());
  const back = normalize(type.toObject(decoded, { longs: String, enums: Number, defaults: false }));
  assert.deepEqual(back, original, 'the line survives a protobuf round trip unchanged');
  return original;
}

type O = Record<string, Json>;
const objects = (v: Json | undefined): O[] => (Array.isArray(v) ? (v as O[]) : []);
const attr = (attrs: Json | undefined, key: string): Json | undefined => (objects(attrs).find((a) => a.key === key)?.value as O | undefined)?.stringValue ?? (objects(attrs).find((a) => a.key === key)?.value as O | undefined)?.intValue;

test('every OTLP line decodes strictly with the official protos, with the JSON files’ spans, logs, events and data points', async (t) => {
  const { dir, sim } = await generate(t, { startDate: '2024-06-30', days: 2, hostsPerService: 1, granularityMinutes: 60, incidentRate: 2, seed: 20240601, formats: ['json', 'otlp'], compression: 'gzip' });
  for (let d = 0; d < sim.config.days; d++) {
    const date = new Date(sim.startMs + d * 86_400_000).toISOString().slice(0, 10);
    const json = async <T>(signal: string): Promise<T[]> => JSON.parse(await readFile(join(dir, dayPath(signal as 'metrics', date, 'json', 'none')), 'utf8')) as T[];
    const lines = async (signal: keyof typeof TYPES): Promise<O[]> => {
      const text = gunzipSync(await readFile(join(dir, dayPath(signal, date, 'otlp', 'gzip')))).toString('utf8');
      assert.ok(text.endsWith('\n'));
      return text.trimEnd().split('\n').map((l) => decodeStrictly(TYPES[signal], l) as O);
    };

    // Traces: one SERVER span per JSON span, same ids, times, status; every parent is there.
    const spans = await json<SpanRecord>('traces');
    const otlpSpans = (await lines('traces')).flatMap((l) => objects(l.resourceSpans).flatMap((rs) => objects(rs.scopeSpans).flatMap((ss) => objects(ss.spans).map((s) => ({ s, resource: rs.resource as O })))));
    assert.equal(otlpSpans.length, spans.length, `${date}: spans`);
    const byId = new Map(spans.map((s) => [s.span_id, s]));
    const ids = new Set(otlpSpans.map(({ s }) => s.spanId));
    for (const { s, resource } of otlpSpans) {
      const src = byId.get(s.spanId as string) as SpanRecord;
      assert.ok(src);
      assert.equal(s.traceId, src.trace_id);
      assert.equal(s.parentSpanId ?? null, src.parent_span_id);
      if (s.parentSpanId !== undefined) assert.ok(ids.has(s.parentSpanId), 'every parent span id resolves');
      assert.equal(s.kind, 2);
      assert.equal(BigInt(s.startTimeUnixNano as string), BigInt(Date.parse(src.timestamp)) * 1_000_000n);
      assert.equal(Number(BigInt(s.endTimeUnixNano as string) - BigInt(s.startTimeUnixNano as string)) / 1e6, src.duration_ms);
      assert.equal((s.status as O).code ?? 0, src.status_code >= 500 ? 2 : 0);
      assert.equal(attr(s.attributes, 'http.response.status_code'), String(src.status_code));
      assert.equal(attr(resource.attributes, 'service.name'), src.service_name);
      assert.equal(attr(resource.attributes, 'host.name'), src.attributes['host.name']);
      assert.equal(attr(resource.attributes, 'cloud.region'), src.attributes['cloud.region']);
    }

    // Logs: same lines, severities as OpenTelemetry numbers them, joined to their spans.
    const logs = await json<LogRecord>('logs');
    const records = (await lines('logs')).flatMap((l) => objects(l.resourceLogs).flatMap((rl) => objects(rl.scopeLogs).flatMap((sl) => objects(sl.logRecords))));
    assert.equal(records.length, logs.length, `${date}: log records`);
    // Grouped by host within each hour, so compared as a set of lines, not in file order.
    const key = (trace: string, span: string, nanos: string, text: string): string => `${trace} ${span} ${nanos} ${text}`;
    const expected = logs.map((l) => key(l.trace_id, l.span_id, String(BigInt(Date.parse(l.timestamp)) * 1_000_000n), `${SEVERITY_NUMBERS[l.level]} ${l.message}`)).sort();
    const got = records.map((r) => {
      assert.ok(ids.has(r.spanId as string), 'a log record joins a span');
      return key(r.traceId as string, r.spanId as string, r.timeUnixNano as string, `${r.severityNumber as number} ${(r.body as O).stringValue as string}`);
    });
    assert.deepEqual(got.sort(), expected);

    // Events: log records named by event.name.
    const events = await json<EventRecord>('events');
    const eventRecords = (await lines('events')).flatMap((l) => objects(l.resourceLogs).flatMap((rl) => objects(rl.scopeLogs).flatMap((sl) => objects(sl.logRecords))));
    assert.equal(eventRecords.length, events.length, `${date}: events`);
    assert.deepEqual(
      eventRecords.map((r) => `${attr(r.attributes, 'event_id') as string} ${attr(r.attributes, 'event.name') as string} ${(r.body as O).stringValue as string}`).sort(),
      events.map((e) => `${String(e.event_id)} ${e.type} ${e.message}`).sort(),
    );

    // Metrics: a gauge per metric and host, a data point per interval, the JSON's value.
    const metrics = await json<MetricRecord>('metrics');
    const points = new Map<string, Json>();
    for (const l of await lines('metrics')) {
      for (const rm of objects(l.resourceMetrics)) {
        const host = attr((rm.resource as O).attributes, 'host.name') as string;
        for (const sm of objects(rm.scopeMetrics)) {
          for (const m of objects(sm.metrics)) {
            for (const p of objects((m.gauge as O).dataPoints)) points.set(`${host} ${m.name as string} ${p.timeUnixNano as string}`, p.asDouble ?? p.asInt ?? null);
          }
        }
      }
    }
    assert.equal(points.size, metrics.length * METRIC_KEYS.length, `${date}: data points`);
    for (const row of metrics) {
      for (const key of METRIC_KEYS) {
        const spec = OTLP_METRICS[key];
        const got = points.get(`${row.host_id} ${spec.name} ${BigInt(Date.parse(row.timestamp)) * 1_000_000n}`);
        assert.equal(got, spec.int ? String(row.metrics[key]) : otlpMetricValue(key, row.metrics[key]), `${row.host_id} ${key} ${row.timestamp}`);
      }
    }
  }
});
