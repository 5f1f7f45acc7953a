// The per-host series the checks share: each signature metric per interval, the labeled
// intervals, the sampled spans, and each host's robust baseline (median and scale per metric).
import { INCIDENT_SPECS, SIGNATURE_METRICS, type IncidentType } from '../core/incident-types.ts';
import type { AnalyzerOptions, CatalogIncidentLike } from './input.ts';
import { parseTime } from './input.ts';
import { median } from './stats.ts';

/** The metrics that carry an incident signature (the core's list, re-exported for the checks). */
export { SIGNATURE_METRICS };
export const ERROR_RATE = SIGNATURE_METRICS.indexOf('app.error_rate');
export const HOUR_MS = 3_600_000;

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

/** One host's series over the whole dataset. */
export interface HostSeries {
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

/** The series of every host and what the checks ask of them. */
export interface SeriesStore {
  /** Interval length (ms). */
  readonly g: number;
  /** Intervals in the dataset. */
  readonly total: number;
  /** The z threshold of a departure. */
  readonly z: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly hosts: Map<string, HostSeries>;
  readonly serviceHosts: Map<string, HostSeries[]>;
  /** The host's series, made on first sight. */
  series(id: string, service: string): HostSeries;
  /** The interval index of a time, or -1 outside the dataset. */
  slot(ms: number): number;
  value(host: HostSeries, metric: number, k: number): number;
  zAt(host: HostSeries, metric: number, k: number): number;
  departs(host: HostSeries, metric: number, k: number): boolean;
  /** Fills every host's median and scale; call once every day is in. */
  baselines(): void;
  /** An incident's signature metric and the slots of its window inside the dataset; null when it has neither. */
  signature(inc: CatalogIncidentLike): { metric: number; from: number; to: number } | null;
  /** The first slot in [from, to] where the metric departs on one of the incident's hosts, or null. */
  firstDeparture(inc: CatalogIncidentLike, metric: number, from: number, to: number): number | null;
}

/** An empty store sized for the dataset of `options`: every host gets one slot per interval. */
export function createSeriesStore(options: AnalyzerOptions): SeriesStore {
  const g = options.granularityMinutes * 60_000;
  const perDay = 1440 / options.granularityMinutes;
  const total = options.days * perDay;
  const z = options.zThreshold ?? 4;
  const endMs = options.startMs + options.days * 86_400_000;
  const hosts = new Map<string, HostSeries>();
  const serviceHosts = new Map<string, HostSeries[]>();

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

  function windowSlots(inc: CatalogIncidentLike): [number, number] | null {
    const start = Math.max(options.startMs, parseTime(inc.start_time));
    const end = Math.min(endMs, parseTime(inc.end_time));
    if (!(end > start)) return null;
    return [Math.floor((start - options.startMs) / g), Math.ceil((end - options.startMs) / g) - 1];
  }

  function signature(inc: CatalogIncidentLike): { metric: number; from: number; to: number } | null {
    const spec = INCIDENT_SPECS[inc.type as IncidentType] as (typeof INCIDENT_SPECS)[IncidentType] | undefined;
    const w = windowSlots(inc);
    return spec && w ? { metric: SIGNATURE_METRICS.indexOf(spec.metric), from: w[0], to: w[1] } : null;
  }

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

  return { g, total, z, startMs: options.startMs, endMs, hosts, serviceHosts, series, slot, value, zAt, departs, baselines, signature, firstDeparture };
}
