import type { GenerationConfig } from './config.ts';
import { INCIDENT_SPECS, type IncidentType, type IncidentTypeSpec, type MetricKey } from './incident-types.ts';
import { chance, createRng, fork, int, pick, poisson, sample, uniform, uuid, weighted, type Rng } from './rng.ts';
import { DAY_MS, MINUTE_MS, parseDate } from './time.ts';
import type { Host, ServiceNode, Topology } from './topology.ts';

export type Severity = 'P1' | 'P2' | 'P3';

/** A change (deployment or config change) that causes a primary incident minutes later. */
export interface IncidentCause {
  readonly kind: 'DEPLOYMENT' | 'CONFIG_CHANGE';
  /** When the change is made, on a whole minute before the incident starts. */
  readonly ms: number;
  /** The `event_id` of the change's event, named by the catalog as `caused_by_event_id`. */
  readonly eventId: string;
}

/** A root-cause indicator: a service and the metric that carries the fault's signature there. */
export interface RootCause {
  readonly service: string;
  readonly metric: MetricKey;
}

/** The kinds of decoy, in the order they are drawn. */
export const DECOY_KINDS = ['WORKLOAD_SHIFT', 'NOISY_NEIGHBOUR', 'TRANSIENT_DEPLOYMENT', 'NETWORK_BLIP', 'ERROR_BURST'] as const;
export type DecoyKind = (typeof DECOY_KINDS)[number];

/**
 * A harmless anomaly that is no incident and is in no label: a workload shift on a service, a
 * noisy neighbour on one host, a deployment with a transient effect (which has its event), a short
 * network blip on one host, or a burst of errors on a service (a bad client, a retry storm).
 */
export interface Decoy {
  readonly kind: DecoyKind;
  readonly service: string;
  /** Host indexes it acts on, in topology order. */
  readonly hostIndexes: readonly number[];
  readonly startMs: number;
  readonly endMs: number;
  /** How strong: the traffic factor of a workload shift, 0..1 otherwise. */
  readonly level: number;
  /** The deployment's event id (TRANSIENT_DEPLOYMENT only). */
  readonly eventId: string | null;
}

/** One incident of the plan: the ground truth that the day generator renders into signals. */
export interface Incident {
  readonly id: string;
  readonly type: IncidentType;
  readonly isPrimary: boolean;
  /** The root of the cascade this incident belongs to (itself for a primary). */
  readonly primaryId: string;
  /** The incident whose failure caused this one; null for a primary. */
  readonly parentId: string | null;
  /** The same, as an object: a cascaded incident follows its parent's course, one hop later. */
  readonly parent: Incident | null;
  /** Null only for a network partition, whose root cause is a region, not a service. */
  readonly targetService: string | null;
  readonly targetHost: string | null;
  readonly targetRegion: string | null;
  /** Affected hosts, a fixed set for the whole incident, in topology order. */
  readonly hosts: readonly string[];
  readonly services: readonly string[];
  readonly startMs: number;
  readonly endMs: number;
  /** Memory leak only: when the leaking process is OOM-killed and restarted. */
  readonly oomMs: number | null;
  readonly severity: Severity;
  /** 0..1: how hard the incident hits its hosts. */
  readonly strength: number;
  /**
   * The benchmark knobs' factor on the effect (1 at `easy`): the effect size, less on a delay or loss
   * fault's own service and more on its callers when symptoms are amplified.
   */
  readonly scale: number;
  /** The gradual onset's ramp-in (benchmark knob `onsetMinutes`), in ms; 0 for the usual ramp. */
  readonly onsetMs: number;
  /** The root-cause indicators of the incident's cascade: the primary's service(s) and signature metric. */
  readonly rootCauses: readonly RootCause[];
  readonly metric: MetricKey;
  readonly effect: IncidentTypeSpec['effect'];
  readonly cascadingProb: number;
  /** Services from the root cause to this incident's service. */
  readonly propagationPath: readonly string[];
  /** Hops from the primary (0 for a primary). */
  readonly hop: number;
  /** Direct cascaded children. */
  readonly children: string[];
  /** Incidents of other cascades whose windows intersect this one's. */
  readonly overlaps: string[];
  /** The change that caused this incident (primaries only), or null. */
  readonly cause: IncidentCause | null;
  /** Seed of this incident's own event stream, so its events do not depend on which day is rendered. */
  readonly seed: number;
}

