import type { Signal } from '../core/config.ts';
import { buildTraces, labelRecords, simulateDay, type LogMessage, type SpanData } from '../core/day.ts';
import { dayEvents, recordedMetric } from '../core/events.ts';
import { METRIC_KEYS } from '../core/incident-types.ts';
import type { Rng } from '../core/rng.ts';
import type { Simulation } from '../core/simulation.ts';
import type { DayState, HostLabel } from '../core/state.ts';
import { DAY_MS, isoMillis, isoSeconds, MINUTE_MS } from '../core/time.ts';
import type { Host, Topology } from '../core/topology.ts';
import { ascii, ByteWriter, utf8Bytes } from './byte-writer.ts';
import { serializeRecords } from './records-json.ts';

// A day's files written as bytes straight from the simulation: no record objects and no strings
// for the three large signals (ids are written from their words, times from their milliseconds,
// numbers from integers). The text is exactly what the records of generateDay serialize to with
// JSON.stringify: a test renders both ways and compares the bytes, and the golden files pin them.

const K = {
  timestamp: ascii('{"timestamp":"'),
  incidentId: ascii(',"incident_id":"'),
  incidentType: ascii('","incident_type":"'),
  spanTrace: ascii('{"trace_id":"'),
  spanId: ascii('","span_id":"'),
  parentNull: ascii('","parent_span_id":null,"timestamp":"'),
  parent: ascii('","parent_span_id":"'),
  spanTs: ascii('","timestamp":"'),
  duration: ascii(',"duration_ms":'),
  status: ascii(',"status_code":'),
  method: ascii(',"attributes":{"http.method":"'),
  errorType: ascii(',"error.type":'),
  message: ascii('","message":'),
  processed: ascii('"Processed request '),
  slow: ascii('"Slow request: '),
  took: ascii(' took '),
  ms: ascii(' ms"'),
  upstream: ascii('"UpstreamServiceException: '),
  returned: ascii(' returned '),
  separator: ascii(',\n'),
  open: ascii('[\n'),
  end: ascii('\n]\n'),
  empty: ascii('[]\n'),
};
/** The metrics of a record in file order after the first (whose key ends the host's part), each with the text before its value. */
const METRIC_COLUMNS = METRIC_KEYS.slice(1).map((key) => ({ key, prefix: ascii(`,"${key}":`) }));
const FIRST_METRIC = METRIC_KEYS[0] as (typeof METRIC_KEYS)[number];

const LEVELS: Record<string, Uint8Array> = { INFO: ascii('","level":"INFO'), WARNING: ascii('","level":"WARNING'), ERROR: ascii('","level":"ERROR') };
/** Texts that recur (operations, error types): their JSON string, quotes included, encoded once. */
const jsonTexts = new Map<string, Uint8Array>();
function jsonText(w: ByteWriter, text: string): void {
  let b = jsonTexts.get(text);
  if (!b) {
    const t = new ByteWriter(text.length * 6 + 2);
    t.str(text);
    jsonTexts.set(text, (b = t.bytes().slice()));
  }
  w.reserve(b.length);
  w.piece(b);
}
const methods = new Map<string, Uint8Array>();
function methodBytes(method: string): Uint8Array {
  let b = methods.get(method);
  if (!b) methods.set(method, (b = ascii(method)));
  return b;
}

/** Room for one record's fixed parts and numbers; names and free text are reserved for apart. */
const ROOM = 640;

/**
 * The parts of records that depend only on a host or a service, encoded once per topology: most
 * of a line is then a few long copies rather than many short ones.
 */
interface Names {
  /** `","host_id":"h","service":"s","region":"r","metrics":{"system.cpu.util":` */
  readonly metricHost: Uint8Array[];
  /** `","host.name":"h","cloud.region":"r"` */
  readonly spanHost: Uint8Array[];
  /** `","service":"s","host":"h","trace_id":"` */
  readonly logHost: Uint8Array[];
  /** `","service_name":"s","operation":` by service */
  readonly spanService: Map<string, Uint8Array>;
  /** `,"peer.service":"s"` by service */
  readonly peer: Map<string, Uint8Array>;
  readonly serviceByName: Map<string, Uint8Array>;
  readonly longest: number;
}

