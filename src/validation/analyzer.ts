import { INCIDENT_SPECS, INCIDENT_TYPES, type IncidentType, type MetricKey } from '../core/incident-types.ts';
import type { Bar, Correlation, Ratio, ValidationReport } from './report.ts';

/** The catalog fields the validator reads; anything else in it is ignored, anything missing is tolerated. */
export interface CatalogLike {
  readonly generation_config?: {
    readonly granularity_minutes?: number;
    readonly service_dependencies?: Readonly<Record<string, readonly string[]>>;
  };
  readonly incidents: readonly CatalogIncidentLike[];
  /** Harmless anomalies the benchmark knobs add (in no label). */
  readonly decoys?: readonly { readonly hosts: readonly string[]; readonly start_time: string; readonly end_time: string }[];
}

export interface CatalogIncidentLike {
  readonly id: string;
  readonly type: string;
  readonly target_service?: string | null;
  readonly start_time: string;
  readonly end_time: string;
  readonly is_primary?: boolean;
  readonly parent_incident_id?: string | null;
  readonly primary_incident_id?: string | null;
  readonly affected_hosts?: readonly string[];
  readonly caused_by_event_id?: string | null;
}

type Row = Record<string, unknown>;

/** One day of a dataset as parsed JSON; a signal that is not there is an empty list, labels null. */
export interface DayInput {
  readonly date: string;
  readonly metrics: readonly Row[];
  readonly traces: readonly Row[];
  readonly logs: readonly Row[];
  readonly events: readonly Row[];
  readonly labels: readonly Row[] | null;
}

export interface AnalyzerOptions {
  /** Midnight (UTC) of the first day, in ms. */
  readonly startMs: number;
  readonly days: number;
  readonly granularityMinutes: number;
  /** Robust z-score at or above which a value departs from its host's baseline. Default 4. */
  readonly zThreshold?: number;
}

/** The metrics that carry an incident signature, in a fixed order. */
const SIGNATURE_METRICS: readonly MetricKey[] = [
  'system.cpu.util',
  'system.mem.util',
  'net.latency.ms',
  'app.error_rate',
  'net.packet_loss.pct',
  'db.connection_pool.util',
  'resource.pool.util',
];
const ERROR_RATE = SIGNATURE_METRICS.indexOf('app.error_rate');
const HOUR_MS = 3_600_000;

/**
 * The least spread a baseline is given, per metric, added to 1 % of its median: a host whose metric
 * is flat (a constant error rate, a healthy network's loss) would otherwise call any change infinite.
 */
const SCALE_FLOOR: Readonly<Record<string, number>> = {
  'system.cpu.util': 0.5,
  'system.mem.util': 0.5,
  'net.latency.ms': 0.5,
  'app.error_rate': 0.05,
  'net.packet_loss.pct': 0.02,
  'db.connection_pool.util': 0.5,
  'resource.pool.util': 0.5,
};

/** Timestamps with Z, or without a zone as the original wrote them (read as UTC). */
export function parseTime(text: unknown): number {
  if (typeof text !== 'string') return Number.NaN;
  const t = text.includes('T') ? text : text.replace(' ', 'T');
  return Date.parse(/Z$|[+-]\d\d:?\d\d$/.test(t) ? t : `${t}Z`);
}

interface HostSeries {
  readonly id: string;
  readonly service: string;
  /** One array per signature metric, NaN where no record was seen. */
  readonly values: Float32Array[];
  readonly labeled: Uint8Array;
  readonly spans: Uint16Array;
  readonly failed: Uint16Array;
  /** Sum of the durations (ms) of the spans that start in each interval. */
  readonly durations: Float32Array;
  /** Filled by finish(): median and scale per metric. */
  median: Float64Array;
  scale: Float64Array;
}

function ratio(numerator: number, denominator: number): Ratio {
  return { numerator, denominator, value: denominator === 0 ? null : Math.round((numerator / denominator) * 10000) / 10000 };
}