/** All incidents of a run, computed before any day is rendered. */
export interface IncidentPlan {
  /** Sorted by start time, then by creation order. */
  readonly incidents: readonly Incident[];
  readonly byId: ReadonlyMap<string, Incident>;
  /** Per primary id: the primary and its cascaded incidents, in plan order. */
  readonly families: ReadonlyMap<string, readonly Incident[]>;
  /** Per day index: the incidents active at some moment of that day. */
  readonly byDay: readonly (readonly Incident[])[];
  /** The decoys (benchmark knob `decoysPerDay`), by start time. */
  readonly decoys: readonly Decoy[];
  /** Per day index: the decoys active at some moment of that day. */
  readonly decoysByDay: readonly (readonly Decoy[])[];
}

type MutableIncident = { -readonly [K in keyof Incident]: Incident[K] };

/** Delay and loss faults: with `symptomAmplification` they show less on their own service and more on its callers. */
const AMPLIFIED: ReadonlySet<IncidentType> = new Set(['NETWORK_PACKET_LOSS', 'DEPENDENCY_DEGRADATION']);

function lowerSeverity(s: Severity): Severity {
  return s === 'P1' ? 'P2' : 'P3';
}

function chooseTarget(
  rng: Rng,
  type: IncidentType,
  topology: Topology,
): { service: ServiceNode | null; region: string | null; hosts: Host[]; candidates: readonly ServiceNode[] } {
  const spec = INCIDENT_SPECS[type];
  if (spec.target === 'region') {
    const populated = topology.regions.filter((r) => topology.hosts.some((h) => h.region === r));
    const region = pick(rng, populated);
    return { service: null, region, hosts: topology.hosts.filter((h) => h.region === region), candidates: [] };
  }
  let candidates: readonly ServiceNode[] = topology.services;
  if (spec.target === 'leaf-service') {
    // Contention lands on a data store; a topology without any falls back to its leaf services.
    const stores = topology.services.filter((s) => s.kind === 'database' || s.kind === 'cache');
    candidates = stores.length > 0 ? stores : topology.services.filter((s) => s.calls.length === 0);
  }
  if (spec.target === 'called-service') candidates = topology.services.filter((s) => s.callers.length > 0);
  if (candidates.length === 0) candidates = topology.services;
  const service = pick(rng, candidates);
  return { service, region: null, hosts: hostsHit(rng, spec, service), candidates };
}

/** The hosts a service-level incident hits: a partial outage is a fixed subset, never all of several. */
function hostsHit(rng: Rng, spec: IncidentTypeSpec, service: ServiceNode): Host[] {
  const n = service.hosts.length;
  const k = spec.partial && n > 1 ? int(rng, 1, Math.max(1, Math.ceil(n / 2))) : n;
  const chosen = new Set(sample(rng, service.hosts, k).map((h) => h.id));
  return service.hosts.filter((h) => chosen.has(h.id));
}