const namesCache = new WeakMap<Topology, Names>();

function names(topology: Topology): Names {
  let n = namesCache.get(topology);
  if (!n) {
    const metricHost = topology.hosts.map((h) => ascii(`","host_id":"${h.id}","service":"${h.service}","region":"${h.region}","metrics":{"${METRIC_KEYS[0] as string}":`));
    n = {
      metricHost,
      spanHost: topology.hosts.map((h) => ascii(`","host.name":"${h.id}","cloud.region":"${h.region}"`)),
      logHost: topology.hosts.map((h) => ascii(`","service":"${h.service}","host":"${h.id}","trace_id":"`)),
      spanService: new Map(topology.services.map((s) => [s.name, ascii(`","service_name":"${s.name}","operation":`)])),
      peer: new Map(topology.services.map((s) => [s.name, ascii(`,"peer.service":"${s.name}"`)])),
      serviceByName: new Map(topology.services.map((s) => [s.name, ascii(s.name)])),
      longest: Math.max(...metricHost.map((b) => b.length)) + 64,
    };
    namesCache.set(topology, n);
  }
  return n;
}

/** Writes ISO timestamps of one UTC day from milliseconds; outside the day, or off a whole millisecond, as Date does. */
class DayClock {
  private readonly prefix: Uint8Array;
  constructor(private readonly dayStart: number) {
    this.prefix = ascii(new Date(dayStart).toISOString().slice(0, 11));
  }

  write(w: ByteWriter, ms: number, withMillis: boolean): void {
    if (ms < this.dayStart || ms >= this.dayStart + DAY_MS || !Number.isInteger(ms)) {
      const s = withMillis ? isoMillis(ms) : isoSeconds(ms);
      w.reserve(s.length);
      w.piece(ascii(s));
      return;
    }
    const t = ms - this.dayStart;
    w.piece(this.prefix);
    w.range(clockTable(), Math.floor(t / 1000) * 8, 8);
    if (withMillis) w.range(MILLIS, (t % 1000) * 4, 4);
    w.byte(0x5a);
  }
}

/** `HH:MM:SS` of every second of a day (691 kB, made on first use). */
let times: Uint8Array | null = null;
function clockTable(): Uint8Array {
  if (!times) {
    const t = new Uint8Array(86_400 * 8);
    for (let s = 0, p = 0; s < 86_400; s++) {
      for (const n of [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60]) {
        t[p++] = 48 + Math.floor(n / 10);
        t[p++] = 48 + (n % 10);
        t[p++] = 0x3a;
      }
      p--; // no colon after the seconds
    }
    times = t;
  }
  return times;
}
/** `.mmm` of every millisecond. */
const MILLIS = ascii(Array.from({ length: 1000 }, (_, m) => `.${String(m).padStart(3, '0')}`).join(''));

function labelTail(w: ByteWriter, label: HostLabel | undefined): void {
  if (!label) return;
  w.reserve(128);
  w.piece(K.incidentId);
  w.piece(ascii(label.incident.id));
  w.piece(K.incidentType);
  w.piece(ascii(label.incident.type));
  w.byte(0x22);
}

function metricsBytes(sim: Simulation, state: DayState, clock: DayClock, dayStart: number, reuse: boolean): Uint8Array {
  const n = names(sim.topology);
  const g = sim.config.granularityMinutes * MINUTE_MS;
  const annotate = sim.config.annotateRecords;
  const hosts: readonly Host[] = sim.topology.hosts;
  const w = output(reuse, 2, state.intervals * hosts.length * 360 + 16);
  w.piece(K.open);
  for (let row = 0; row < state.intervals; row++) {
    for (const h of hosts) {
      const i = row * state.hostCount + h.index;
      w.reserve(ROOM + 2 * n.longest);
      if (row > 0 || h !== hosts[0]) w.piece(K.separator);
      w.piece(K.timestamp);
      clock.write(w, dayStart + row * g, false);
      w.piece(n.metricHost[h.index] as Uint8Array);
      w.num2(recordedMetric(state, i, FIRST_METRIC));
      for (const c of METRIC_COLUMNS) {
        w.piece(c.prefix);
        w.num2(recordedMetric(state, i, c.key));
      }
      w.byte(0x7d);
      labelTail(w, annotate ? (state.labels[i]?.[0] ?? undefined) : undefined);
      w.byte(0x7d);
    }
  }
  w.reserve(4);
  w.piece(K.end);
  return w.bytes();
}