/** Pearson's r, rounded to 4 decimals; null with fewer than 3 pairs or no variance. */
function pearson(xs: readonly number[], ys: readonly number[]): number | null {
  const n = xs.length;
  if (n < 3) return null;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i] as number;
    my += ys[i] as number;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? null : Math.round((sxy / Math.sqrt(sxx * syy)) * 10000) / 10000;
}

/**
 * The r that a metric equal to the true failure probability p (xs) would reach against the
 * failed share of n sampled spans per cell (ns): that share varies by p(1 − p)/n around p, and this
 * noise alone caps r at √(var p / (var p + mean noise)).
 */
function samplingCeiling(xs: readonly number[], ns: readonly number[]): number | null {
  const n = xs.length;
  if (n < 3) return null;
  let mean = 0;
  for (const x of xs) mean += x;
  mean /= n;
  let varX = 0;
  let noise = 0;
  for (let i = 0; i < n; i++) {
    const x = xs[i] as number;
    varX += (x - mean) ** 2;
    noise += (x * (1 - x)) / (ns[i] as number);
  }
  varX /= n;
  return varX === 0 ? null : Math.round(Math.sqrt(varX / (varX + noise / n)) * 10000) / 10000;
}

/** The error-rate metric (xs) against the failed share (ys) of ns sampled spans per cell. */
function errorCorrelation(xs: readonly number[], ys: readonly number[], ns: readonly number[], cell: string): Correlation {
  return { r: pearson(xs, ys), ceiling: samplingCeiling(xs, ns), cells: xs.length, cell };
}

function median(values: Float64Array): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Measures a dataset day by day (memory grows with hosts × intervals, not with records), then
 * reports. Pure: the caller reads the files and hands over parsed days, in any order.
 */
