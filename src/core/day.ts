import { dayEvents, recordedMetric } from './events.ts';
import { INCIDENT_TYPES, METRIC_KEYS, type IncidentType } from './incident-types.ts';
import type { DayRecords, LabelRecord, LogRecord, MetricRecord, SpanRecord } from './records.ts';
import { chance, fork, hexWord, int, normal, pick, uniform, type Rng } from './rng.ts';
import { dayDate, incidentsByHost, type Simulation } from './simulation.ts';
import { allocDayState, computeInterval, type DayState, type HostLabel } from './state.ts';
import { DAY_MS, MINUTE_MS, dayFormatter } from './time.ts';
import type { Host, ServiceNode, Topology } from './topology.ts';

/** Operations of the default services; any other service gets a generic one. */
const OPERATIONS: Record<string, readonly string[]> = {
  'web-frontend': ['GET /api/v1/resource', 'GET /api/v1/products', 'POST /api/v1/checkout'],
  'auth-service': ['POST /auth/validate', 'GET /auth/session'],
  'payment-gateway': ['POST /payments/charge', 'GET /payments/status'],
  'inventory-db': ['GET /inventory/items', 'PUT /inventory/reserve'],
  'recommendation-engine': ['GET /recommendations'],
};
const GENERIC_OPERATIONS = ['GET /api/v1/resource'];

/** What a failing host says in its logs, by the incident type behind its errors. */
const ERROR_MESSAGES: Record<IncidentType, string> = {
  MEMORY_LEAK: 'OutOfMemoryError: Java heap space',
  CPU_SATURATION: 'RequestTimeoutException: worker pool saturated, request queued too long',
  NETWORK_PACKET_LOSS: 'SocketTimeoutException: connection reset by peer',
  DB_CONTENTION: 'ConnectionPoolTimeoutException: Unable to acquire connection from pool',
  NETWORK_PARTITION: 'ConnectException: No route to host',
  DEPENDENCY_DEGRADATION: 'UpstreamTimeoutException: request exceeded its deadline',
  CONFIG_MISMATCH: 'ConfigurationException: unexpected value for key in loaded configuration',
  RESOURCE_EXHAUSTION: 'ResourceExhaustedException: thread pool queue is full',
  CASCADING_FAILURE: 'InternalServerError: unhandled exception in request handler',
};
const STATUS_BY_CAUSE: Record<IncidentType, number> = {
  MEMORY_LEAK: 500,
  CPU_SATURATION: 503,
  NETWORK_PACKET_LOSS: 504,
  DB_CONTENTION: 500,
  NETWORK_PARTITION: 504,
  DEPENDENCY_DEGRADATION: 504,
  CONFIG_MISMATCH: 500,
  RESOURCE_EXHAUSTION: 503,
  CASCADING_FAILURE: 500,
};
const TIMEOUT_CAUSES = new Set<IncidentType>(['NETWORK_PACKET_LOSS', 'NETWORK_PARTITION', 'DEPENDENCY_DEGRADATION', 'DB_CONTENTION']);

/** The label rows of a day: each host-interval with an active incident, in time then host order. */
export function labelRecords(sim: Simulation, state: DayState, dayStart: number): LabelRecord[] {
  const g = sim.config.granularityMinutes * MINUTE_MS;
  const iso = dayFormatter(dayStart);
  const out: LabelRecord[] = [];
  for (let row = 0; row < state.intervals; row++) {
    for (const h of sim.topology.hosts) {
      const labels = state.labels[row * state.hostCount + h.index];
      if (!labels) continue;
      out.push({
        timestamp: iso.seconds(dayStart + row * g),
        host_id: h.id,
        service: h.service,
        incidents: labels.map((l) => ({ incident_id: l.incident.id, incident_type: l.incident.type, primary_incident_id: l.incident.primaryId, role: l.role })),
      });
    }
  }
  return out;
}

/** With `annotateRecords`, the row's first active incident, else nothing. */
function annotate<T extends { incident_id?: string; incident_type?: string }>(record: T, state: DayState, i: number, on: boolean): T {
  const first = on ? state.labels[i]?.[0] : undefined;
  if (first) {
    record.incident_id = first.incident.id;
    record.incident_type = first.incident.type;
  }
  return record;
}