function writeTraceId(w: ByteWriter, d: SpanData): void {
  w.hex8(d.t0);
  w.hex8(d.t1);
  w.hex8(d.t2);
  w.hex8(d.t3);
}

function writeMessage(w: ByteWriter, m: LogMessage, d: SpanData, n: Names): void {
  switch (m.kind) {
    case 'processed':
      w.piece(K.processed);
      writeTraceId(w, d);
      w.byte(0x22);
      return;
    case 'slow':
      // Operations come from a fixed list of plain text; checked anyway, as the records' writer does.
      if (/["\\\u0000-\u001f\u007f-\uffff]/.test(m.operation)) return w.str(`Slow request: ${m.operation} took ${m.ms} ms`);
      w.reserve(m.operation.length + 64);
      w.piece(K.slow);
      w.piece(ascii(m.operation));
      w.piece(K.took);
      w.int(m.ms);
      w.piece(K.ms);
      return;
    case 'upstream':
      w.piece(K.upstream);
      w.piece(n.serviceByName.get(m.callee) ?? ascii(m.callee));
      w.piece(K.returned);
      w.int(m.status);
      w.byte(0x22);
      return;
    case 'text':
      w.str(m.text);
      return;
  }
}

// A thread renders one day at a time: its scratch buffers are kept from day to day. Slots 0 and 1
// take spans and log lines as they are made; 2, 3 and 4 the metrics, traces and logs handed out
// when the caller lets them be reused (`reuse`): a new buffer of a few MB each day costs its
// zeroing and page faults, about a fifth of a day's time (measured: 14.0 -> 11.1 ms a day).
const scratches: ByteWriter[] = [];
function scratch(k: number, capacity: number): ByteWriter {
  const w = (scratches[k] ??= new ByteWriter(capacity));
  w.pos = 0;
  return w;
}
/** The writer of an output: a reused scratch slot, or a new buffer the caller may keep. */
function output(reuse: boolean, k: number, capacity: number): ByteWriter {
  return reuse ? scratch(k, capacity) : new ByteWriter(capacity);
}

/** Spans in file order and log lines in time order, written as the trace builder makes them. */
function traceBytes(sim: Simulation, day: ReturnType<typeof simulateDay>, clock: DayClock, wantTraces: boolean, wantLogs: boolean, reuse: boolean): { traces: Uint8Array; logs: Uint8Array } {
  const n = names(sim.topology);
  const expected = (1440 / sim.config.granularityMinutes) * sim.topology.entryServices.reduce((a, s) => a + s.hosts.length, 0) * sim.config.tracesPerEntryHost * 6;
  // Spans arrive children first and logs in the order spans end: each is written to a scratch
  // buffer with its place noted, then copied out in file order.
  const spanScratch = scratch(0, expected * 400);
  const logScratch = scratch(1, expected * 260);
  const spanAt: number[] = [];
  const logs: { ms: number; from: number; to: number }[] = [];
  const count = buildTraces(day.traceRng, sim, day.state, day.dayStart, {
    span(d) {
      if (wantTraces) {
        const w = spanScratch;
        const from = w.pos;
        w.reserve(ROOM + 3 * n.longest);
        w.piece(K.spanTrace);
        writeTraceId(w, d);
        w.piece(K.spanId);
        w.hex8(d.s0);
        w.hex8(d.s1);
        if (d.hasParent) {
          w.piece(K.parent);
          w.hex8(d.p0);
          w.hex8(d.p1);
          w.piece(K.spanTs);
        } else w.piece(K.parentNull);
        clock.write(w, d.startMs, true);
        w.piece(n.spanService.get(d.service) as Uint8Array);
        jsonText(w, d.operation);
        w.reserve(ROOM + 3 * n.longest);
        w.piece(K.duration);
        w.micros(d.durationUs);
        w.piece(K.status);
        w.int(d.status);
        w.piece(K.method);
        w.piece(methodBytes(d.method));
        w.piece(n.spanHost[d.host.index] as Uint8Array);
        if (d.caller !== null) w.piece(n.peer.get(d.caller) as Uint8Array);
        if (d.errorType !== undefined) {
          w.piece(K.errorType);
          jsonText(w, d.errorType);
        }
        w.reserve(4);
        w.byte(0x7d);
        labelTail(w, d.label);
        w.reserve(4);
        w.byte(0x7d);
        spanAt[2 * d.slot] = from;
        spanAt[2 * d.slot + 1] = w.pos;
      }
      if (wantLogs && !sim.topology.loglessServices.has(d.service)) {
        const w = logScratch;
        const from = w.pos;
        w.reserve(ROOM + 3 * n.longest);
        w.piece(K.timestamp);
        clock.write(w, d.endMs, true);
        w.piece(LEVELS[d.level] as Uint8Array);
        w.piece(n.logHost[d.host.index] as Uint8Array);
        writeTraceId(w, d);
        w.piece(K.spanId);
        w.hex8(d.s0);
        w.hex8(d.s1);
        w.piece(K.message);
        writeMessage(w, d.message, d, n);
        labelTail(w, d.label);
        w.reserve(4);
        w.byte(0x7d);
        logs.push({ ms: d.endMs, from, to: w.pos });
      }
    },
  });
  const gather = (from: ByteWriter, into: number, ranges: readonly { from: number; to: number }[]): Uint8Array => {
    if (ranges.length === 0) return K.empty;
    const src = from.bytes();
    const out = output(reuse, into, src.length + 2 * ranges.length + 8);
    out.piece(K.open);
    ranges.forEach((r, k) => {
      if (k > 0) out.piece(K.separator);
      out.copy(src.subarray(r.from, r.to));
    });
    out.reserve(4);
    out.piece(K.end);
    return out.bytes();
  };
  const spanRanges = wantTraces ? Array.from({ length: count }, (_, k) => ({ from: spanAt[2 * k] as number, to: spanAt[2 * k + 1] as number })) : [];
  // By time; lines of the same millisecond keep the order their spans were made in (a stable sort).
  logs.sort((a, b) => a.ms - b.ms);
  return { traces: gather(spanScratch, 3, spanRanges), logs: gather(logScratch, 4, logs) };
}

/**
 * Renders one day's files: what `dayFiles(sim, generateDay(rng, sim, dayIndex))` gives, byte for
 * byte, several times faster. Keyed by signal ('labels' for the label file).
 * @param rng the day's stream: `dayRng(sim, dayIndex)`.
 * @param reuse the bytes may live in this thread's buffers, valid only until its next call: for a
 *   caller that writes them out before rendering another day (the generation threads).
 */
export function renderDayBytes(rng: Rng, sim: Simulation, dayIndex: number, reuse = false): Map<Signal | 'labels', Uint8Array> {
  const day = simulateDay(rng, sim, dayIndex);
  const clock = new DayClock(day.dayStart);
  const wants = new Set(sim.config.signals);
  const out = new Map<Signal | 'labels', Uint8Array>();
  const { traces, logs } = wants.has('traces') || wants.has('logs') ? traceBytes(sim, day, clock, wants.has('traces'), wants.has('logs'), reuse) : { traces: K.empty, logs: K.empty };
  for (const signal of sim.config.signals) {
    if (signal === 'metrics') out.set(signal, metricsBytes(sim, day.state, clock, day.dayStart, reuse));
    if (signal === 'events') out.set(signal, utf8Bytes(serializeRecords(dayEvents(day.eventRng, sim, dayIndex, day.state))));
    if (signal === 'logs') out.set(signal, logs);
    if (signal === 'traces') out.set(signal, traces);
  }
  out.set('labels', utf8Bytes(serializeRecords(labelRecords(sim, day.state, day.dayStart))));
  return out;
}