export function createAnalyzer(catalog: CatalogLike, options: AnalyzerOptions) {
  const g = options.granularityMinutes * 60_000;
  const perDay = 1440 / options.granularityMinutes;
  const total = options.days * perDay;
  const z = options.zThreshold ?? 4;
  const endMs = options.startMs + options.days * 86_400_000;
  const hosts = new Map<string, HostSeries>();
  const serviceHosts = new Map<string, HostSeries[]>();
  const observedEdges = new Set<string>();
  let labelFiles = false;
  const labeledDays = new Map<string, Set<string>>();

  let traceCount = 0;
  let validTrees = 0;
  let spanCount = 0;
  let logCount = 0;
  let joinedLogs = 0;
  let levelOk = 0;
  let alertCount = 0;
  let alertOk = 0;
  const pendingAlerts: Row[] = [];
  const eventsById = new Map<string, { type: string; ms: number; service: unknown }>();
  let previousSpans = new Map<string, number>();

  const incidentById = new Map(catalog.incidents.map((i) => [i.id, i]));
  const graph = catalog.generation_config?.service_dependencies;
  const calls = (caller: string, callee: string): boolean => (graph ? (graph[caller] ?? []).includes(callee) : observedEdges.has(`${caller}>${callee}`));

  function series(id: string, service: string): HostSeries {
    let s = hosts.get(id);
    if (!s) {
      s = {
        id,
        service,
        values: SIGNATURE_METRICS.map(() => new Float32Array(total).fill(Number.NaN)),
        labeled: new Uint8Array(total),
        spans: new Uint16Array(total),
        failed: new Uint16Array(total),
        durations: new Float32Array(total),
        median: new Float64Array(SIGNATURE_METRICS.length),
        scale: new Float64Array(SIGNATURE_METRICS.length),
      };
      hosts.set(id, s);
      serviceHosts.set(service, [...(serviceHosts.get(service) ?? []), s]);
    }
    return s;
  }

  const slot = (ms: number): number => {
    const k = Math.floor((ms - options.startMs) / g);
    return k >= 0 && k < total ? k : -1;
  };

  function addMetrics(rows: readonly Row[]): void {
    for (const m of rows) {
      const k = slot(parseTime(m.timestamp));
      const values = m.metrics as Record<string, unknown> | undefined;
      if (k < 0 || typeof m.host_id !== 'string' || !values) continue;
      const s = series(m.host_id, String(m.service));
      for (let j = 0; j < SIGNATURE_METRICS.length; j++) {
        const v = values[SIGNATURE_METRICS[j] as string];
        if (typeof v === 'number') (s.values[j] as Float32Array)[k] = v;
      }
    }
  }

  /** Checks every trace of the day and counts each host-interval's spans and failures. */
  function addTraces(rows: readonly Row[]): Map<string, number> {
    const spanStatus = new Map<string, number>();
    const byTrace = new Map<string, Row[]>();
    for (const s of rows) {
      const list = byTrace.get(String(s.trace_id));
      if (list) list.push(s);
      else byTrace.set(String(s.trace_id), [s]);
    }
    for (const [traceId, spans] of byTrace) {
      traceCount++;
      const byId = new Map<string, Row>();
      for (const s of spans) byId.set(String(s.span_id), s);
      let ok = byId.size === spans.length;
      const roots = spans.filter((s) => s.parent_span_id === null || s.parent_span_id === undefined);
      ok &&= roots.length === 1;
      const children = new Map<string, Row[]>();
      for (const s of spans) {
        spanStatus.set(`${traceId}/${String(s.span_id)}`, Number(s.status_code));
        if (s.parent_span_id === null || s.parent_span_id === undefined) continue;
        const parent = byId.get(String(s.parent_span_id));
        if (!parent) {
          ok = false;
          continue;
        }
        const key = String(parent.span_id);
        children.set(key, [...(children.get(key) ?? []), s]);
        observedEdges.add(`${String(parent.service_name)}>${String(s.service_name)}`);
        const start = parseTime(s.timestamp);
        const pStart = parseTime(parent.timestamp);
        // Children inside their parents; timestamps are whole milliseconds, durations finer.
        ok &&= start >= pStart && start + Number(s.duration_ms) <= pStart + Number(parent.duration_ms) + 1;
      }
      // Reachable from the root: with one root and every parent present, that rules out cycles.
      if (ok && roots.length === 1) {
        let reached = 0;
        const stack = [roots[0] as Row];
        while (stack.length > 0 && reached <= spans.length) {
          const s = stack.pop() as Row;
          reached++;
          for (const c of children.get(String(s.span_id)) ?? []) stack.push(c);
        }
        ok = reached === spans.length;
      }
      if (ok && graph) for (const s of spans) if (s.parent_span_id) ok &&= calls(String(byId.get(String(s.parent_span_id))?.service_name), String(s.service_name));
      if (ok) validTrees++;
      for (const s of spans) {
        spanCount++;
        const host = hosts.get(String((s.attributes as Row | undefined)?.['host.name'] ?? ''));
        const k = slot(parseTime(s.timestamp));
        if (!host || k < 0) continue;
        host.spans[k] = Math.min(65535, (host.spans[k] as number) + 1);
        host.durations[k] = (host.durations[k] as number) + Number(s.duration_ms);
        if (Number(s.status_code) >= 500) host.failed[k] = Math.min(65535, (host.failed[k] as number) + 1);
      }
    }
    return spanStatus;
  }

  function addLogs(rows: readonly Row[], spans: Map<string, number>): void {
    for (const l of rows) {
      logCount++;
      const key = `${String(l.trace_id)}/${String(l.span_id)}`;
      const status = spans.get(key) ?? previousSpans.get(key);
      if (status === undefined) continue;
      joinedLogs++;
      if ((l.level === 'ERROR') === status >= 500) levelOk++;
    }
  }

  function addLabels(date: string, rows: readonly Row[]): void {
    labelFiles = true;
    for (const r of rows) {
      const k = slot(parseTime(r.timestamp));
      const host = typeof r.host_id === 'string' ? series(r.host_id, String(r.service)) : null;
      if (host && k >= 0) host.labeled[k] = 1;
      for (const e of (r.incidents as Row[] | undefined) ?? []) {
        const id = String(e.incident_id);
        let days = labeledDays.get(id);
        if (!days) labeledDays.set(id, (days = new Set()));
        days.add(date);
      }
    }
  }

  function value(host: HostSeries, metric: number, k: number): number {
    return (host.values[metric] as Float32Array)[k] as number;
  }

  function zAt(host: HostSeries, metric: number, k: number): number {
    const v = value(host, metric, k);
    return Number.isNaN(v) ? Number.NaN : (v - (host.median[metric] as number)) / (host.scale[metric] as number);
  }

  const departs = (host: HostSeries, metric: number, k: number): boolean => zAt(host, metric, k) >= z;

  function baselines(): void {
    for (const host of hosts.values()) {
      for (let j = 0; j < SIGNATURE_METRICS.length; j++) {
        const column = host.values[j] as Float32Array;
        const present = Float64Array.from(column.filter((v) => !Number.isNaN(v)));
        const med = median(present);
        const mad = median(present.map((v) => Math.abs(v - med)));
        host.median[j] = med;
        host.scale[j] = 1.4826 * mad + 0.01 * Math.abs(med) + (SCALE_FLOOR[SIGNATURE_METRICS[j] as string] as number);
      }
    }
  }

  /** Without label files, the catalog's windows on each incident's hosts stand in for them. */
  function labelsFromCatalog(): void {
    for (const inc of catalog.incidents) {
      const from = Math.max(0, slot(parseTime(inc.start_time)));
      const endK = Math.floor((Math.min(endMs, parseTime(inc.end_time)) - options.startMs - 1) / g);
      for (const id of inc.affected_hosts ?? []) {
        const host = hosts.get(id);
        if (host) for (let k = from; k <= endK && k < total; k++) host.labeled[k] = 1;
      }
    }
  }

  function windowSlots(inc: CatalogIncidentLike): [number, number] | null {
    const start = Math.max(options.startMs, parseTime(inc.start_time));
    const end = Math.min(endMs, parseTime(inc.end_time));
    if (!(end > start)) return null;
    return [Math.floor((start - options.startMs) / g), Math.ceil((end - options.startMs) / g) - 1];
  }

  /** An incident's signature metric and the slots of its window inside the dataset; null when it has neither. */
  function signature(inc: CatalogIncidentLike): { metric: number; from: number; to: number } | null {
    const spec = INCIDENT_SPECS[inc.type as IncidentType] as (typeof INCIDENT_SPECS)[IncidentType] | undefined;
    const w = windowSlots(inc);
    return spec && w ? { metric: SIGNATURE_METRICS.indexOf(spec.metric), from: w[0], to: w[1] } : null;
  }

  /** The first slot in [from, to] where the signature departs on one of the incident's hosts, or null. */
  function firstDeparture(inc: CatalogIncidentLike, metric: number, from: number, to: number): number | null {
    let first: number | null = null;
    for (const id of inc.affected_hosts ?? []) {
      const host = hosts.get(id);
      for (let k = from; host && k <= to && (first === null || k < first); k++) {
        if (departs(host, metric, k)) first = k;
      }
    }
    return first;
  }

  function detection(): ValidationReport['detection'] {
    const out: Record<string, Ratio & { metric: string }> = {};
    const counts = new Map<string, [number, number]>();
    for (const inc of catalog.incidents) {
      const sig = signature(inc);
      if (!sig) continue;
      const found = firstDeparture(inc, sig.metric, sig.from, sig.to) !== null;
      const c = counts.get(inc.type) ?? [0, 0];
      counts.set(inc.type, [c[0] + (found ? 1 : 0), c[1] + 1]);
    }
    for (const t of INCIDENT_TYPES) {
      const c = counts.get(t) ?? [0, 0];
      out[t] = { ...ratio(c[0], c[1]), metric: INCIDENT_SPECS[t].metric };
    }
    return out;
  }

  function falseAlarms(): Ratio {
    let outside = 0;
    let alarms = 0;
    for (const host of hosts.values()) {
      for (let k = 0; k < total; k++) {
        if (host.labeled[k] === 1 || Number.isNaN(value(host, 0, k))) continue;
        outside++;
        for (let j = 0; j < SIGNATURE_METRICS.length; j++) {
          if (departs(host, j, k)) {
            alarms++;
            break;
          }
        }
      }
    }
    return ratio(alarms, outside);
  }

  function errorRate(): ValidationReport['errorRate'] {
    const hx: number[] = [];
    const hy: number[] = [];
    const hn: number[] = [];
    const cells = new Map<string, { expected: number; spans: number; failed: number }>();
    let expected = 0;
    let failed = 0;
    for (const host of hosts.values()) {
      for (let k = 0; k < total; k++) {
        const n = host.spans[k] as number;
        const rate = value(host, ERROR_RATE, k);
        if (n === 0 || Number.isNaN(rate)) continue;
        const f = host.failed[k] as number;
        hx.push(rate / 100);
        hy.push(f / n);
        hn.push(n);
        expected += (n * rate) / 100;
        failed += f;
        const key = `${host.service}|${Math.floor((k * g) / HOUR_MS)}`;
        const c = cells.get(key) ?? { expected: 0, spans: 0, failed: 0 };
        c.expected += (n * rate) / 100;
        c.spans += n;
        c.failed += f;
        cells.set(key, c);
      }
    }
    const sx: number[] = [];
    const sy: number[] = [];
    const sn: number[] = [];
    for (const c of cells.values()) {
      sx.push(c.expected / c.spans);
      sy.push(c.failed / c.spans);
      sn.push(c.spans);
    }
    return {
      serviceHour: errorCorrelation(sx, sy, sn, 'service × hour: the metric averaged over the sampled spans of the service in the hour, against their failed share'),
      hostInterval: errorCorrelation(hx, hy, hn, 'host × interval with at least one sampled span'),
      expectedFailedSpans: Math.round(expected),
      failedSpans: failed,
    };
  }

  /**
   * Whether latency in the metrics and in the spans move together: per service and hour, the
   * latency metric relative to each host's median (averaged over the sampled spans) against the
   * mean span duration relative to the service's. Relative, because a span's duration includes its
   * callees' while the metric is the host's own.
   */
  function latency(): Correlation {
    const LAT = SIGNATURE_METRICS.indexOf('net.latency.ms');
    const cells = new Map<string, { service: string; x: number; y: number; n: number }>();
    const perService = new Map<string, { y: number; n: number }>();
    for (const host of hosts.values()) {
      const med = host.median[LAT] as number;
      for (let k = 0; k < total; k++) {
        const n = host.spans[k] as number;
        const v = value(host, LAT, k);
        if (n === 0 || Number.isNaN(v) || !(med > 0)) continue;
        const key = `${host.service}|${Math.floor((k * g) / HOUR_MS)}`;
        const c = cells.get(key) ?? { service: host.service, x: 0, y: 0, n: 0 };
        c.x += (n * v) / med;
        c.y += host.durations[k] as number;
        c.n += n;
        cells.set(key, c);
        const sv = perService.get(host.service) ?? { y: 0, n: 0 };
        sv.y += host.durations[k] as number;
        sv.n += n;
        perService.set(host.service, sv);
      }
    }
    const xs: number[] = [];
    const ys: number[] = [];
    for (const c of cells.values()) {
      const sv = perService.get(c.service) as { y: number; n: number };
      xs.push(c.x / c.n);
      ys.push(c.y / c.n / (sv.y / sv.n));
    }
    return { r: pearson(xs, ys), ceiling: null, cells: xs.length, cell: 'service × hour: latency metric / host median, against mean span duration / service mean' };
  }

  function checkAlerts(): void {
    for (const a of pendingAlerts) {
      alertCount++;
      const host = hosts.get(String(a.source));
      const metric = SIGNATURE_METRICS.indexOf(a.metric as MetricKey);
      const k = slot(parseTime(a.timestamp));
      if (!host || metric < 0 || k < 0) continue;
      const v = value(host, metric, k);
      if (v === Math.fround(Number(a.current_value)) && Number(a.current_value) > Number(a.threshold_value)) alertOk++;
    }
  }

  /** The first interval of an incident's window in which its signature departs on one of its hosts. */
  function onset(inc: CatalogIncidentLike): number | null {
    const sig = signature(inc);
    return sig ? firstDeparture(inc, sig.metric, sig.from, sig.to) : null;
  }

  /**
   * When an incident's signature rises: the first interval of its window in which it reaches half of
   * its peak on one of its hosts (and departs). Relative to its own peak, so a caller's symptom that
   * is louder than its callee's fault (symptom amplification) is still seen to rise after it: the
   * symptom's course follows the fault's one hop later, whatever the two amplitudes are.
   */
  function rise(inc: CatalogIncidentLike): number | null {
    const sig = signature(inc);
    if (!sig) return null;
    let peak = Number.NEGATIVE_INFINITY;
    for (const id of inc.affected_hosts ?? []) {
      const host = hosts.get(id);
      for (let k = sig.from; host && k <= sig.to; k++) {
        const v = zAt(host, sig.metric, k);
        if (v > peak) peak = v;
      }
    }
    if (!(peak >= z)) return null;
    const level = Math.max(z, peak / 2);
    let first: number | null = null;
    for (const id of inc.affected_hosts ?? []) {
      const host = hosts.get(id);
      for (let k = sig.from; host && k <= sig.to && (first === null || k < first); k++) {
        if (zAt(host, sig.metric, k) >= level) first = k;
      }
    }
    return first;
  }

  /** Whether another cascade has an incident on one of this incident's hosts during its window. */
  function confounded(inc: CatalogIncidentLike): boolean {
    const hostsOf = new Set(inc.affected_hosts ?? []);
    const start = parseTime(inc.start_time);
    const end = parseTime(inc.end_time);
    const overlaps = (o: { start_time: string; end_time: string }, hostsOfOther: readonly string[] | undefined): boolean =>
      parseTime(o.start_time) < end && parseTime(o.end_time) > start && (hostsOfOther ?? []).some((h) => hostsOf.has(h));
    // A decoy (a workload shift, a noisy neighbour…) on the same hosts moves them for its own reasons too.
    return (
      catalog.incidents.some((o) => o.primary_incident_id !== undefined && o.primary_incident_id !== inc.primary_incident_id && overlaps(o, o.affected_hosts)) ||
      (catalog.decoys ?? []).some((d) => overlaps(d, d.hosts))
    );
  }

  /**
   * Cascaded incidents whose signature departs no earlier than their parent's (both detected, and
   * neither sharing hosts with another cascade at the time, which would move first for its own reasons).
   */
  function causalOrder(): Ratio {
    let n = 0;
    let ok = 0;
    for (const inc of catalog.incidents) {
      const parent = inc.parent_incident_id ? incidentById.get(inc.parent_incident_id) : undefined;
      if (!parent || confounded(inc) || confounded(parent)) continue;
      const a = onset(parent);
      const b = onset(inc);
      if (a === null || b === null) continue;
      n++;
      // In order when the child departs no earlier, or rises to half its peak no earlier: the second
      // holds when symptoms are amplified (a loud caller departs before its quiet callee does).
      if (b >= a || (rise(inc) ?? -1) >= (rise(parent) ?? Number.POSITIVE_INFINITY)) ok++;
    }
    return ratio(ok, n);
  }

  function cascades(): Ratio {
    let n = 0;
    let ok = 0;
    for (const inc of catalog.incidents) {
      if (!inc.parent_incident_id) continue;
      const parent = incidentById.get(inc.parent_incident_id);
      n++;
      if (parent?.target_service && inc.target_service && calls(inc.target_service, parent.target_service)) ok++;
    }
    return ratio(ok, n);
  }

  function midnight(): Ratio {
    let n = 0;
    let ok = 0;
    for (const inc of catalog.incidents) {
      const start = parseTime(inc.start_time);
      const end = parseTime(inc.end_time);
      const first = new Date(start).toISOString().slice(0, 10);
      const last = new Date(end - 1).toISOString().slice(0, 10);
      if (first === last || start < options.startMs || end > endMs) continue;
      n++;
      if (labelFiles) {
        const days = labeledDays.get(inc.id);
        let whole = true;
        for (let d = Date.parse(`${first}T00:00:00Z`); d < end; d += 86_400_000) whole &&= days?.has(new Date(d).toISOString().slice(0, 10)) === true;
        if (whole) ok++;
      } else {
        // No labels: the signature shows on each side of midnight.
        const sig = signature(inc);
        if (!sig) continue;
        const cut = Math.floor((Date.parse(`${last}T00:00:00Z`) - options.startMs) / g);
        if (firstDeparture(inc, sig.metric, sig.from, cut - 1) !== null && firstDeparture(inc, sig.metric, cut, sig.to) !== null) ok++;
      }
    }
    return ratio(ok, n);
  }

  function causeEvents(): Ratio {
    let n = 0;
    let ok = 0;
    for (const inc of catalog.incidents) {
      if (!inc.caused_by_event_id) continue;
      const start = parseTime(inc.start_time);
      const e = eventsById.get(inc.caused_by_event_id);
      n++;
      if (e && (e.type === 'DEPLOYMENT' || e.type === 'CONFIG_CHANGE') && e.ms < start && start - e.ms <= HOUR_MS && e.service === inc.target_service) ok++;
    }
    return ratio(ok, n);
  }

  /**
   * The reference ranker: in the first hour of a primary, each service's earliest new departure
   * (a host-metric that was normal in the interval before the incident) and its largest z; services
   * ranked by onset, then by size; services with no new departure last.
   */
  function ranker(): ValidationReport['ranker'] {
    let ranked = 0;
    let top1 = 0;
    let top3 = 0;
    let skipped = 0;
    const services = [...serviceHosts.keys()].sort();
    for (const inc of catalog.incidents) {
      if (inc.is_primary === false) continue;
      const start = parseTime(inc.start_time);
      const k0 = slot(start);
      if (!inc.target_service || k0 < 1 || start + HOUR_MS > endMs) {
        skipped++;
        continue;
      }
      const k1 = Math.min(total - 1, k0 + Math.max(1, Math.round(HOUR_MS / g)) - 1);
      const score = services.map((service) => {
        let onset = Number.POSITIVE_INFINITY;
        let size = 0;
        for (const host of serviceHosts.get(service) ?? []) {
          for (let j = 0; j < SIGNATURE_METRICS.length; j++) {
            if (departs(host, j, k0 - 1)) continue;
            for (let k = k0; k <= k1; k++) {
              const zz = zAt(host, j, k);
              if (zz >= z) {
                onset = Math.min(onset, k);
                size = Math.max(size, zz);
              }
            }
          }
        }
        return { service, onset, size };
      });
      score.sort((a, b) => a.onset - b.onset || b.size - a.size || (a.service < b.service ? -1 : 1));
      ranked++;
      if (score[0]?.service === inc.target_service) top1++;
      if (score.slice(0, 3).some((s) => s.service === inc.target_service)) top3++;
    }
    return { top1: ratio(top1, ranked), top3: ratio(top3, ranked), randomTop3: Math.round((Math.min(3, services.length) / Math.max(1, services.length)) * 10000) / 10000, skipped };
  }

  return {
    /** Adds one day; days may come in any order, but a day's logs are joined to its own and the previous day handed in. */
    addDay(day: DayInput): void {
      addMetrics(day.metrics);
      const spans = addTraces(day.traces);
      addLogs(day.logs, spans);
      previousSpans = spans;
      if (day.labels) addLabels(day.date, day.labels);
      for (const e of day.events) {
        if (typeof e.event_id === 'string') eventsById.set(e.event_id, { type: String(e.type), ms: parseTime(e.timestamp), service: e.service });
        if (e.type === 'ALERT_TRIGGER') pendingAlerts.push(e);
      }
    },

    finish(): ValidationReport {
      baselines();
      if (!labelFiles) labelsFromCatalog();
      checkAlerts();
      const detect = detection();
      const alarms = falseAlarms();
      const rate = errorRate();
      const report = {
        dataset: {
          startDate: new Date(options.startMs).toISOString().slice(0, 10),
          days: options.days,
          granularityMinutes: options.granularityMinutes,
          hosts: hosts.size,
          services: serviceHosts.size,
          incidents: catalog.incidents.length,
          primaryIncidents: catalog.incidents.filter((i) => i.is_primary !== false).length,
          labelFiles,
          callGraph: graph ? ('catalog' as const) : ('traces' as const),
        },
        method: {
          zThreshold: z,
          baseline: "per host and metric, over every interval of the dataset: the median, and 1.4826 × MAD + 1 % of the median + a small per-metric floor as the scale",
          departure: `robust z = (value − median) / scale ≥ ${z}, upward (every signature is a rise)`,
        },
        detection: detect,
        falseAlarms: alarms,
        traces: { validTrees: ratio(validTrees, traceCount), spans: spanCount },
        logs: { joined: ratio(joinedLogs, logCount), levelMatchesSpan: ratio(levelOk, joinedLogs) },
        errorRate: rate,
        latency: latency(),
        alerts: ratio(alertOk, alertCount),
        cascades: cascades(),
        causalOrder: causalOrder(),
        midnight: midnight(),
        causeEvents: causeEvents(),
        ranker: ranker(),
      };
      return { ...report, bars: bars(report) };
    },
  };
}

