import type { Difficulty, ServiceKind, Signal, TopologyName } from './config.ts';
import type { Knobs } from './difficulty.ts';
import { alertPoint } from './events.ts';
import { INCIDENT_TYPES, type IncidentType, type IncidentTypeSpec, type MetricKey } from './incident-types.ts';
import type { Decoy, Incident, Severity } from './plan.ts';
import type { Simulation } from './simulation.ts';
import { isoSeconds } from './time.ts';

/** One incident as written to `incident_catalog.json`: the original's fields plus the fixed ground truth. */
export interface CatalogIncident {
  id: string;
  type: IncidentType;
  target_host: string | null;
  target_service: string | null;
  target_region: string | null;
  start_time: string;
  end_time: string;
  root_cause: {
    service: string | null;
    host: string | null;
    region: string | null;
    metric: MetricKey;
    effect: IncidentTypeSpec['effect'];
    severity: Severity;
    cascading_prob: number;
  };
  /**
   * What a root-cause model should name: the service(s) of the cascade's primary with the metric
   * that carries the fault's signature there (two or more for a fault that struck several services
   * at once, every service of the region for a partition).
   */
  root_cause_indicators: { service: string; metric: MetricKey }[];
  /** When the incident's first alert fired (it may lag the start, or never come: null). */
  detected_at: string | null;
  status: 'RESOLVED' | 'ONGOING';
  severity: Severity;
  is_primary: boolean;
  /** The primary of the cascade (itself for a primary). */
  primary_incident_id: string;
  /** The incident whose failure caused this one; null for a primary. */
  parent_incident_id: string | null;
  /** The DEPLOYMENT or CONFIG_CHANGE event (by its event_id) that caused the incident, or null. */
  caused_by_event_id: string | null;
  caused_by_event_type: 'DEPLOYMENT' | 'CONFIG_CHANGE' | null;
  propagation_path: string[];
  propagation_delay_minutes: number;
  affected_hosts: string[];
  affected_services: string[];
  cascading_incidents: string[];
  overlapping_incidents: string[];
  crosses_midnight: boolean;
  oom_kill_time?: string;
}

export interface CatalogSummary {
  total_incidents: number;
  primary_incidents: number;
  cascading_incidents: number;
  incident_types: Record<IncidentType, number>;
  /** Primary incidents by type, with how many cascaded incidents each type caused. */
  root_cause_types: Record<IncidentType, { incidents: number; cascaded_incidents: number }>;
  midnight_crossing_incidents: number;
  overlapping_incidents: number;
}

/**
 * The catalog's `generation_config`: the normalized config of the run in the original's snake_case
 * names, and its hosts. A type alias, not an interface, so it still passes where a plain record is
 * expected.
 */
export type CatalogGenerationConfig = {
  /** Midnight (UTC) of the first day, to the second: `2024-06-01T00:00:00Z`. */
  start_date: string;
  days_generated: number;
  granularity_minutes: number;
  total_hosts: number;
  services: string[];
  regions: string[];
  seed: number;
  hosts_per_service: number;
  service_dependencies: Record<string, string[]>;
  incident_rate: number;
  incident_mix: Record<IncidentType, number>;
  cascade_delay_minutes: number;
  traces_per_entry_host: number;
  quiet_gap_minutes: number;
  annotate_records: boolean;
  signals: Signal[];
  topology: TopologyName;
  difficulty: Difficulty;
  knobs: Knobs;
  service_kinds: Record<string, ServiceKind>;
  hosts: { host_id: string; service: string; region: string }[];
};

/** A decoy as the catalog lists it: a harmless anomaly in no label, named so that nothing is hidden. */
export interface CatalogDecoy {
  kind: Decoy['kind'];
  service: string;
  hosts: string[];
  start_time: string;
  end_time: string;
  /** The DEPLOYMENT event of a transient deployment; null otherwise. */
  event_id: string | null;
}

export interface IncidentCatalog {
  generation_config: CatalogGenerationConfig;
  incidents: CatalogIncident[];
  summary: CatalogSummary;
  decoys: CatalogDecoy[];
}

function catalogIncident(sim: Simulation, inc: Incident): CatalogIncident {
  const parent = inc.parentId ? sim.plan.byId.get(inc.parentId) : undefined;
  const out: CatalogIncident = {
    id: inc.id,
    type: inc.type,
    target_host: inc.targetHost,
    target_service: inc.targetService,
    target_region: inc.targetRegion,
    start_time: isoSeconds(inc.startMs),
    end_time: isoSeconds(inc.endMs),
    root_cause: {
      service: inc.targetService,
      host: inc.targetHost,
      region: inc.targetRegion,
      metric: inc.metric,
      effect: inc.effect,
      severity: inc.severity,
      cascading_prob: Math.round(inc.cascadingProb * 1000) / 1000,
    },
    root_cause_indicators: inc.rootCauses.map((r) => ({ service: r.service, metric: r.metric })),
    detected_at: detectedAt(sim, inc),
    status: inc.endMs <= sim.endMs ? 'RESOLVED' : 'ONGOING',
    severity: inc.severity,
    is_primary: inc.isPrimary,
    primary_incident_id: inc.primaryId,
    parent_incident_id: inc.parentId,
    caused_by_event_id: inc.cause?.eventId ?? null,
    caused_by_event_type: inc.cause?.kind ?? null,
    propagation_path: [...inc.propagationPath],
    propagation_delay_minutes: inc.hop * sim.config.cascadeDelayMinutes,
    affected_hosts: [...inc.hosts],
    affected_services: [...inc.services],
    cascading_incidents: [...inc.children],
    overlapping_incidents: [...inc.overlaps],
    crosses_midnight: isoSeconds(inc.startMs).slice(0, 10) !== isoSeconds(inc.endMs - 1).slice(0, 10),
  };
  if (!inc.isPrimary) {
    // The original's root_cause fields describe the incident itself; for a symptom, say what it depends on.
    out.root_cause.service = sim.plan.byId.get(inc.primaryId)?.targetService ?? null;
    out.root_cause.host = sim.plan.byId.get(inc.primaryId)?.targetHost ?? null;
    out.root_cause.region = sim.plan.byId.get(inc.primaryId)?.targetRegion ?? null;
  }
  if (parent && parent.targetService === null) out.root_cause.region = parent.targetRegion;
  if (inc.oomMs !== null) out.oom_kill_time = isoSeconds(inc.oomMs);
  return out;
}