function makePrimary(rng: Rng, config: GenerationConfig, topology: Topology, dayStart: number): MutableIncident {
  const g = config.granularityMinutes;
  const type = weighted(rng, config.incidentMix);
  const spec = INCIDENT_SPECS[type];
  const startMs = dayStart + int(rng, 0, 1440 / g - 1) * g * MINUTE_MS;
  // Whole intervals, and at least two, so the incident is visible at any granularity.
  const minutes = Math.max(2 * g, Math.round(uniform(rng, spec.minMinutes, spec.maxMinutes) / g) * g);
  const endMs = startMs + minutes * MINUTE_MS;
  const target = chooseTarget(rng, type, topology);
  const id = uuid(rng);
  let cause: IncidentCause | null = null;
  if (spec.changeCause && chance(rng, spec.changeCause.prob)) {
    const kind = chance(rng, spec.changeCause.configShare) ? 'CONFIG_CHANGE' : 'DEPLOYMENT';
    cause = { kind, ms: startMs - int(rng, 2, 20) * MINUTE_MS, eventId: uuid(rng) };
  }
  // Several root causes at once: the same fault strikes a second service of the candidates too (a
  // shared library, a config pushed to two services). Drawn only when the knob is on, so the
  // streams of a run without it stay as they were.
  const knobs = config.knobs;
  let hosts = target.hosts;
  if (knobs.multiRootShare > 0 && target.service && chance(rng, knobs.multiRootShare)) {
    const others = target.candidates.filter((s) => s !== target.service);
    if (others.length > 0) {
      const second = pick(rng, others);
      const ids = new Set([...hosts, ...hostsHit(rng, spec, second)].map((h) => h.id));
      hosts = topology.hosts.filter((h) => ids.has(h.id));
    }
  }
  const services = [...new Set(hosts.map((h) => h.service))];
  const amplified = AMPLIFIED.has(type) ? knobs.symptomAmplification : 0;
  return {
    id,
    type,
    isPrimary: true,
    primaryId: id,
    parentId: null,
    parent: null,
    targetService: target.service?.name ?? null,
    targetHost: target.service ? (target.hosts[0] as Host).id : null,
    targetRegion: target.region,
    hosts: hosts.map((h) => h.id),
    services,
    startMs,
    endMs,
    oomMs: type === 'MEMORY_LEAK' ? oomTime(startMs, endMs, g) : null,
    severity: spec.severity,
    strength: uniform(rng, 0.75, 1),
    // Half the amplification off the root's own signature: it still moves first, only less than its callers.
    scale: knobs.effectScale * (1 - 0.5 * amplified),
    onsetMs: knobs.onsetMinutes * MINUTE_MS,
    // A partition's root cause is its region: every service with a host there is named.
    rootCauses: services.map((service) => ({ service, metric: spec.metric })),
    metric: spec.metric,
    effect: spec.effect,
    cascadingProb: spec.cascadingProb,
    propagationPath: target.service ? [target.service.name] : [],
    hop: 0,
    children: [],
    overlaps: [],
    cause,
    seed: rng.uint32(),
  };
}

/** When a memory leak's process is OOM-killed: one recovery stretch before the incident ends. */
function oomTime(startMs: number, endMs: number, g: number): number {
  return Math.max(startMs + g * MINUTE_MS, endMs - Math.max(g, 30) * MINUTE_MS);
}

/** Moves a primary (and its cause) to a new start, keeping its duration. */
function moveTo(p: MutableIncident, startMs: number, g: number): void {
  const shift = startMs - p.startMs;
  p.startMs += shift;
  p.endMs += shift;
  if (p.oomMs !== null) p.oomMs = oomTime(p.startMs, p.endMs, g);
  if (p.cause) p.cause = { ...p.cause, ms: p.cause.ms + shift };
}

/**
 * Keeps a normal stretch before each primary: none of its hosts has an incident within the quiet
 * gap before it (or after it ends, so the incidents already placed keep theirs), and it starts at
 * least the gap after the dataset does. A primary that would break this is moved later, after
 * the incident in its way, on a whole interval. Only incidents already placed are looked at, so
 * adding days at the end never moves an earlier one.
 */
function keepQuietGap(p: MutableIncident, placed: readonly MutableIncident[], datasetStart: number, config: GenerationConfig): void {
  const gap = config.quietGapMinutes * MINUTE_MS;
  const g = config.granularityMinutes * MINUTE_MS;
  const align = (ms: number): number => datasetStart + Math.ceil((ms - datasetStart) / g) * g;
  if (p.startMs < datasetStart + gap) moveTo(p, align(datasetStart + gap), config.granularityMinutes);
  const hosts = new Set(p.hosts);
  const relevant = placed.filter((x) => x.hosts.some((h) => hosts.has(h)));
  for (let moved = true; moved; ) {
    moved = false;
    for (const x of relevant) {
      if (x.startMs < p.endMs + gap && x.endMs + gap > p.startMs) {
        moveTo(p, align(x.endMs + gap), config.granularityMinutes);
        moved = true;
      }
    }
  }
}

