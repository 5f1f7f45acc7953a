import { dayEvents, round2 } from './events.ts';
import { INCIDENT_TYPES, type IncidentType } from './incident-types.ts';
import type { DayRecords, LabelRecord, LogRecord, MetricRecord, SpanRecord } from './records.ts';
import { chance, fork, hex, int, normal, pick, uniform, type Rng } from './rng.ts';
import { dayDate, incidentsByHost, type Simulation } from './simulation.ts';
import { allocDayState, CALL_PROBABILITY, computeInterval, type DayState } from './state.ts';
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
function labelRecords(sim: Simulation, state: DayState, dayStart: number): LabelRecord[] {
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
        metrics: {
          'system.cpu.util': round2(state.cpu[i] as number),
          'system.mem.util': round2(state.mem[i] as number),
          'net.latency.ms': round2(state.latency[i] as number),
          'app.error_rate': round2(100 * (state.fail[i] as number) * (state.errorNoise[i] as number)),
          'app.request_count': Math.round(state.requests[i] as number),
          'net.packet_loss.pct': round2(state.packetLoss[i] as number),
          'db.connection_pool.util': round2(state.dbPool[i] as number),
          'resource.pool.util': round2(state.resourcePool[i] as number),
        },
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

/** Builds request traces: trees of spans that follow the call graph, drawn from the hosts' state. */
class TraceBuilder {
  readonly spans: SpanRecord[] = [];
  readonly logs: LogRecord[] = [];
  private row = 0;

  constructor(
    private readonly rng: Rng,
    private readonly topology: Topology,
    private readonly state: DayState,
    private readonly iso: { millis(ms: number): string },
    private readonly annotate: boolean,
  ) {}

  trace(row: number, entry: ServiceNode, host: Host, startMs: number): void {
    this.row = row;
    this.span(hex(this.rng, 32), entry, host, null, startMs * 1000, null);
  }

  /** Appends a span and its subtree (pre-order: the parent before its children) and its log line. */
  private span(traceId: string, service: ServiceNode, host: Host, parentId: string | null, startUs: number, caller: string | null): SpanResult {
    const { rng, state } = this;
    const i = this.row * state.hostCount + host.index;
    const spanId = hex(rng, 16);
    const slot = this.spans.length;
    this.spans.push(null as unknown as SpanRecord); // filled once the children are known
    const operation = pick(rng, OPERATIONS[service.name] ?? GENERIC_OPERATIONS);
    const self = Math.max(200, Math.round(service.selfTimeMs * 1000 * (state.slowdown[i] as number) * (state.loadFactor[i] as number) * Math.exp(0.25 * normal(rng))));
    const pre = Math.round(self * 0.3);
    let cursor = startUs + pre;
    let failedCallee: string | null = null;
    let failedStatus = 0;
    for (const calleeName of service.calls) {
      if (!chance(rng, CALL_PROBABILITY)) continue;
      const callee = this.topology.serviceByName.get(calleeName) as ServiceNode;
      const first = pick(rng, callee.hosts);
      // Children start on a whole millisecond so their ISO timestamps are exact.
      let r = this.span(traceId, callee, first, spanId, Math.ceil((cursor + int(rng, 200, 900)) / 1000) * 1000, service.name);
      cursor = r.endUs;
      if (r.status >= 500) {
        // One retry, on another host when there is one: a single bad host is absorbed.
        const others = callee.hosts.length > 1 ? callee.hosts.filter((h) => h !== first) : callee.hosts;
        r = this.span(traceId, callee, pick(rng, others), spanId, Math.ceil((cursor + int(rng, 200, 900)) / 1000) * 1000, service.name);
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
    let message: string;
    let level: LogRecord['level'] = 'INFO';
    let errorType: string | undefined;
    if (ownFailure) {
      status = state.down[i] === 1 ? 503 : cause ? STATUS_BY_CAUSE[cause] : 500;
      if (cause && TIMEOUT_CAUSES.has(cause)) durationUs += Math.round(uniform(rng, 1, 3) * 1e6);
      message = state.down[i] === 1 ? `ServiceUnavailableException: ${host.id} is restarting or unreachable` : cause ? ERROR_MESSAGES[cause] : 'InternalServerError: unhandled exception in request handler';
      errorType = message.slice(0, message.indexOf(':'));
      level = 'ERROR';
    } else if (failedCallee !== null) {
      status = 502;
      message = `UpstreamServiceException: ${failedCallee} returned ${failedStatus}`;
      errorType = 'UpstreamServiceException';
      level = 'ERROR';
    } else if (self > 4 * service.selfTimeMs * 1000) {
      message = `Slow request: ${operation} took ${Math.round(durationUs / 1000)} ms`;
      level = 'WARNING';
    } else {
      message = `Processed request ${traceId}`;
    }
    const attributes: SpanRecord['attributes'] = {
      'http.method': operation.slice(0, operation.indexOf(' ')),
      'host.name': host.id,
      'cloud.region': host.region,
    };
    if (caller) attributes['peer.service'] = caller;
    if (errorType) attributes['error.type'] = errorType;
    const startMs = Math.floor(startUs / 1000);
    this.spans[slot] = annotate<SpanRecord>({
      trace_id: traceId,
      span_id: spanId,
      parent_span_id: parentId,
      timestamp: this.iso.millis(startMs),
      service_name: service.name,
      operation,
      duration_ms: durationUs / 1000,
      status_code: status,
      attributes,
    }, state, i, this.annotate);
    this.logs.push(annotate<LogRecord>({
      timestamp: this.iso.millis(Math.floor((startUs + durationUs) / 1000)),
      level,
      service: service.name,
      host: host.id,
      trace_id: traceId,
      span_id: spanId,
      message,
    }, state, i, this.annotate));
    return { endUs: startUs + durationUs, status };
  }
}

function traceRecords(rng: Rng, sim: Simulation, state: DayState, dayStart: number): { traces: SpanRecord[]; logs: LogRecord[] } {
  const g = sim.config.granularityMinutes * MINUTE_MS;
  const builder = new TraceBuilder(rng, sim.topology, state, dayFormatter(dayStart), sim.config.annotateRecords);
  // Roots start early enough in their interval that a whole trace ends before the next day.
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
    for (const r of roots) builder.trace(row, r.entry, r.host, r.ms);
  }
  const logs = builder.logs;
  logs.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
  return { traces: builder.spans, logs };
}

/**
 * Renders one day. A pure function of (simulation, day index) and the day's stream, so any day can
 * be generated alone, in any order or in parallel, with identical bytes.
 * @param rng the day's stream: `dayRng(sim, dayIndex)`.
 */
export function generateDay(rng: Rng, sim: Simulation, dayIndex: number): DayRecords {
  // Forked up front and always in this order, so what one signal draws never shifts another.
  const noiseRng = fork(rng, 'state');
  const traceRng = fork(rng, 'traces');
  const eventRng = fork(rng, 'events');
  const dayStart = sim.startMs + dayIndex * DAY_MS;
  const intervals = 1440 / sim.config.granularityMinutes;
  const state = allocDayState(intervals, sim.topology.hosts.length);
  const byHost = incidentsByHost(sim, dayIndex);
  for (let row = 0; row < intervals; row++) {
    computeInterval(noiseRng, sim.topology, byHost, sim.config.granularityMinutes, dayStart + row * sim.config.granularityMinutes * MINUTE_MS, state, row);
  }
  const wants = new Set(sim.config.signals);
  const { traces, logs } = wants.has('traces') || wants.has('logs') ? traceRecords(traceRng, sim, state, dayStart) : { traces: [], logs: [] };
  return {
    date: dayDate(sim, dayIndex),
    metrics: wants.has('metrics') ? metricRecords(sim, state, dayStart) : [],
    events: wants.has('events') ? dayEvents(eventRng, sim, dayIndex, state) : [],
    logs: wants.has('logs') ? logs : [],
    traces: wants.has('traces') ? traces : [],
    labels: labelRecords(sim, state, dayStart),
  };
}