/** The ground-truth catalog of a run: its config, every incident and a summary. */
export function buildCatalog(sim: Simulation): IncidentCatalog {
  const { config, topology, plan } = sim;
  const incidents = plan.incidents.map((inc) => catalogIncident(sim, inc));
  const types = {} as Record<IncidentType, number>;
  const roots = {} as Record<IncidentType, { incidents: number; cascaded_incidents: number }>;
  for (const t of INCIDENT_TYPES) {
    types[t] = 0;
    roots[t] = { incidents: 0, cascaded_incidents: 0 };
  }
  for (const inc of plan.incidents) {
    types[inc.type] = (types[inc.type] as number) + 1;
    const rootType = plan.byId.get(inc.primaryId)?.type as IncidentType;
    const r = roots[rootType] as { incidents: number; cascaded_incidents: number };
    if (inc.isPrimary) r.incidents++;
    else r.cascaded_incidents++;
  }
  const primaries = plan.incidents.filter((i) => i.isPrimary).length;
  return {
    generation_config: {
      start_date: isoSeconds(sim.startMs),
      days_generated: config.days,
      granularity_minutes: config.granularityMinutes,
      total_hosts: topology.hosts.length,
      services: config.services.map((s) => s.name),
      regions: [...config.regions],
      seed: config.seed,
      hosts_per_service: config.hostsPerService,
      service_dependencies: Object.fromEntries(config.services.map((s) => [s.name, [...s.calls]])),
      incident_rate: config.incidentRate,
      incident_mix: { ...config.incidentMix },
      cascade_delay_minutes: config.cascadeDelayMinutes,
      traces_per_entry_host: config.tracesPerEntryHost,
      quiet_gap_minutes: config.quietGapMinutes,
      annotate_records: config.annotateRecords,
      signals: [...config.signals],
      topology: config.topology,
      difficulty: config.difficulty,
      knobs: { ...config.knobs },
      service_kinds: Object.fromEntries(config.services.map((s) => [s.name, s.kind])),
      hosts: topology.hosts.map((h) => ({ host_id: h.id, service: h.service, region: h.region })),
    },
    incidents,
    summary: {
      total_incidents: plan.incidents.length,
      primary_incidents: primaries,
      cascading_incidents: plan.incidents.length - primaries,
      incident_types: types,
      root_cause_types: roots,
      midnight_crossing_incidents: incidents.filter((i) => i.crosses_midnight).length,
      overlapping_incidents: incidents.filter((i) => i.overlapping_incidents.length > 0).length,
    },
    decoys: plan.decoys.map((d) => ({
      kind: d.kind,
      service: d.service,
      hosts: d.hostIndexes.map((i) => topology.hosts[i]?.id ?? ''),
      start_time: isoSeconds(d.startMs),
      end_time: isoSeconds(d.endMs),
      event_id: d.eventId,
    })),
  };
}

/** The first alert's time, to the second, or null when none fires inside the run. */
function detectedAt(sim: Simulation, inc: Incident): string | null {
  const alert = alertPoint(sim, inc);
  return alert ? isoSeconds(alert.ms) : null;
}

/** `root_cause.txt`: the primary incidents and their cascades, one block each, for people to read. */
export function rootCauseText(catalog: IncidentCatalog): string {
  const byId = new Map(catalog.incidents.map((i) => [i.id, i]));
  const lines: string[] = [
    'meltgen root causes',
    `seed ${String(catalog.generation_config.seed)}, ${String(catalog.generation_config.days_generated)} days from ${String(catalog.generation_config.start_date)}`,
    `${catalog.summary.primary_incidents} primary incidents, ${catalog.summary.cascading_incidents} cascaded`,
    '',
  ];
  const walk = (id: string, depth: number): void => {
    const inc = byId.get(id);
    if (!inc) return;
    const where = inc.target_service ? `${inc.target_service} (${inc.affected_hosts.join(', ')})` : `region ${inc.target_region} (${inc.affected_hosts.length} hosts)`;
    const head = depth === 0 ? `${inc.start_time} .. ${inc.end_time}  ${inc.type}  ${inc.root_cause.severity}  ${inc.id}` : `${'  '.repeat(depth)}-> ${inc.start_time}  ${inc.type} on ${inc.target_service}  ${inc.id}`;
    lines.push(head);
    if (depth === 0) lines.push(`   root cause: ${inc.root_cause.metric} (${inc.root_cause.effect}) on ${where}`);
    for (const c of inc.cascading_incidents) walk(c, depth + 1);
  };
  for (const inc of catalog.incidents) if (inc.is_primary) walk(inc.id, 0);
  return lines.join('\n') + '\n';
}
