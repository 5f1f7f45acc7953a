import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { METRIC_KEYS } from '../../src/core/incident-types.ts';
import type { EventRecord, LogRecord, MetricRecord, SpanRecord } from '../../src/core/records.ts';
import type { Simulation } from '../../src/core/simulation.ts';
import { DeliveryError } from '../../src/sinks/http-delivery.ts';
import { createOtlpHttpSink, type OtlpHttpSinkOptions } from '../../src/sinks/otlp-http.ts';
import { replayDataset } from '../../src/sinks/replay.ts';
import { generate, readDay } from '../helpers/dataset.ts';

// The OTLP/HTTP sink against a receiver in the test: every request is decoded with protobufjs and
// the official opentelemetry-proto files as the collector's Export*ServiceRequest, strictly
// (verify(), and re-encoding the decoded message gives the same bytes, so no field was unknown to
// the protos). Then what arrived is compared with the dataset's JSON files.

const PROTOS = fileURLToPath(new URL('../../src/sinks/protos/opentelemetry-proto/', import.meta.url));
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => join(PROTOS, target);
root.loadSync(
  ['trace/v1/trace_service.proto', 'logs/v1/logs_service.proto', 'metrics/v1/metrics_service.proto'].map((p) => `opentelemetry/proto/collector/${p}`),
  { keepCase: false },
);
const ENDPOINTS: Readonly<Record<string, { type: protobuf.Type; top: string }>> = {
  '/v1/traces': { type: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'), top: 'resourceSpans' },
  '/v1/logs': { type: root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest'), top: 'resourceLogs' },
  '/v1/metrics': { type: root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest'), top: 'resourceMetrics' },
};

interface KeyValue {
  key: string;
  value: { stringValue?: string };
}
interface Resource {
  attributes?: KeyValue[];
}
interface Span {
  traceId: Uint8Array;
  spanId: Uint8Array;
  parentSpanId?: Uint8Array;
  startTimeUnixNano: string;
}
interface OtlpLogRecord {
  timeUnixNano: string;
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  attributes?: KeyValue[];
}
interface OtlpMetric {
  name: string;
  gauge?: { dataPoints?: { timeUnixNano: string }[] };
}
/** The decoded request, as protobufjs' toObject gives it (ids as bytes, 64-bit integers as strings). */
interface ExportRequest {
  resourceSpans?: { resource?: Resource; scopeSpans?: { spans?: Span[] }[] }[];
  resourceLogs?: { resource?: Resource; scopeLogs?: { logRecords?: OtlpLogRecord[] }[] }[];
  resourceMetrics?: { resource?: Resource; scopeMetrics?: { metrics?: OtlpMetric[] }[] }[];
}
interface Received {
  readonly path: string;
  readonly contentType: string;
  readonly request: ExportRequest;
}

/** An answer other than decoding and accepting: for the n-th request (from 0). */
type Override = (n: number, path: string) => { status: number; headers?: Record<string, string>; body?: string } | null;

const HEX = /^(?:[0-9a-f]{2})*$/;
const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);

/** An OTLP/JSON body's hex ids as bytes, as the JSON mapping defines them (fromObject would read base64). */
function idsAsBytes(key: string, value: unknown): unknown {
  if (typeof value !== 'string' || !ID_KEYS.has(key)) return value;
  assert.match(value, HEX, `${key} is hex`);
  return Buffer.from(value, 'hex');
}

/** Decodes a body strictly, or throws saying why. */
function decode(path: string, contentType: string, body: Buffer): ExportRequest {
  const endpoint = ENDPOINTS[path] as { type: protobuf.Type; top: string };
  let message: protobuf.Message;
  if (contentType === 'application/x-protobuf') {
    message = endpoint.type.decode(body);
    assert.ok(Buffer.from(endpoint.type.encode(message).finish()).equals(body), 'the decoded message re-encodes to the same bytes: no unknown field');
  } else {
    const json = JSON.parse(body.toString('utf8'), idsAsBytes) as Record<string, unknown>;
    assert.deepEqual(Object.keys(json), [endpoint.top], 'an Export*ServiceRequest in OTLP/JSON');
    message = endpoint.type.fromObject(json);
  }
  const problem = endpoint.type.verify(message);
  assert.equal(problem, null, problem ?? '');
  return endpoint.type.toObject(message, { longs: String, enums: Number, defaults: false }) as ExportRequest;
}

/** A local OTLP/HTTP receiver keeping what it accepted, in arrival order. */
async function startReceiver(t: TestContext, override: Override = () => null): Promise<{ url: string; received: Received[]; hits: () => number }> {
  const received: Received[] = [];
  let hits = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
      const answer = override(hits++, path);
      if (answer !== null) return void res.writeHead(answer.status, answer.headers ?? {}).end(answer.body ?? '');
      if (req.method !== 'POST' || ENDPOINTS[path] === undefined) return void res.writeHead(404).end(`no ${req.method ?? ''} ${path}`);
      if (contentType !== 'application/x-protobuf' && contentType !== 'application/json') return void res.writeHead(415).end(`unsupported content type ${contentType}`);
      try {
        received.push({ path, contentType, request: decode(path, contentType, Buffer.concat(chunks)) });
      } catch (e) {
        return void res.writeHead(400).end(`undecodable ${path}: ${(e as Error).message}`);
      }
      res.writeHead(200, { 'content-type': contentType }).end(contentType === 'application/json' ? '{}' : '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, received, hits: () => hits };
}

const DATASET = { startDate: '2024-06-30', days: 2, hostsPerService: 1, granularityMinutes: 60, incidentRate: 2, seed: 20240601 } as const;

interface Dataset {
  dir: string;
  metrics: MetricRecord[];
  spans: SpanRecord[];
  logs: LogRecord[];
  events: EventRecord[];
}

async function dataset(t: TestContext): Promise<Dataset> {
  const { dir, sim } = await generate(t, DATASET);
  const all = async <T>(signal: 'metrics' | 'traces' | 'logs' | 'events', s: Simulation): Promise<T[]> => {
    const out: T[] = [];
    for (let d = 0; d < s.config.days; d++) out.push(...(await readDay<T>(dir, signal, new Date(s.startMs + d * 86_400_000).toISOString().slice(0, 10))));
    return out;
  };
  return { dir, metrics: await all<MetricRecord>('metrics', sim), spans: await all<SpanRecord>('traces', sim), logs: await all<LogRecord>('logs', sim), events: await all<EventRecord>('events', sim) };
}

const attr = (resource: Resource | undefined, key: string): string | undefined => resource?.attributes?.find((a) => a.key === key)?.value.stringValue;
const hex = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('hex');

function spansOf(received: readonly Received[]): { span: Span; resource: Resource | undefined }[] {
  return received.flatMap((r) => (r.request.resourceSpans ?? []).flatMap((b) => (b.scopeSpans ?? []).flatMap((s) => (s.spans ?? []).map((span) => ({ span, resource: b.resource })))));
}
function logRecordsOf(received: readonly Received[]): { record: OtlpLogRecord; resource: Resource | undefined }[] {
  return received.flatMap((r) => (r.request.resourceLogs ?? []).flatMap((b) => (b.scopeLogs ?? []).flatMap((s) => (s.logRecords ?? []).map((record) => ({ record, resource: b.resource })))));
}
function dataPointsOf(received: readonly Received[]): { time: string; metric: string; resource: Resource | undefined }[] {
  return received.flatMap((r) =>
    (r.request.resourceMetrics ?? []).flatMap((b) => (b.scopeMetrics ?? []).flatMap((s) => (s.metrics ?? []).flatMap((m) => (m.gauge?.dataPoints ?? []).map((p) => ({ time: p.timeUnixNano, metric: m.name, resource: b.resource }))))),
  );
}
/** Records a request carries: spans, log records, data points. */
const recordsIn = (r: Received): number => spansOf([r]).length + logRecordsOf([r]).length + dataPointsOf([r]).length;

/** What arrived is the dataset: every span, log line, event and sample, ids well formed, resources as in the JSON. */
function assertReceivedDataset(data: Dataset, received: readonly Received[]): { spans: number; logRecords: number; dataPoints: number } {
  const spans = spansOf(received);
  assert.equal(spans.length, data.spans.length, 'spans');
  const json = new Map(data.spans.map((s) => [s.span_id, s]));
  const ids = new Set(spans.map(({ span }) => `${hex(span.traceId)} ${hex(span.spanId)}`));
  for (const { span, resource } of spans) {
    assert.equal(span.traceId.length, 16, 'trace ids are 16 bytes');
    assert.equal(span.spanId.length, 8, 'span ids are 8 bytes');
    const src = json.get(hex(span.spanId));
    assert.ok(src, `span ${hex(span.spanId)} is one of the files'`);
    assert.equal(hex(span.traceId), src.trace_id);
    if (span.parentSpanId !== undefined && span.parentSpanId.length > 0) {
      assert.equal(span.parentSpanId.length, 8, 'parent span ids are 8 bytes');
      assert.ok(ids.has(`${hex(span.traceId)} ${hex(span.parentSpanId)}`), 'every parent is a span of the same trace received');
    } else assert.equal(src.parent_span_id, null);
    assert.equal(attr(resource, 'service.name'), src.service_name);
    assert.equal(attr(resource, 'host.name'), src.attributes['host.name']);
  }

  const records = logRecordsOf(received);
  assert.equal(records.length, data.logs.length + data.events.length, 'log records: log lines and events');
  const lines = records.filter(({ record }) => record.traceId !== undefined && record.traceId.length > 0);
  assert.equal(lines.length, data.logs.length, 'log lines (with a trace)');
  const lineOf = new Map(data.logs.map((l) => [`${l.trace_id} ${l.span_id} ${BigInt(Date.parse(l.timestamp)) * 1_000_000n}`, l]));
  for (const { record, resource } of lines) {
    assert.equal(hex(record.traceId).length, 32);
    assert.equal(hex(record.spanId).length, 16);
    const src = lineOf.get(`${hex(record.traceId)} ${hex(record.spanId)} ${record.timeUnixNano}`);
    assert.ok(src, 'a log line of the files');
    assert.equal(attr(resource, 'host.name'), src.host);
    assert.equal(attr(resource, 'service.name'), src.service);
  }
  const events = records.filter(({ record }) => record.traceId === undefined || record.traceId.length === 0);
  assert.deepEqual(
    events.map(({ record, resource }) => `${attr(resource, 'service.name') ?? ''} ${attr({ attributes: record.attributes ?? [] }, 'event.name') ?? ''}`).sort(),
    data.events.map((e) => `${typeof e.service === 'string' ? e.service : ''} ${e.type}`).sort(),
    'events: their services and types',
  );

  const points = dataPointsOf(received);
  assert.equal(points.length, data.metrics.length * METRIC_KEYS.length, 'data points: rows × metric keys');
  const serviceOfHost = new Map(data.metrics.map((r) => [r.host_id, r.service]));
  for (const p of points) assert.equal(attr(p.resource, 'service.name'), serviceOfHost.get(attr(p.resource, 'host.name') ?? ''));
  return { spans: spans.length, logRecords: records.length, dataPoints: points.length };
}

/** Each endpoint's requests arrive in time order: the earliest record of each is no earlier than the one before's. */
function assertInOrder(received: readonly Received[]): void {
  for (const path of ['/v1/traces', '/v1/metrics']) {
    const firsts = received
      .filter((r) => r.path === path)
      .map((r) => [...spansOf([r]).map(({ span }) => BigInt(span.startTimeUnixNano)), ...dataPointsOf([r]).map((p) => BigInt(p.time))].reduce((a, b) => (b < a ? b : a)));
    for (let i = 1; i < firsts.length; i++) assert.ok((firsts[i] as bigint) >= (firsts[i - 1] as bigint), `${path} requests in time order`);
  }
}

test('protobuf: a replayed dataset decodes strictly at the receiver, every span, log line, event and sample', async (t) => {
  const data = await dataset(t);
  const receiver = await startReceiver(t);
  const sink = createOtlpHttpSink({ url: `${receiver.url}/` });
  const result = await replayDataset(data.dir, sink);
  assert.equal(result.days, 2);
  assert.ok(receiver.received.every((r) => r.contentType === 'application/x-protobuf'));
  const counts = assertReceivedDataset(data, receiver.received);
  assertInOrder(receiver.received);
  t.diagnostic(`requests ${receiver.received.length}; spans ${counts.spans}, log records ${counts.logRecords}, data points ${counts.dataPoints}`);
  assert.deepEqual(result.stats, { samplesSent: counts.dataPoints, spansSent: counts.spans, logsSent: counts.logRecords, requestsRefused: 0, retries: 0, lastError: null });
});

test('json: the same records as OTLP/JSON bodies of the same shape', async (t) => {
  const data = await dataset(t);
  const receiver = await startReceiver(t);
  const { stats } = await replayDataset(data.dir, createOtlpHttpSink({ url: receiver.url, encoding: 'json' }));
  assert.ok(receiver.received.every((r) => r.contentType === 'application/json'));
  const counts = assertReceivedDataset(data, receiver.received);
  assertInOrder(receiver.received);
  assert.deepEqual(stats, { samplesSent: counts.dataPoints, spansSent: counts.spans, logsSent: counts.logRecords, requestsRefused: 0, retries: 0, lastError: null });
});

test('large requests are split (by resource, then by record) under the limits, nothing lost', async (t) => {
  const data = await dataset(t);
  for (const encoding of ['protobuf', 'json'] as const) {
    const receiver = await startReceiver(t);
    const options: OtlpHttpSinkOptions = { url: receiver.url, encoding, maxRequestRecords: 25 };
    const { stats } = await replayDataset(data.dir, createOtlpHttpSink(options));
    for (const r of receiver.received) assert.ok(recordsIn(r) <= 25, `${encoding} ${r.path}: ${recordsIn(r)} records`);
    const counts = assertReceivedDataset(data, receiver.received);
    assertInOrder(receiver.received);
    assert.equal(stats.spansSent + stats.logsSent + stats.samplesSent, counts.spans + counts.logRecords + counts.dataPoints);
    // Hour lines are about 48 per endpoint: splitting made more requests than lines.
    assert.ok(receiver.received.length > 3 * 48, `${encoding}: ${receiver.received.length} requests`);
  }
  // A byte budget alone splits too (about 20 kB of JSON a request).
  const receiver = await startReceiver(t);
  await replayDataset(data.dir, createOtlpHttpSink({ url: receiver.url, encoding: 'json', maxRequestBytes: 20_000 }));
  assertReceivedDataset(data, receiver.received);
});

const NOW = Date.parse('2025-03-10T12:34:56.789Z');

test('timeShift now: every sample and event moved by the returned shift', async (t) => {
  const data = await dataset(t);
  const receiver = await startReceiver(t);
  const { shiftMs, stats } = await replayDataset(data.dir, createOtlpHttpSink({ url: receiver.url }), { timeShift: 'now', now: () => NOW });
  assert.equal(shiftMs, Date.parse('2025-03-10T12:00:00Z') - Date.parse('2024-07-02T00:00:00Z'), 'the last day ends at the current hour');
  const expected = data.metrics.map((r) => `${r.host_id} ${BigInt(Date.parse(r.timestamp) + shiftMs) * 1_000_000n}`).sort();
  const got = dataPointsOf(receiver.received)
    .filter((p) => p.metric === 'system.cpu.utilization')
    .map((p) => `${attr(p.resource, 'host.name') ?? ''} ${p.time}`)
    .sort();
  assert.deepEqual(got, expected);
  const events = logRecordsOf(receiver.received).filter(({ record }) => record.traceId === undefined || record.traceId.length === 0);
  assert.deepEqual(events.map(({ record }) => BigInt(record.timeUnixNano)).sort(), data.events.map((e) => BigInt(Date.parse(e.timestamp) + shiftMs) * 1_000_000n).sort());
  assert.equal(stats.spansSent, data.spans.length);
});

test('timeShift now: every span’s startTimeUnixNano moved by the returned shift (milliseconds kept)', async (t) => {
  const data = await dataset(t);
  const receiver = await startReceiver(t);
  const { shiftMs } = await replayDataset(data.dir, createOtlpHttpSink({ url: receiver.url }), { timeShift: 'now', now: () => NOW });
  assert.ok(shiftMs > 0);
  const json = new Map(data.spans.map((s) => [s.span_id, s]));
  const spans = spansOf(receiver.received);
  assert.equal(spans.length, data.spans.length);
  for (const { span } of spans) {
    const src = json.get(hex(span.spanId)) as SpanRecord;
    assert.equal(BigInt(span.startTimeUnixNano), BigInt(Date.parse(src.timestamp) + shiftMs) * 1_000_000n, `${src.span_id} at ${src.timestamp}`);
  }
});

test('a 503 with Retry-After is retried and counted; a 400 rejects the replay with a DeliveryError', async (t) => {
  const data = await dataset(t);
  const busy = await startReceiver(t, (n) => (n === 0 ? { status: 503, headers: { 'retry-after': '0' }, body: 'busy' } : null));
  const { stats } = await replayDataset(data.dir, createOtlpHttpSink({ url: busy.url, backoffMs: 1 }));
  assert.equal(busy.hits(), busy.received.length + 1, 'the refused request once more');
  assert.equal(stats.retries, 1);
  assert.equal(stats.requestsRefused, 0);
  const counts = assertReceivedDataset(data, busy.received);
  assert.equal(stats.spansSent + stats.logsSent + stats.samplesSent, counts.spans + counts.logRecords + counts.dataPoints, 'the retried request counted once');

  // Only the first traces request is refused: the other endpoints' requests in flight are accepted.
  let refused = false;
  const bad = await startReceiver(t, (_n, path) => {
    if (path !== '/v1/traces' || refused) return null;
    refused = true;
    return { status: 400, body: 'bad spans' };
  });
  const sink = createOtlpHttpSink({ url: bad.url, backoffMs: 1 });
  await assert.rejects(replayDataset(data.dir, sink), (e: unknown) => e instanceof DeliveryError && e.status === 400);
  assert.equal(sink.stats().requestsRefused, 1);
  assert.equal(sink.stats().lastError, '400 bad spans');
  assert.equal(sink.stats().spansSent, 0, 'nothing more sent to the endpoint that refused');
});