function metricRecords(sim: Simulation, state: DayState, dayStart: number): MetricRecord[] {
  const g = sim.config.granularityMinutes * MINUTE_MS;
  const iso = dayFormatter(dayStart);
  const on = sim.config.annotateRecords;
  const out: MetricRecord[] = [];
  for (let row = 0; row < state.intervals; row++) {
    const timestamp = iso.seconds(dayStart + row * g);
    for (const h of sim.topology.hosts) {
      const i = row * state.hostCount + h.index;
      const record: MetricRecord = {
        timestamp,
        host_id: h.id,
        service: h.service,
        region: h.region,
        metrics: Object.fromEntries(METRIC_KEYS.map((key) => [key, recordedMetric(state, i, key)])) as MetricRecord['metrics'],
      };
      out.push(annotate(record, state, i, on));
    }
  }
  return out;
}

interface SpanResult {
  endUs: number;
  status: number;
}

/** What a log line says, as parts, so a sink can write it without building the string first. */
export type LogMessage =
  | { readonly kind: 'processed' }
  | { readonly kind: 'slow'; readonly operation: string; readonly ms: number }
  | { readonly kind: 'upstream'; readonly callee: string; readonly status: number }
  | { readonly kind: 'text'; readonly text: string };

/**
 * One span and its log line as the trace builder makes them. The object is reused from span to
 * span: a sink copies what it keeps. Ids are 32-bit words (trace: 4, span: 2), as drawn.
 */
export interface SpanData {
  /** Position of the span in the day's trace file: parents come before their children. */
  slot: number;
  t0: number;
  t1: number;
  t2: number;
  t3: number;
  s0: number;
  s1: number;
  /** -1 for a root. */
  p0: number;
  p1: number;
  hasParent: boolean;
  /** Whole milliseconds. */
  startMs: number;
  /** The log line's time: when the span ends, in whole milliseconds. */
  endMs: number;
  durationUs: number;
  status: number;
  service: string;
  host: Host;
  operation: string;
  method: string;
  caller: string | null;
  errorType: string | undefined;
  level: LogRecord['level'];
  message: LogMessage;
  /** With annotateRecords: the host-interval's first incident. */
  label: HostLabel | undefined;
}

/** Where the trace builder puts spans; `span` is called once per span, children before parents. */
export interface TraceSink {
  span(data: SpanData): void;
}

/** The text of a log message. */
export function messageText(m: LogMessage, traceId: string): string {
  switch (m.kind) {
    case 'processed':
      return `Processed request ${traceId}`;
    case 'slow':
      return `Slow request: ${m.operation} took ${m.ms} ms`;
    case 'upstream':
      return `UpstreamServiceException: ${m.callee} returned ${m.status}`;
    case 'text':
      return m.text;
  }
}

/** Builds request traces: trees of spans that follow the call graph, drawn from the hosts' state. */
class TraceBuilder {
  private row = 0;
  private slots = 0;
  private t0 = 0;
  private t1 = 0;
  private t2 = 0;
  private t3 = 0;
  private readonly data: SpanData;

  constructor(
    private readonly rng: Rng,
    private readonly topology: Topology,
    private readonly state: DayState,
    private readonly annotate: boolean,
    private readonly sink: TraceSink,
  ) {
    this.data = {
      slot: 0, t0: 0, t1: 0, t2: 0, t3: 0, s0: 0, s1: 0, p0: -1, p1: -1, hasParent: false, startMs: 0, endMs: 0, durationUs: 0, status: 0,
      service: '', host: topology.hosts[0] as Host, operation: '', method: '', caller: null, errorType: undefined, level: 'INFO', message: { kind: 'processed' }, label: undefined,
    };
  }

  /** How many spans were made. */
  get count(): number {
    return this.slots;
  }

  trace(row: number, entry: ServiceNode, host: Host, startMs: number): void {
    this.row = row;
    const { rng } = this;
    this.t0 = rng.uint32();
    this.t1 = rng.uint32();
    this.t2 = rng.uint32();
    this.t3 = rng.uint32();
    this.span(entry, host, -1, -1, startMs * 1000, null);
  }