/**
 * Spreads a primary incident up the call graph: from the failing service to the services that
 * call it, hop by hop, each hop later by the configured delay. Breadth-first, so a service reached
 * by several paths is affected once, by the shortest.
 */
function cascade(rng: Rng, config: GenerationConfig, topology: Topology, primary: MutableIncident): MutableIncident[] {
  const spec = INCIDENT_SPECS[primary.type];
  const out: MutableIncident[] = [];
  if (!primary.targetService || spec.cascadingProb <= 0) return out;
  const reached = new Set<string>(primary.services);
  const amplification = AMPLIFIED.has(primary.type) ? config.knobs.symptomAmplification : 0;
  let frontier: MutableIncident[] = [primary];
  const delay = config.cascadeDelayMinutes * MINUTE_MS;
  while (frontier.length > 0) {
    const next: MutableIncident[] = [];
    for (const parent of frontier) {
      const service = topology.serviceByName.get(parent.targetService as string) as ServiceNode;
      // Farther hops are less likely: callers buffer with retries and timeouts.
      let prob = primary.type === 'CASCADING_FAILURE' ? spec.cascadingProb : spec.cascadingProb * Math.pow(0.6, parent.hop);
      // Amplified delay and loss faults reach the direct callers (where they are loudest) at least that often.
      if (amplification > 0 && parent.hop === 0) prob = Math.max(prob, amplification);
      for (const callerName of service.callers) {
        const draw = rng.next();
        if (reached.has(callerName) || draw >= prob) continue;
        reached.add(callerName);
        const caller = topology.serviceByName.get(callerName) as ServiceNode;
        const id = uuid(rng);
        const childSpec = INCIDENT_SPECS[spec.cascadesAs];
        const child: MutableIncident = {
          id,
          type: spec.cascadesAs,
          isPrimary: false,
          primaryId: primary.id,
          parentId: parent.id,
          parent,
          targetService: callerName,
          targetHost: (caller.hosts[0] as Host).id,
          targetRegion: null,
          hosts: caller.hosts.map((h) => h.id),
          services: [callerName],
          startMs: parent.startMs + delay,
          endMs: parent.endMs + delay,
          oomMs: null,
          severity: lowerSeverity(parent.severity),
          strength: parent.strength * 0.8,
          scale: config.knobs.effectScale * (1 + 2 * amplification),
          onsetMs: config.knobs.onsetMinutes * MINUTE_MS,
          rootCauses: primary.rootCauses,
          metric: childSpec.metric,
          effect: childSpec.effect,
          cascadingProb: prob,
          propagationPath: [...parent.propagationPath, callerName],
          hop: parent.hop + 1,
          children: [],
          overlaps: [],
          cause: null,
          seed: rng.uint32(),
        };
        parent.children.push(id);
        out.push(child);
        next.push(child);
      }
    }
    frontier = next;
  }
  return out;
}

/** Marks, for every incident, the incidents of other cascades whose time windows intersect it. */
function markOverlaps(incidents: MutableIncident[]): void {
  // Sorted by start: only incidents that start before this one ends can intersect it.
  for (let i = 0; i < incidents.length; i++) {
    const a = incidents[i] as MutableIncident;
    for (let j = i + 1; j < incidents.length; j++) {
      const b = incidents[j] as MutableIncident;
      if (b.startMs >= a.endMs) break;
      if (a.primaryId === b.primaryId) continue;
      a.overlaps.push(b.id);
      b.overlaps.push(a.id);
    }
  }
}

/**
 * Computes every incident of the run. Each day draws from its own forked stream, so adding days
 * at the end leaves the incidents of the earlier days as they were.
 */
