/** The nine incident types of the original generator. */
export const INCIDENT_TYPES = [
  'MEMORY_LEAK',
  'CPU_SATURATION',
  'NETWORK_PACKET_LOSS',
  'DB_CONTENTION',
  'NETWORK_PARTITION',
  'DEPENDENCY_DEGRADATION',
  'CONFIG_MISMATCH',
  'RESOURCE_EXHAUSTION',
  'CASCADING_FAILURE',
] as const;

export type IncidentType = (typeof INCIDENT_TYPES)[number];

/** Metric keys as they appear in the `metrics` object of a metrics record. */
export type MetricKey =
  | 'system.cpu.util'
  | 'system.mem.util'
  | 'net.latency.ms'
  | 'app.error_rate'
  | 'app.request_count'
  | 'net.packet_loss.pct'
  | 'db.connection_pool.util'
  | 'resource.pool.util';

/** The metrics of a metrics record, in the order the file has them. */
export const METRIC_KEYS: readonly MetricKey[] = [
  'system.cpu.util',
  'system.mem.util',
  'net.latency.ms',
  'app.error_rate',
  'app.request_count',
  'net.packet_loss.pct',
  'db.connection_pool.util',
  'resource.pool.util',
];

/** Which services an incident of a type may start on. */
export type TargetKind = 'any-service' | 'leaf-service' | 'called-service' | 'region';

/** Static description of an incident type: where it lands, how long it lasts, how it looks. */
export interface IncidentTypeSpec {
  readonly target: TargetKind;
  /** Whether it hits a fixed subset of the target service's hosts (a partial outage) or all of them. */
  readonly partial: boolean;
  readonly minMinutes: number;
  readonly maxMinutes: number;
  /** The metric that carries the signature on the root-cause hosts. */
  readonly metric: MetricKey;
  /** Shape of the signature, as in the original catalog's `root_cause.effect`. */
  readonly effect: 'gradual' | 'spike' | 'plateau' | 'intermittent' | 'step';
  readonly severity: 'P1' | 'P2' | 'P3';
  /** Chance that the incident spreads to each caller of the failing service, per hop. */
  readonly cascadingProb: number;
  /** The cascaded incidents' type. */
  readonly cascadesAs: IncidentType;
  /**
   * How often a primary of this type is caused by a change minutes before it starts: the chance,
   * and the share of those changes that are config changes (the rest are deployments).
   */
  readonly changeCause: { readonly prob: number; readonly configShare: number } | null;
}

/** Per-type behaviour. Durations are in minutes. */
export const INCIDENT_SPECS: Readonly<Record<IncidentType, IncidentTypeSpec>> = {
  MEMORY_LEAK: { target: 'any-service', partial: true, minMinutes: 240, maxMinutes: 720, metric: 'system.mem.util', effect: 'gradual', severity: 'P2', cascadingProb: 0.3, cascadesAs: 'DEPENDENCY_DEGRADATION', changeCause: { prob: 0.5, configShare: 0 } },
  CPU_SATURATION: { target: 'any-service', partial: true, minMinutes: 60, maxMinutes: 240, metric: 'system.cpu.util', effect: 'plateau', severity: 'P2', cascadingProb: 0.5, cascadesAs: 'DEPENDENCY_DEGRADATION', changeCause: { prob: 0.4, configShare: 0 } },
  NETWORK_PACKET_LOSS: { target: 'any-service', partial: true, minMinutes: 30, maxMinutes: 180, metric: 'net.packet_loss.pct', effect: 'spike', severity: 'P3', cascadingProb: 0.4, cascadesAs: 'DEPENDENCY_DEGRADATION', changeCause: null },
  DB_CONTENTION: { target: 'leaf-service', partial: false, minMinutes: 60, maxMinutes: 300, metric: 'db.connection_pool.util', effect: 'spike', severity: 'P2', cascadingProb: 0.8, cascadesAs: 'DEPENDENCY_DEGRADATION', changeCause: null },
  NETWORK_PARTITION: { target: 'region', partial: false, minMinutes: 30, maxMinutes: 120, metric: 'net.packet_loss.pct', effect: 'step', severity: 'P1', cascadingProb: 0, cascadesAs: 'DEPENDENCY_DEGRADATION', changeCause: null },
  DEPENDENCY_DEGRADATION: { target: 'called-service', partial: false, minMinutes: 120, maxMinutes: 360, metric: 'net.latency.ms', effect: 'gradual', severity: 'P3', cascadingProb: 0.7, cascadesAs: 'DEPENDENCY_DEGRADATION', changeCause: null },
  CONFIG_MISMATCH: { target: 'any-service', partial: true, minMinutes: 60, maxMinutes: 240, metric: 'app.error_rate', effect: 'intermittent', severity: 'P3', cascadingProb: 0.2, cascadesAs: 'DEPENDENCY_DEGRADATION', changeCause: { prob: 1, configShare: 0.6 } },
  RESOURCE_EXHAUSTION: { target: 'any-service', partial: true, minMinutes: 60, maxMinutes: 240, metric: 'resource.pool.util', effect: 'gradual', severity: 'P2', cascadingProb: 0.4, cascadesAs: 'DEPENDENCY_DEGRADATION', changeCause: { prob: 0.3, configShare: 1 } },
  CASCADING_FAILURE: { target: 'called-service', partial: false, minMinutes: 60, maxMinutes: 180, metric: 'app.error_rate', effect: 'spike', severity: 'P1', cascadingProb: 0.9, cascadesAs: 'CASCADING_FAILURE', changeCause: null },
};

/**
 * Default mix of primary incident types: the primaries of the original's default year
 * (146 incidents, 103 primary), so a default run looks like the data people already have.
 */
export const DEFAULT_INCIDENT_MIX: Readonly<Record<IncidentType, number>> = {
  MEMORY_LEAK: 15,
  CPU_SATURATION: 13,
  NETWORK_PACKET_LOSS: 12,
  DB_CONTENTION: 13,
  NETWORK_PARTITION: 9,
  DEPENDENCY_DEGRADATION: 14,
  CONFIG_MISMATCH: 4,
  RESOURCE_EXHAUSTION: 5,
  CASCADING_FAILURE: 18,
};

/**
 * The metrics that carry an incident signature, in METRIC_KEYS order: every metric but
 * `app.request_count`, the workload, which no fault type changes first. What the validator measures
 * and what a root-cause indicator may name.
 */
export const SIGNATURE_METRICS: readonly MetricKey[] = METRIC_KEYS.filter((k) => INCIDENT_TYPES.some((t) => INCIDENT_SPECS[t].metric === k));