  /** Makes a span and its subtree; its slot is taken first, so parents precede children in the file. */
  private span(service: ServiceNode, host: Host, p0: number, p1: number, startUs: number, caller: string | null): SpanResult {
    const { rng, state } = this;
    const i = this.row * state.hostCount + host.index;
    const s0 = rng.uint32();
    const s1 = rng.uint32();
    const slot = this.slots++;
    const operation = pick(rng, OPERATIONS[service.name] ?? GENERIC_OPERATIONS);
    const self = Math.max(200, Math.round(service.selfTimeMs * 1000 * (state.slowdown[i] as number) * (state.loadFactor[i] as number) * Math.exp(0.25 * normal(rng))));
    const pre = Math.round(self * 0.3);
    let cursor = startUs + pre;
    let failedCallee: string | null = null;
    let failedStatus = 0;
    for (const calleeName of service.calls) {
      if (!chance(rng, service.callProbability)) continue;
      const callee = this.topology.serviceByName.get(calleeName) as ServiceNode;
      const first = pick(rng, callee.hosts);
      // Children start on a whole millisecond so their ISO timestamps are exact.
      let r = this.span(callee, first, s0, s1, Math.ceil((cursor + int(rng, 200, 900)) / 1000) * 1000, service.name);
      cursor = r.endUs;
      if (r.status >= 500) {
        // One retry, on another host when there is one: a single bad host is absorbed.
        const others = callee.hosts.length > 1 ? callee.hosts.filter((h) => h !== first) : callee.hosts;
        r = this.span(callee, pick(rng, others), s0, s1, Math.ceil((cursor + int(rng, 200, 900)) / 1000) * 1000, service.name);
        cursor = r.endUs;
        if (r.status >= 500 && failedCallee === null) {
          failedCallee = calleeName;
          failedStatus = r.status;
        }
      }
    }
    const ownFailure = chance(rng, state.ownFail[i] as number);
    const causeIndex = state.cause[i] as number;
    const cause = causeIndex >= 0 ? (INCIDENT_TYPES[causeIndex] as IncidentType) : null;
    let durationUs = cursor - startUs + (self - pre);
    let status = 200;
    let message: LogMessage;
    let level: LogRecord['level'] = 'INFO';
    let errorType: string | undefined;
    if (ownFailure) {
      status = state.down[i] === 1 ? 503 : cause ? STATUS_BY_CAUSE[cause] : 500;
      if (cause && TIMEOUT_CAUSES.has(cause)) durationUs += Math.round(uniform(rng, 1, 3) * 1e6);
      const text = state.down[i] === 1 ? `ServiceUnavailableException: ${host.id} is restarting or unreachable` : cause ? ERROR_MESSAGES[cause] : 'InternalServerError: unhandled exception in request handler';
      message = { kind: 'text', text };
      errorType = text.slice(0, text.indexOf(':'));
      level = 'ERROR';
    } else if (failedCallee !== null) {
      status = 502;
      message = { kind: 'upstream', callee: failedCallee, status: failedStatus };
      errorType = 'UpstreamServiceException';
      level = 'ERROR';
    } else if (self > 4 * service.selfTimeMs * 1000) {
      message = { kind: 'slow', operation, ms: Math.round(durationUs / 1000) };
      level = 'WARNING';
    } else {
      message = PROCESSED;
    }
    const d = this.data;
    d.slot = slot;
    d.t0 = this.t0;
    d.t1 = this.t1;
    d.t2 = this.t2;
    d.t3 = this.t3;
    d.s0 = s0;
    d.s1 = s1;
    d.hasParent = p0 >= 0;
    d.p0 = p0;
    d.p1 = p1;
    d.startMs = Math.floor(startUs / 1000);
    d.endMs = Math.floor((startUs + durationUs) / 1000);
    d.durationUs = durationUs;
    d.status = status;
    d.service = service.name;
    d.host = host;
    d.operation = operation;
    d.method = operation.slice(0, operation.indexOf(' '));
    d.caller = caller;
    d.errorType = errorType;
    d.level = level;
    d.message = message;
    d.label = this.annotate ? (state.labels[i]?.[0] ?? undefined) : undefined;
    this.sink.span(d);
    return { endUs: startUs + durationUs, status };
  }
}

const PROCESSED: LogMessage = { kind: 'processed' };

/**
 * Starts every trace of the day, in time order: `tracesPerEntryHost` per entry-service host and
 * interval. Roots start early enough in their interval that a whole trace ends before the next day.
 */
export function buildTraces(rng: Rng, sim: Simulation, state: DayState, dayStart: number, sink: TraceSink): number {
  const g = sim.config.granularityMinutes * MINUTE_MS;
  const builder = new TraceBuilder(rng, sim.topology, state, sim.config.annotateRecords, sink);
  const spread = Math.max(0, g - 2 * MINUTE_MS);
  for (let row = 0; row < state.intervals; row++) {
    const t = dayStart + row * g;
    const roots: { entry: ServiceNode; host: Host; ms: number }[] = [];
    for (const entry of sim.topology.entryServices) {
      for (const host of entry.hosts) {
        for (let k = 0; k < sim.config.tracesPerEntryHost; k++) roots.push({ entry, host, ms: t + Math.floor(rng.next() * (spread + 1000)) });
      }
    }
    roots.sort((a, b) => a.ms - b.ms);
    // Head sampling (benchmark knob traceSampling): whole traces kept or dropped; no draw when all are kept.
    const keep = sim.config.knobs.traceSampling;
    for (const r of roots) if (keep >= 1 || rng.next() < keep) builder.trace(row, r.entry, r.host, r.ms);
  }
  return builder.count;
}