export function planIncidents(rng: Rng, config: GenerationConfig, topology: Topology): IncidentPlan {
  const start = parseDate(config.startDate);
  const all: MutableIncident[] = [];
  for (let d = 0; d < config.days; d++) {
    const dayRng = fork(rng, 'plan-day');
    const count = poisson(dayRng, config.incidentRate * config.knobs.concurrency);
    for (let k = 0; k < count; k++) {
      const primary = makePrimary(dayRng, config, topology, start + d * DAY_MS);
      keepQuietGap(primary, all, start, config);
      all.push(primary, ...cascade(dayRng, config, topology, primary));
    }
  }
  // A primary moved past the last day is not part of this run (a longer run keeps it).
  const endMs = start + config.days * DAY_MS;
  const late = new Set(all.filter((x) => x.isPrimary && x.startMs >= endMs).map((x) => x.id));
  if (late.size > 0) all.splice(0, all.length, ...all.filter((x) => !late.has(x.primaryId)));
  const order = new Map(all.map((inc, i) => [inc.id, i]));
  all.sort((a, b) => a.startMs - b.startMs || (order.get(a.id) as number) - (order.get(b.id) as number));
  markOverlaps(all);
  for (const inc of all) inc.overlaps.sort((x, y) => (order.get(x) as number) - (order.get(y) as number));

  const byDay: Incident[][] = Array.from({ length: config.days }, () => []);
  for (const inc of all) {
    const first = Math.max(0, Math.floor((inc.startMs - start) / DAY_MS));
    const last = Math.min(config.days - 1, Math.floor((inc.endMs - 1 - start) / DAY_MS));
    for (let d = first; d <= last; d++) (byDay[d] as Incident[]).push(inc);
  }
  const decoys = planDecoys(config, topology);
  const decoysByDay: Decoy[][] = Array.from({ length: config.days }, () => []);
  for (const x of decoys) {
    const first = Math.max(0, Math.floor((x.startMs - start) / DAY_MS));
    const last = Math.min(config.days - 1, Math.floor((x.endMs - 1 - start) / DAY_MS));
    for (let d = first; d <= last; d++) (decoysByDay[d] as Decoy[]).push(x);
  }
  const families = new Map<string, Incident[]>();
  for (const inc of all) families.set(inc.primaryId, [...(families.get(inc.primaryId) ?? []), inc]);
  return { incidents: all, byId: new Map(all.map((i) => [i.id, i])), families, byDay, decoys, decoysByDay };
}

/** How long each kind of decoy lasts, in minutes (at least one interval). */
const DECOY_MINUTES: Readonly<Record<DecoyKind, readonly [number, number]>> = {
  WORKLOAD_SHIFT: [60, 180],
  NOISY_NEIGHBOUR: [30, 120],
  TRANSIENT_DEPLOYMENT: [15, 45],
  NETWORK_BLIP: [15, 60],
  ERROR_BURST: [15, 60],
};

/**
 * The decoys of a run, from their own stream (so turning them on moves no incident) forked per day
 * (so adding days keeps the earlier days' decoys).
 */
function planDecoys(config: GenerationConfig, topology: Topology): Decoy[] {
  if (config.knobs.decoysPerDay <= 0) return [];
  const rng = createRng(`meltgen/${config.seed}/decoys`);
  const start = parseDate(config.startDate);
  const g = config.granularityMinutes;
  const out: Decoy[] = [];
  for (let d = 0; d < config.days; d++) {
    const dayRng = fork(rng, 'decoy-day');
    const count = poisson(dayRng, config.knobs.decoysPerDay);
    for (let k = 0; k < count; k++) {
      const kind = pick(dayRng, DECOY_KINDS);
      const service = pick(dayRng, topology.services);
      const startMs = start + d * DAY_MS + int(dayRng, 0, 1440 / g - 1) * g * MINUTE_MS;
      const [lo, hi] = DECOY_MINUTES[kind];
      const minutes = Math.max(g, Math.round(uniform(dayRng, lo, hi) / g) * g);
      const level = kind === 'WORKLOAD_SHIFT' ? uniform(dayRng, 1.6, 2.5) : uniform(dayRng, 0.5, 1);
      const hosts = kind === 'NOISY_NEIGHBOUR' || kind === 'NETWORK_BLIP' ? [pick(dayRng, service.hosts)] : service.hosts;
      const eventId = kind === 'TRANSIENT_DEPLOYMENT' ? uuid(dayRng) : null;
      out.push({ kind, service: service.name, hostIndexes: hosts.map((h) => h.index), startMs, endMs: startMs + minutes * MINUTE_MS, level, eventId });
    }
  }
  return out.sort((a, b) => a.startMs - b.startMs);
}
