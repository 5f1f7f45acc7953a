import { INCIDENT_TYPES, type IncidentType } from './incident-types.ts';
import type { Decoy, Incident } from './plan.ts';
import type { Rng } from './rng.ts';
import { normal } from './rng.ts';
import { DAY_MS, MINUTE_MS } from './time.ts';
import type { Host, ServiceNode, Topology } from './topology.ts';

/**
 * The state of every host over one day, one row per interval, one column per host (index
 * `interval * hosts + host.index`). Metrics are read from it; spans and events are drawn from it.
 */
export interface DayState {
  readonly intervals: number;
  readonly hostCount: number;
  readonly cpu: Float64Array;
  readonly mem: Float64Array;
  /** Network latency in ms. */
  readonly latency: Float64Array;
  /** Factor on a request's own processing time from incidents. */
  readonly slowdown: Float64Array;
  /** Factor on latency and processing time from load (busier hours are slower), as the metric has it. */
  readonly loadFactor: Float64Array;
  /** Chance that a request fails on this host by itself. */
  readonly ownFail: Float64Array;
  /** Chance that a request handled here fails, own failures plus those its callees pass up. */
  readonly fail: Float64Array;
  readonly requests: Float64Array;
  readonly packetLoss: Float64Array;
  readonly dbPool: Float64Array;
  readonly resourcePool: Float64Array;
  /** 1 while the host is restarting or unreachable. */
  readonly down: Uint8Array;
  /** Index in INCIDENT_TYPES of the incident that dominates the host's errors, or -1. */
  readonly cause: Int8Array;
  /** Sampling noise of the error-rate metric, as a factor on `fail` (the metric is 100 × fail × this). */
  readonly errorNoise: Float64Array;
  /** The incidents active on each host-interval and the host's role in them; null when none. */
  readonly labels: (HostLabel[] | null)[];
}

/** One incident active on a host in an interval: the ground truth of the label files. */
export interface HostLabel {
  readonly incident: Incident;
  /**
   * `root_cause`: the host is where a primary incident happens. `symptom`: the host is hit by a
   * cascaded incident, or its requests fail because a callee's incident passes failures up.
   */
  readonly role: 'root_cause' | 'symptom';
}

/**
 * Failures passed up from callees below this share (0.1 percentage points of a caller's error
 * rate) do not make the caller a symptom: they are far inside the metric's noise.
 */
export const SYMPTOM_MIN_SHARE = 0.001;

/** Traffic relative to the daily peak: a business-hours curve, lower at weekends. */
export function trafficLoad(ms: number): number {
  const hour = (ms % DAY_MS) / 3_600_000;
  const day = 0.5 - 0.5 * Math.cos((2 * Math.PI * (hour - 3)) / 24);
  const weekday = (Math.floor(ms / DAY_MS) + 4) % 7; // 1970-01-01 was a Thursday
  return (0.35 + 0.65 * day) * (weekday === 0 || weekday === 6 ? 0.7 : 1);
}

/** Whether the service is in its weekly maintenance window at `ms`. */
export function inMaintenance(service: ServiceNode, ms: number): boolean {
  const weekday = (Math.floor(ms / DAY_MS) + 4) % 7;
  const hour = (ms % DAY_MS) / 3_600_000;
  const m = service.maintenance;
  // Every comparison made every time (no short circuit): a rarely taken branch leaves the
  // optimized code of its hot caller without feedback, which costs a deoptimization and a
  // recompile of that caller when it is first taken.
  const day = weekday === m.weekday;
  const from = hour >= m.hour;
  const to = hour < m.hour + m.hours;
  return day && from && to;
}