/** The records sink: span and log objects, as the library and the tests read them. */
function traceRecords(rng: Rng, sim: Simulation, state: DayState, dayStart: number): { traces: SpanRecord[]; logs: LogRecord[] } {
  const iso = dayFormatter(dayStart);
  const spans: SpanRecord[] = [];
  const logs: { ms: number; record: LogRecord }[] = [];
  buildTraces(rng, sim, state, dayStart, {
    span(d) {
      const traceId = hexWord(d.t0) + hexWord(d.t1) + hexWord(d.t2) + hexWord(d.t3);
      const spanId = hexWord(d.s0) + hexWord(d.s1);
      const attributes: SpanRecord['attributes'] = { 'http.method': d.method, 'host.name': d.host.id, 'cloud.region': d.host.region };
      if (d.caller) attributes['peer.service'] = d.caller;
      if (d.errorType) attributes['error.type'] = d.errorType;
      const span: SpanRecord = {
        trace_id: traceId,
        span_id: spanId,
        parent_span_id: d.hasParent ? hexWord(d.p0) + hexWord(d.p1) : null,
        timestamp: iso.millis(d.startMs),
        service_name: d.service,
        operation: d.operation,
        duration_ms: d.durationUs / 1000,
        status_code: d.status,
        attributes,
      };
      const log: LogRecord = {
        timestamp: iso.millis(d.endMs),
        level: d.level,
        service: d.service,
        host: d.host.id,
        trace_id: traceId,
        span_id: spanId,
        message: messageText(d.message, traceId),
      };
      if (d.label) {
        span.incident_id = log.incident_id = d.label.incident.id;
        span.incident_type = log.incident_type = d.label.incident.type;
      }
      spans[d.slot] = span;
      if (!sim.topology.loglessServices.has(d.service)) logs.push({ ms: d.endMs, record: log });
    },
  });
  // By time; lines of the same millisecond keep the order their spans were made in (a stable sort).
  logs.sort((a, b) => a.ms - b.ms);
  return { traces: spans, logs: logs.map((l) => l.record) };
}

/** A day simulated: its host state and the streams its traces and events draw from. */
export interface SimulatedDay {
  readonly date: string;
  readonly dayStart: number;
  readonly state: DayState;
  readonly traceRng: Rng;
  readonly eventRng: Rng;
}

/**
 * Simulates one day's host state. A pure function of (simulation, day index) and the day's stream,
 * so any day can be made alone, in any order or in parallel, with identical results.
 * @param rng the day's stream: `dayRng(sim, dayIndex)`.
 */
export function simulateDay(rng: Rng, sim: Simulation, dayIndex: number): SimulatedDay {
  // Forked up front and always in this order, so what one signal draws never shifts another.
  const noiseRng = fork(rng, 'state');
  const traceRng = fork(rng, 'traces');
  const eventRng = fork(rng, 'events');
  const dayStart = sim.startMs + dayIndex * DAY_MS;
  const intervals = 1440 / sim.config.granularityMinutes;
  const state = allocDayState(intervals, sim.topology.hosts.length);
  const byHost = incidentsByHost(sim, dayIndex);
  const decoys = sim.plan.decoysByDay[dayIndex] ?? [];
  for (let row = 0; row < intervals; row++) {
    computeInterval(noiseRng, sim.topology, byHost, sim.config.granularityMinutes, dayStart + row * sim.config.granularityMinutes * MINUTE_MS, state, row, decoys);
  }
  return { date: dayDate(sim, dayIndex), dayStart, state, traceRng, eventRng };
}

/**
 * Renders one day as records. The files are written from the same simulation by
 * `renderDayFiles` (src/output), byte for byte what these records serialize to.
 * @param rng the day's stream: `dayRng(sim, dayIndex)`.
 */
export function generateDay(rng: Rng, sim: Simulation, dayIndex: number): DayRecords {
  const day = simulateDay(rng, sim, dayIndex);
  const { state, dayStart } = day;
  const wants = new Set(sim.config.signals);
  const { traces, logs } = wants.has('traces') || wants.has('logs') ? traceRecords(day.traceRng, sim, state, dayStart) : { traces: [], logs: [] };
  return {
    date: day.date,
    metrics: wants.has('metrics') ? metricRecords(sim, state, dayStart) : [],
    events: wants.has('events') ? dayEvents(day.eventRng, sim, dayIndex, state) : [],
    logs: wants.has('logs') ? logs : [],
    traces: wants.has('traces') ? traces : [],
    labels: labelRecords(sim, state, dayStart),
  };
}
