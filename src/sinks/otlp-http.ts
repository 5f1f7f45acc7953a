// OTLP/HTTP: spans to `/v1/traces`, log lines and events (as log records) to `/v1/logs`, metrics
// to `/v1/metrics`, as Export{Trace,Logs,Metrics}ServiceRequest messages. The bodies are the OTLP/JSON
// lines src/output/otlp.ts renders (one UTC hour each, already in the requests' shape): sent as
// they are in JSON, or encoded with protobufjs from the official opentelemetry-proto files
// (src/sinks/protos/opentelemetry-proto, Apache-2.0) in protobuf, the encoding every receiver takes.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { otlpEvents, otlpLogs, otlpMetrics, otlpTraces, type OtlpHost } from '../output/otlp.ts';
import { deliver, type DeliveryOptions } from './http-delivery.ts';
import { emptyStats, type Sink, type SinkBatch } from './sink.ts';

/** How the requests are encoded: `protobuf` (`application/x-protobuf`) or `json` (`application/json`). */
export type OtlpEncoding = 'protobuf' | 'json';

export interface OtlpHttpSinkOptions extends DeliveryOptions {
  /** The collector's base URL, e.g. `http://127.0.0.1:4318`; `/v1/traces`, `/v1/logs` and `/v1/metrics` are added. */
  readonly url: string;
  /** Default `protobuf`. */
  readonly encoding?: OtlpEncoding;
  /** Records (spans, log records, data points) a request carries at most. Default 20,000. */
  readonly maxRequestRecords?: number;
  /** About the most OTLP/JSON bytes a request carries (estimated from its records). Default 4 MB. */
  readonly maxRequestBytes?: number;
}

type JsonObject = { [key: string]: unknown };

/** How one endpoint's requests nest their records: resources → scopes → items. */
interface Shape {
  readonly path: '/v1/traces' | '/v1/logs' | '/v1/metrics';
  readonly proto: string;
  readonly message: string;
  readonly resources: 'resourceSpans' | 'resourceLogs' | 'resourceMetrics';
  readonly scopes: 'scopeSpans' | 'scopeLogs' | 'scopeMetrics';
  readonly items: 'spans' | 'logRecords' | 'metrics';
  readonly stat: 'spansSent' | 'logsSent' | 'samplesSent';
}

const TRACES: Shape = {
  path: '/v1/traces',
  proto: 'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  message: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
  resources: 'resourceSpans',
  scopes: 'scopeSpans',
  items: 'spans',
  stat: 'spansSent',
};
const LOGS: Shape = {
  path: '/v1/logs',
  proto: 'opentelemetry/proto/collector/logs/v1/logs_service.proto',
  message: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
  resources: 'resourceLogs',
  scopes: 'scopeLogs',
  items: 'logRecords',
  stat: 'logsSent',
};
const METRICS: Shape = {
  path: '/v1/metrics',
  proto: 'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
  message: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
  resources: 'resourceMetrics',
  scopes: 'scopeMetrics',
  items: 'metrics',
  stat: 'samplesSent',
};
const SHAPES = [TRACES, LOGS, METRICS] as const;

const PROTOS = fileURLToPath(new URL('./protos/opentelemetry-proto/', import.meta.url)); // copied next to the compiled module by npm run build
let requestTypes: Map<Shape, protobuf.Type> | null = null;

/** The three request message types, loaded once, on the first protobuf request. */
function requestType(shape: Shape): protobuf.Type {
  if (requestTypes === null) {
    const root = new protobuf.Root();
    // The protos import each other by their path from the top of the tree.
    root.resolvePath = (_origin, target) => join(PROTOS, target);
    root.loadSync(SHAPES.map((s) => s.proto), { keepCase: false });
    requestTypes = new Map(SHAPES.map((s) => [s, root.lookupType(s.message)]));
  }
  return requestTypes.get(shape) as protobuf.Type;
}

const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);

/**
 * JSON.parse reviver: OTLP/JSON's hex ids as bytes, since protobufjs' fromObject would read a
 * string for a bytes field as base64 (and send other ids than the files hold).
 */
function idsAsBytes(key: string, value: unknown): unknown {
  if (typeof value !== 'string' || !ID_KEYS.has(key)) return value;
  if (!/^(?:[0-9a-f]{2})*$/i.test(value)) throw new Error(`otlp-http: ${key} "${value}" is not hex`);
  return Buffer.from(value, 'hex');
}

const objects = (v: unknown): JsonObject[] => (Array.isArray(v) ? (v as JsonObject[]) : []);

const DATA_KINDS = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const;

/** The records an item counts for: one span or log record, or a metric's data points. */
function recordsOf(shape: Shape, item: JsonObject): number {
  if (shape !== METRICS) return 1;
  let n = 0;
  for (const kind of DATA_KINDS) {
    const data = item[kind];
    if (data !== null && typeof data === 'object') n += objects((data as JsonObject).dataPoints).length;
  }
  return n;
}

/** A request's content and the records it carries. */
interface Part {
  readonly message: JsonObject;
  readonly records: number;
}

/** A resource block cut into pieces of at most `budget` records (an item is never cut), each with the block's resource and scopes. */
function cutBlock(shape: Shape, block: JsonObject, budget: number): Part[] {
  const parts: Part[] = [];
  let scopes: JsonObject[] = [];
  let records = 0;
  const close = (): void => {
    if (scopes.length > 0) parts.push({ message: { ...block, [shape.scopes]: scopes }, records });
    scopes = [];
    records = 0;
  };
  for (const scope of objects(block[shape.scopes])) {
    let items: JsonObject[] = [];
    for (const item of objects(scope[shape.items])) {
      const n = recordsOf(shape, item);
      if (records + n > budget && records > 0) {
        if (items.length > 0) scopes.push({ ...scope, [shape.items]: items });
        items = [];
        close();
      }
      items.push(item);
      records += n;
    }
    if (items.length > 0) scopes.push({ ...scope, [shape.items]: items });
  }
  close();
  return parts;
}

