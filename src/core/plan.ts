import type { GenerationConfig } from './config.ts';
import { INCIDENT_SPECS, type IncidentType, type IncidentTypeSpec, type MetricKey } from './incident-types.ts';
import { chance, fork, int, pick, poisson, sample, uniform, uuid, weighted, type Rng } from './rng.ts';
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
}

type MutableIncident = { -readonly [K in keyof Incident]: Incident[K] };

function lowerSeverity(s: Severity): Severity {
  return s === 'P1' ? 'P2' : 'P3';
}

function chooseTarget(
  rng: Rng,
  type: IncidentType,
  topology: Topology,
): { service: ServiceNode | null; region: string | null; hosts: Host[] } {
  const spec = INCIDENT_SPECS[type];
  if (spec.target === 'region') {
    const populated = topology.regions.filter((r) => topology.hosts.some((h) => h.region === r));
    const region = pick(rng, populated);
    return { service: null, region, hosts: topology.hosts.filter((h) => h.region === region) };
  }
  let candidates: readonly ServiceNode[] = topology.services;
  if (spec.target === 'leaf-service') candidates = topology.services.filter((s) => s.calls.length === 0);
  if (spec.target === 'called-service') candidates = topology.services.filter((s) => s.callers.length > 0);
  if (candidates.length === 0) candidates = topology.services;
  const service = pick(rng, candidates);
  const n = service.hosts.length;
  // A partial outage: a fixed subset of the hosts, never all of them when there are several.
  const k = spec.partial && n > 1 ? int(rng, 1, Math.max(1, Math.ceil(n / 2))) : n;
  const chosen = new Set(sample(rng, service.hosts, k).map((h) => h.id));
  return { service, region: null, hosts: service.hosts.filter((h) => chosen.has(h.id)) };
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
    hosts: target.hosts.map((h) => h.id),
    services: [...new Set(target.hosts.map((h) => h.service))],
    startMs,
    endMs,
    oomMs: type === 'MEMORY_LEAK' ? oomTime(startMs, endMs, g) : null,
    severity: spec.severity,
    strength: uniform(rng, 0.75, 1),
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
  const reached = new Set<string>([primary.targetService]);
  let frontier: MutableIncident[] = [primary];
  const delay = config.cascadeDelayMinutes * MINUTE_MS;
  while (frontier.length > 0) {
    const next: MutableIncident[] = [];
    for (const parent of frontier) {
      const service = topology.serviceByName.get(parent.targetService as string) as ServiceNode;
      // Farther hops are less likely: callers buffer with retries and timeouts.
      const prob = primary.type === 'CASCADING_FAILURE' ? spec.cascadingProb : spec.cascadingProb * Math.pow(0.6, parent.hop);
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
    const count = poisson(dayRng, config.incidentRate);
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
  const families = new Map<string, Incident[]>();
  for (const inc of all) families.set(inc.primaryId, [...(families.get(inc.primaryId) ?? []), inc]);
  return { incidents: all, byId: new Map(all.map((i) => [i.id, i])), families, byDay };
}