/** A 0..1 hash of (seed, n): deterministic "randomness" that needs no stream position. */
export function hash01(seed: number, n: number): number {
  let h = (seed ^ Math.imul(n, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** How far an incident has ramped in at `ms`: 0 outside, rising to 1, falling back before its end. */
export function envelope(inc: Incident, ms: number, granularityMs: number): number {
  if (ms < inc.startMs || ms >= inc.endMs) return 0;
  const dur = inc.endMs - inc.startMs;
  const ramp = Math.min(60 * MINUTE_MS, Math.max(granularityMs, 0.15 * dur));
  if (inc.onsetMs > 0) {
    // Gradual onset (benchmark knob): a longer ramp-in, slow at first, so the start is hard to see.
    const r = Math.min(1, (ms - inc.startMs) / Math.min(Math.max(ramp, inc.onsetMs), 0.8 * dur));
    return Math.min(r * r, (inc.endMs - ms) / ramp);
  }
  return Math.min(1, (ms - inc.startMs) / ramp, (inc.endMs - ms) / ramp);
}

/**
 * How far an incident's effect has developed at `ms`, 0..1: gradual types build up over a share of
 * their window, the others follow their envelope. A cascaded incident can be no further along than
 * its parent was one hop earlier, so along a cascade each service moves after the one it depends on.
 */
export function progress(inc: Incident, ms: number, granularityMs: number): number {
  const env = envelope(inc, ms, granularityMs);
  if (env <= 0) return 0;
  const dur = inc.endMs - inc.startMs;
  if (inc.parent) return env * progress(inc.parent, ms - (inc.startMs - inc.parent.startMs), granularityMs);
  switch (inc.type) {
    case 'DEPENDENCY_DEGRADATION':
      return Math.min(1, (ms - inc.startMs) / (0.6 * dur)) * env;
    case 'RESOURCE_EXHAUSTION':
      return Math.min(1, (ms - inc.startMs) / (0.5 * dur)) * env;
    case 'MEMORY_LEAK': {
      const oom = inc.oomMs as number;
      return ms < oom ? Math.min(1, (ms - inc.startMs) / (oom - inc.startMs)) : env;
    }
    default:
      return env;
  }
}

/** Mutable per-host values while incidents are applied. */
interface Acc {
  cpu: number;
  mem: number;
  latency: number;
  slowdown: number;
  errPct: number;
  requests: number;
  loss: number;
  db: number;
  res: number;
  down: boolean;
  cause: number;
  causeErr: number;
}

const TYPE_INDEX = new Map<IncidentType, number>(INCIDENT_TYPES.map((t, i) => [t, i]));

function addErr(a: Acc, type: IncidentType, pct: number): void {
  a.errPct += pct;
  if (pct > a.causeErr) {
    a.causeErr = pct;
    a.cause = TYPE_INDEX.get(type) as number;
  }
}

/** The signature of each incident type, applied to one host at the middle of one interval. */
function applyIncident(a: Acc, inc: Incident, host: Host, mid: number, g: number, intervalStart: number): void {
  const env = envelope(inc, mid, g);
  if (env <= 0) return;
  // The knobs' factor: exactly 1 at `easy`, where these products are the values they always were.
  const k = inc.scale;
  const x = env * inc.strength * k;
  const dur = inc.endMs - inc.startMs;
  switch (inc.type) {
    case 'MEMORY_LEAK': {
      const oom = inc.oomMs as number;
      if (mid < oom && intervalStart + g <= oom) {
        // Heap grows until the OOM killer steps in, fastest at first (caches and buffers that are
        // never freed), then slower as the GC works harder; GC pressure costs CPU and latency late on.
        const p = Math.min(1, (mid - inc.startMs) / (oom - inc.startMs));
        a.mem += (97 - a.mem) * Math.pow(p, 0.6) * k;
        a.cpu += 15 * p * p * k;
        a.slowdown *= 1 + 1.5 * p * p * p * k;
        addErr(a, inc.type, 4 * Math.pow(p, 6) * k);
      } else if (oom >= intervalStart && oom < intervalStart + g) {
        // The interval of the kill: the process restarts, in-flight requests fail.
        a.mem = host.baseline.mem * 0.7;
        a.requests *= 0.5;
        a.down = true;
        addErr(a, inc.type, 40);
      } else {
        // Fresh process: memory back near its floor, climbing back to normal as caches warm.
        const p = Math.min(1, (mid - oom) / Math.max(1, inc.endMs - oom));
        a.mem = host.baseline.mem * (0.75 + 0.25 * p) + (a.mem - host.baseline.mem) * p;
      }
      return;
    }
    case 'CPU_SATURATION':
      a.cpu += (97.5 - a.cpu) * env * k;
      a.slowdown *= 1 + 3 * x;
      addErr(a, inc.type, 4 * x);
      return;
    case 'NETWORK_PACKET_LOSS': {
      const level = 3 + 12 * hash01(inc.seed, 1);
      a.loss += level * x;
      a.latency += 40 * x;
      a.slowdown *= 1 + 1.5 * x;
      addErr(a, inc.type, 6 * x);
      return;
    }
    case 'DB_CONTENTION':
      a.db += (98 - a.db) * env * k;
      a.cpu += 10 * x;
      a.slowdown *= 1 + 5 * x;
      addErr(a, inc.type, 8 * x);
      return;
    case 'NETWORK_PARTITION':
      a.loss += 60 * x;
      a.latency += 250 * x;
      a.requests *= 1 - 0.6 * x;
      a.slowdown *= 1 + 4 * x;
      if (x > 0.7) a.down = true;
      addErr(a, inc.type, 45 * x);
      return;
    case 'DEPENDENCY_DEGRADATION': {
      // Primary: a slow service, worse over time. Cascaded: callers held up by a slow or failing
      // callee, as far as the callee's trouble had gone one hop earlier.
      const p = progress(inc, mid, g);
      const y = p * inc.strength * k;
      a.latency += 30 * y;
      a.slowdown *= 1 + (inc.isPrimary ? 6 : 4) * y;
      addErr(a, inc.type, (inc.isPrimary ? 2 : 3) * y);
      return;
    }
    case 'CONFIG_MISMATCH': {
      // Hosts with the wrong config fail in bursts: about half the intervals are bad.
      const bad = hash01(inc.seed, Math.floor(intervalStart / MINUTE_MS) + host.index) < 0.5;
      addErr(a, inc.type, (bad ? 20 : 1) * x);
      return;
    }
    case 'RESOURCE_EXHAUSTION': {
      const p = Math.min(1, (mid - inc.startMs) / (0.5 * dur)) * env * k;
      a.res += (100 - a.res) * p;
      if (a.res > 95) {
        a.slowdown *= 1 + 2 * x;
        addErr(a, inc.type, 15 * x);
      } else addErr(a, inc.type, 0.5 * p);
      return;
    }
    case 'CASCADING_FAILURE': {
      const y = progress(inc, mid, g) * inc.strength * k;
      a.cpu += (inc.isPrimary ? 20 : 10) * y;
      a.slowdown *= 1 + 3 * y;
      addErr(a, inc.type, (inc.isPrimary ? 35 : 25) * y);
      return;
    }
  }
}

/**
 * A decoy's mark on a host: real load, a neighbour's noise, a flaky link or a burst of bad
 * requests. An error burst's failures are real, so the spans fail with it; the others fail nothing.
 */
function applyDecoy(a: Acc, d: Decoy, b: Host['baseline'], traffic: number): void {
  switch (d.kind) {
    case 'WORKLOAD_SHIFT':
      // More traffic: more requests, the CPU and pools that serve them, and a little queueing.
      a.requests *= d.level;
      a.cpu += b.cpu * 0.8 * traffic * (d.level - 1);
      a.db += b.dbPool * 0.8 * traffic * (d.level - 1);
      a.res += b.resourcePool * 0.4 * traffic * (d.level - 1);
      a.latency *= 1 + 0.25 * (d.level - 1);
      return;
    case 'NOISY_NEIGHBOUR':
      a.cpu += 35 * d.level;
      a.latency *= 1 + 0.8 * d.level;
      return;
    case 'TRANSIENT_DEPLOYMENT':
      // Pods restarting and warming up: CPU, memory and latency up for a while.
      a.cpu += 25 * d.level;
      a.mem += 10 * d.level;
      a.latency *= 1 + 0.6 * d.level;
      return;
    case 'NETWORK_BLIP':
      // A flaky link for a few minutes: some loss and retransmission delay, absorbed by retries.
      a.loss += 4 * d.level;
      a.latency *= 1 + 0.5 * d.level;
      return;
    case 'ERROR_BURST':
      // A bad client or a retry storm: requests that really fail (the spans say so), then it stops.
      a.errPct += 5 * d.level;
      return;
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * Share of host-intervals with a harmless one-interval blip (a CPU spike or a latency jump): the
 * transient outliers real telemetry has, distractors for anomaly detectors. Metrics only: the
 * requests themselves are not slowed, and no label marks a blip.
 */
export const BLIP_RATE = 0.0005;

/** A normal draw cut at ±3 sigma, so an alert's margin above its threshold always holds. */
function noise(rng: Rng | null): number {
  return rng ? clamp(normal(rng), -3, 3) : 0;
}

/** Allocates the arrays of one day. */
export function allocDayState(intervals: number, hostCount: number): DayState {
  const n = intervals * hostCount;
  return {
    intervals,
    hostCount,
    cpu: new Float64Array(n),
    mem: new Float64Array(n),
    latency: new Float64Array(n),
    slowdown: new Float64Array(n),
    loadFactor: new Float64Array(n),
    ownFail: new Float64Array(n),
    fail: new Float64Array(n),
    requests: new Float64Array(n),
    packetLoss: new Float64Array(n),
    dbPool: new Float64Array(n),
    resourcePool: new Float64Array(n),
    down: new Uint8Array(n),
    cause: new Int8Array(n),
    errorNoise: new Float64Array(n),
    labels: new Array<HostLabel[] | null>(n).fill(null),
  };
}

/**
 * Computes every host's state for the interval starting at `intervalStart` into row `row`.
 * `noiseRng` null gives the noise-free expectation (used to place alerts exactly).
 * @param incidentsByHost the incidents that touch each host (by host index) on this day.
 */
export function computeInterval(
  noiseRng: Rng | null,
  topology: Topology,
  incidentsByHost: readonly (readonly Incident[])[],
  granularityMinutes: number,
  intervalStart: number,
  out: DayState,
  row: number,
  decoys: readonly Decoy[] = [],
): void {
  const g = granularityMinutes * MINUTE_MS;
  const mid = intervalStart + g / 2;
  const load = trafficLoad(mid);
  const base = row * out.hostCount;
  const a: Acc = { cpu: 0, mem: 0, latency: 0, slowdown: 1, errPct: 0, requests: 0, loss: 0, db: 0, res: 0, down: false, cause: -1, causeErr: 0 };
  for (const service of topology.services) {
    const traffic = load * (inMaintenance(service, mid) ? 0.3 : 1);
    for (const host of service.hosts) {
      const b = host.baseline;
      a.cpu = b.cpu * (0.6 + 0.8 * traffic) + 2.5 * noise(noiseRng);
      a.mem = b.mem + 3 * traffic + noise(noiseRng);
      const loadFactor = 0.9 + 0.2 * traffic;
      a.latency = b.latencyMs * loadFactor * (1 + 0.08 * noise(noiseRng));
      a.requests = b.requests * traffic * (granularityMinutes / 15) * (1 + 0.05 * noise(noiseRng));
      a.db = b.dbPool * (0.6 + 0.8 * traffic) + 2 * noise(noiseRng);
      a.res = b.resourcePool * (0.8 + 0.4 * traffic) + 2 * noise(noiseRng);
      const errorNoise = 1 + 0.1 * noise(noiseRng);
      // A healthy network still drops a few hundredths of a percent.
      a.loss = 0.02 * (1 + 0.5 * noise(noiseRng));
      a.slowdown = 1;
      a.errPct = b.errorPct;
      a.down = false;
      a.cause = -1;
      a.causeErr = 0.5; // below this an incident's errors do not change the error messages
      const i = base + host.index;
      const incidents = incidentsByHost[host.index];
      out.labels[i] = incidents !== undefined && incidents.length > 0 ? applyIncidents(a, incidents, host, mid, g, intervalStart) : null;
      if (decoys.length > 0) applyDecoys(a, decoys, host, mid, traffic);
      out.errorNoise[i] = errorNoise;
      out.loadFactor[i] = loadFactor;
      // Now and then a blip that is no incident: a cron job or a GC pause spikes the CPU, network
      // jitter the measured latency, for one interval. One draw decides whether, which and how much.
      const blip = noiseRng ? noiseRng.next() : 1;
      let latencyBlip = 1;
      if (blip < BLIP_RATE) {
        const v = blip / BLIP_RATE;
        if (v < 0.5) a.cpu += 20 + 40 * v;
        else latencyBlip = 1.5 + 3 * (v - 0.5);
      }
      out.cpu[i] = clamp(a.cpu, 0.5, 100);
      out.mem[i] = clamp(a.mem, 1, 100);
      out.latency[i] = a.latency * a.slowdown * latencyBlip;
      out.slowdown[i] = a.slowdown;
      out.ownFail[i] = clamp(a.errPct, 0, 100) / 100;
      out.requests[i] = Math.max(0, a.requests);
      out.packetLoss[i] = clamp(a.loss, 0, 100);
      out.dbPool[i] = clamp(a.db, 0, 100);
      out.resourcePool[i] = clamp(a.res, 0, 100);
      out.down[i] = a.down ? 1 : 0;
      out.cause[i] = a.cause;
    }
  }
  propagateFailures(topology, out, base);
}

/**
 * The incidents of one host-interval applied to its values; their labels, or null when none is
 * active in the interval. Apart from computeInterval (as are the decoys and the propagation) so
 * that what only incidents exercise is optimized on its own: a deoptimization here recompiles this
 * small function, not the large loop that calls it (measured: 9 recompiles of computeInterval a
 * year, ~50 ms each, before).
 */
function applyIncidents(a: Acc, incidents: readonly Incident[], host: Host, mid: number, g: number, intervalStart: number): HostLabel[] | null {
  let labels: HostLabel[] | null = null;
  for (let k = 0; k < incidents.length; k++) {
    const inc = incidents[k] as Incident;
    applyIncident(a, inc, host, mid, g, intervalStart);
    if (inc.startMs < intervalStart + g && inc.endMs > intervalStart) (labels ??= []).push({ incident: inc, role: inc.isPrimary ? 'root_cause' : 'symptom' });
  }
  return labels;
}

function applyDecoys(a: Acc, decoys: readonly Decoy[], host: Host, mid: number, traffic: number): void {
  for (const d of decoys) if (mid >= d.startMs && mid < d.endMs && d.hostIndexes.includes(host.index)) applyDecoy(a, d, host.baseline, traffic);
}

/**
 * A failed call is retried once on another host (the same one when there is only one), so a call
 * fails when both attempts do: with host shares f, that is (S² − Σf²) / (n(n − 1)) for n > 1 hosts,
 * f² for one. Callees first, so each caller sees its callees' final shares. Alongside, the
 * incidents behind the failures a service passes up: its callers are their symptoms.
 */
function propagateFailures(topology: Topology, out: DayState, base: number): void {
  const share = new Map<string, number>();
  const sources = new Map<string, Set<Incident>>();
  for (const service of topology.calleesFirst) {
    let ok = 1;
    let passedUp: Set<Incident> | null = null;
    for (const c of service.calls) {
      const passed = service.callProbability * (share.get(c) as number);
      ok *= 1 - passed;
      const from = sources.get(c);
      if (from && passed >= SYMPTOM_MIN_SHARE) for (const inc of from) (passedUp ??= new Set()).add(inc);
    }
    let sum = 0;
    let sumSq = 0;
    // Every incident behind this service's failures: its own hosts' and those passed up to it.
    let behind: Set<Incident> | null = passedUp ? new Set(passedUp) : null;
    for (const host of service.hosts) {
      const i = base + host.index;
      const f = 1 - (1 - (out.ownFail[i] as number)) * ok;
      out.fail[i] = f;
      sum += f;
      sumSq += f * f;
      const direct = out.labels[i] ?? null;
      if (direct) for (const l of direct) (behind ??= new Set()).add(l.incident);
      if (passedUp) {
        let labels = direct;
        for (const inc of passedUp) {
          if (labels?.some((l) => l.incident === inc)) continue;
          (labels ??= []).push({ incident: inc, role: 'symptom' });
        }
        out.labels[i] = labels;
      }
    }
    if (behind) sources.set(service.name, behind);
    const n = service.hosts.length;
    // What a caller's call to this service fails with, after its retry.
    share.set(service.name, n > 1 ? Math.max(0, (sum * sum - sumSq) / (n * (n - 1))) : sumSq);
  }
}