/**
 * A line's request, or several when it is too large: whole resource blocks packed up to the
 * limits, a block larger than them alone cut by its items.
 */
function split(shape: Shape, request: JsonObject, bytes: number, maxRecords: number, maxBytes: number): { parts: Part[]; whole: boolean } {
  const blocks = objects(request[shape.resources]);
  const counts = blocks.map((b) => objects(b[shape.scopes]).reduce((n, s) => n + objects(s[shape.items]).reduce((m, item) => m + recordsOf(shape, item), 0), 0));
  const total = counts.reduce((a, b) => a + b, 0);
  if (total <= maxRecords && bytes <= maxBytes) return { parts: [{ message: request, records: total }], whole: true };
  // Bytes estimated from the line's average per record: measuring each block would mean encoding it twice.
  const budget = Math.max(1, Math.min(maxRecords, Math.floor((maxBytes * total) / bytes)));
  const parts: Part[] = [];
  let pending: JsonObject[] = [];
  let records = 0;
  const close = (): void => {
    if (pending.length > 0) parts.push({ message: { ...request, [shape.resources]: pending }, records });
    pending = [];
    records = 0;
  };
  blocks.forEach((block, i) => {
    const n = counts[i] as number;
    if (n > budget) {
      close();
      for (const p of cutBlock(shape, block, budget)) parts.push({ message: { ...request, [shape.resources]: [p.message] }, records: p.records });
      return;
    }
    if (records + n > budget) close();
    pending.push(block);
    records += n;
  });
  close();
  return { parts, whole: false };
}

/**
 * A sink into an OpenTelemetry collector (or any OTLP/HTTP receiver). Each signal's requests are
 * delivered in order, the three signals side by side; a batch is delivered while the caller
 * prepares the next.
 */
export function createOtlpHttpSink(options: OtlpHttpSinkOptions): Sink {
  const base = options.url.replace(/\/+$/, '');
  const encoding = options.encoding ?? 'protobuf';
  const contentType = encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json';
  const maxRecords = options.maxRequestRecords ?? 20_000;
  const maxBytes = options.maxRequestBytes ?? 4_000_000;
  const stats = emptyStats();
  const tails = new Map<Shape, Promise<void>>();
  let failure: { error: unknown } | null = null;
  let previousBatch: Promise<unknown> = Promise.resolve();
  // A function, not inline checks: after an await, TypeScript would still take `failure` for null.
  const rethrow = (): void => {
    if (failure !== null) throw failure.error;
  };

  /** The bodies of one JSON line, encoded one at a time as they are sent. */
  function* bodies(shape: Shape, line: string): Generator<{ body: string | Uint8Array; records: number }> {
    const request = (encoding === 'protobuf' ? JSON.parse(line, idsAsBytes) : JSON.parse(line)) as JsonObject;
    const { parts, whole } = split(shape, request, Buffer.byteLength(line), maxRecords, maxBytes);
    for (const { message, records } of parts) {
      if (encoding === 'json') yield { body: whole ? line : JSON.stringify(message), records };
      else {
        const type = requestType(shape);
        yield { body: type.encode(type.fromObject(message)).finish(), records };
      }
    }
  }

  /** Queues the lines of `text` behind the endpoint's earlier requests; settles (never rejects) when they are done. */
  function enqueue(shape: Shape, text: string): Promise<void> {
    const url = `${base}${shape.path}`;
    const run = async (): Promise<void> => {
      for (const line of text.split('\n')) {
        if (line === '') continue;
        for (const { body, records } of bodies(shape, line)) {
          // After a refusal for good nothing more is sent: the caller is told, and would stop anyway.
          if (failure !== null) return;
          await deliver(url, body, contentType, stats, options);
          stats[shape.stat] += records;
        }
      }
    };
    const tail = (tails.get(shape) ?? Promise.resolve()).then(run).catch((e: unknown) => {
      failure ??= { error: e };
    });
    tails.set(shape, tail);
    return tail;
  }

  return {
    signals: ['metrics', 'traces', 'logs', 'events'],
    async send(batch: SinkBatch) {
      rethrow();
      const hosts: ReadonlyMap<string, OtlpHost> = batch.hosts ?? new Map();
      const work: Promise<void>[] = [];
      if (batch.spans !== undefined && batch.spans.length > 0) work.push(enqueue(TRACES, otlpTraces(batch.spans, hosts)));
      // Log lines and events share the logs endpoint: one queue, so both stay in order.
      let logs = '';
      if (batch.logs !== undefined && batch.logs.length > 0) logs += otlpLogs(batch.logs, hosts);
      if (batch.events !== undefined && batch.events.length > 0) logs += otlpEvents(batch.events);
      if (logs !== '') work.push(enqueue(LOGS, logs));
      if (batch.metrics !== undefined && batch.metrics.length > 0) work.push(enqueue(METRICS, otlpMetrics(batch.metrics)));
      // Returns once the batch before is delivered: this one goes out while the caller reads the
      // next, and no more than two batches are held.
      const before = previousBatch;
      previousBatch = Promise.all(work);
      await before;
      rethrow();
    },
    async flush() {
      await Promise.all(tails.values());
      rethrow();
    },
    stats: () => ({ ...stats }),
  };
}
