import type { IncidentType } from './incident-types.ts';

/**
 * The record shapes of the four signals. Field names are those of the original generator, so the
 * readers people already have keep working; fields it did not have are additions, never renames.
 */

export interface MetricRecord {
  timestamp: string;
  host_id: string;
  service: string;
  region: string;
  metrics: {
    'system.cpu.util': number;
    'system.mem.util': number;
    'net.latency.ms': number;
    'app.error_rate': number;
    'app.request_count': number;
    'net.packet_loss.pct': number;
    'db.connection_pool.util': number;
    'resource.pool.util': number;
  };
  /** Only with `annotateRecords`: the first incident active on the host in the interval. */
  incident_id?: string;
  incident_type?: IncidentType;
}

/** One span. A trace is the set of spans sharing a `trace_id`; the root has `parent_span_id: null`. */
export interface SpanRecord {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  timestamp: string;
  service_name: string;
  operation: string;
  duration_ms: number;
  status_code: number;
  attributes: {
    'http.method': string;
    'host.name': string;
    'cloud.region': string;
    'peer.service'?: string;
    'error.type'?: string;
  };
  /** Only with `annotateRecords`. */
  incident_id?: string;
  incident_type?: IncidentType;
}

export interface LogRecord {
  timestamp: string;
  level: 'INFO' | 'WARNING' | 'ERROR';
  service: string;
  host: string;
  trace_id: string;
  span_id: string;
  message: string;
  /** Only with `annotateRecords`. */
  incident_id?: string;
  incident_type?: IncidentType;
}

/** Events vary by `type`; all have `timestamp`, `type` and `message`. */
export interface EventRecord {
  timestamp: string;
  type: EventType;
  message: string;
  [field: string]: unknown;
}

export const EVENT_TYPES = [
  'DEPLOYMENT',
  'CONFIG_CHANGE',
  'AUTOSCALE',
  'HEALTH_CHECK',
  'SERVICE_RESTART',
  'MAINTENANCE_WINDOW',
  'USER_ACTION',
  'ALERT_TRIGGER',
  'CASCADE_TRIGGER',
  'INCIDENT_UPDATE',
  'INCIDENT_RESOLVED',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** One incident on a host in an interval, as the label files list it. */
export interface LabelEntry {
  incident_id: string;
  incident_type: IncidentType;
  primary_incident_id: string;
  /** `root_cause`: where a primary incident happens; `symptom`: hit by a cascade or by failures passed up from a callee. */
  role: 'root_cause' | 'symptom';
}

/** A host-interval with at least one active incident: one row of `metadata/labels/YYYY-MM/labels_YYYY-MM-DD.json`. */
export interface LabelRecord {
  timestamp: string;
  host_id: string;
  service: string;
  incidents: LabelEntry[];
}

/** Everything one day contributes to the dataset. */
export interface DayRecords {
  /** `YYYY-MM-DD` */
  readonly date: string;
  readonly metrics: MetricRecord[];
  readonly events: EventRecord[];
  readonly logs: LogRecord[];
  readonly traces: SpanRecord[];
  /** Ground truth, always made: every host-interval with an active incident. */
  readonly labels: LabelRecord[];
}