export type Analyzer = ReturnType<typeof createAnalyzer>;

/** Below this sampling ceiling the error rates hardly vary beyond sampling noise: no correlation bar. */
export const CORRELATION_MIN_CEILING = 0.5;

/** The bars of issue 4, checked against a report. */
export function bars(r: Omit<ValidationReport, 'bars'>): Bar[] {
  const bar = (name: string, value: number | null, op: '>=' | '<=', bound: number): Bar => ({
    name,
    value,
    op,
    bound,
    pass: value !== null && (op === '>=' ? value >= bound : value <= bound),
  });
  const out: Bar[] = [];
  for (const [type, d] of Object.entries(r.detection)) if (d.denominator > 0) out.push(bar(`${type} detected`, d.value, '>=', 0.95));
  out.push(bar('false alarms', r.falseAlarms.value, '<=', 0.005));
  out.push(bar('valid trace trees', r.traces.validTrees.value, '>=', 1));
  out.push(bar('logs joined to their span', r.logs.joined.value, '>=', 1));
  // A correlation means something only where error rates vary beyond sampling noise: with no
  // incident (a ceiling near 0) there is nothing to correlate, and no bar.
  const { r: corr, ceiling } = r.errorRate.serviceHour;
  if (ceiling !== null && ceiling >= CORRELATION_MIN_CEILING) {
    out.push(bar('error-rate correlation (service × hour)', corr, '>=', 0.9));
    out.push(bar('error-rate correlation / its sampling ceiling', corr === null ? null : Math.round((corr / ceiling) * 10000) / 10000, '>=', 0.95));
  }
  // A figure with nothing to measure (no cascade, no alert...) is not a bar of this dataset.
  const measured = (name: string, x: Ratio, bound: number): void => {
    if (x.denominator > 0) out.push(bar(name, x.value, '>=', bound));
  };
  measured('cascades callee → caller', r.cascades, 1);
  measured('causal order along cascades', r.causalOrder, 1);
  measured('alerts equal to the metric', r.alerts, 1);
  measured('midnight-crossing incidents whole', r.midnight, 1);
  measured('baseline ranker top-3', r.ranker.top3, 0.8);
  return out;
}
