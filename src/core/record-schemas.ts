import { Type, type Static, type TSchema } from 'typebox';
import { INCIDENT_TYPES, METRIC_KEYS } from './incident-types.ts';
import { SIGNALS } from './config.ts';
import type { CatalogIncident, CatalogSummary } from './catalog.ts';
import type { LabelRecord, LogRecord, MetricRecord, SpanRecord } from './records.ts';

// Exact schemas of every record a dataset holds, as the writers write them: the original
// generator's field names, `additionalProperties: false`, nullable where null is written, optional
// only where a field is sometimes absent (mostly the `annotateRecords` fields). They name the
// OpenAPI document's components; test/core/record-schemas.test.ts validates every record of real
// datasets against them in both directions.

/** The `$id` of a named schema; a schema without one is a programming error. */
export function schemaId(schema: TSchema): string {
  const id = (schema as { $id?: unknown }).$id;
  if (typeof id !== 'string') throw new Error('schemaRef: the schema has no $id');
  return id;
}

/** A `$ref` to a named schema (one with an `$id`) that keeps the referenced schema's static type. */
export function schemaRef<T extends TSchema>(schema: T): ReturnType<typeof Type.Unsafe<Static<T>>> {
  return Type.Unsafe<Static<T>>(Type.Ref(schemaId(schema)));
}

const SECONDS = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$';
const MILLIS = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$';
/** A UTC time to the second, as the original writes it: `2024-06-03T10:15:00Z`. */
const Time = (description = 'UTC time, to the second.'): ReturnType<typeof Type.String> => Type.String({ pattern: SECONDS, description });
/** A span's or log line's UTC time, to the millisecond: `2024-06-03T10:15:07.123Z`. */
const TimeMs = Type.String({ pattern: MILLIS, description: 'UTC time, to the millisecond.' });
const Uuid = (description: string): ReturnType<typeof Type.String> => Type.String({ format: 'uuid', description });
const IncidentType = Type.Enum([...INCIDENT_TYPES], { description: 'The incident type.' });
const Severity = Type.Enum(['P1', 'P2', 'P3'], { description: 'P1 (worst) to P3.' });
const Nullable = <T extends TSchema>(schema: T, description: string) => Type.Union([schema, Type.Null()], { description });

/** The two fields `annotateRecords: true` adds to data rows (absent by default: labels stay out of the data). */
const annotation = {
  incident_id: Type.Optional(Uuid('Only with annotateRecords: the first incident active on the host in the interval (catalog id).')),
  incident_type: Type.Optional(IncidentType),
};

// ---- Metrics, logs, traces --------------------------------------------------------------------

const metricDescriptions: Record<(typeof METRIC_KEYS)[number], string> = {
  'system.cpu.util': 'CPU utilization, percent.',
  'system.mem.util': 'Memory utilization, percent.',
  'net.latency.ms': 'Mean response latency, milliseconds.',
  'app.error_rate': 'Failed requests, percent.',
  'app.request_count': 'Requests in the interval (whole number).',
  'net.packet_loss.pct': 'Packet loss, percent.',
  'db.connection_pool.util': 'Database connection pool utilization, percent.',
  'resource.pool.util': 'Worker/thread pool utilization, percent.',
};

export const MetricRecordSchema = Type.Object(
  {
    timestamp: Time('Start of the interval (UTC).'),
    host_id: Type.String({ description: 'The host, `<service>-<6 hex>`.' }),
    service: Type.String(),
    region: Type.String(),
    metrics: Type.Object(
      Object.fromEntries(METRIC_KEYS.map((k) => [k, k === 'app.request_count' ? Type.Integer({ minimum: 0, description: metricDescriptions[k] }) : Type.Number({ description: metricDescriptions[k] })])) as Record<
        (typeof METRIC_KEYS)[number],
        ReturnType<typeof Type.Number>
      >,
      { additionalProperties: false, description: 'The eight metrics of the host in the interval; two decimals except the request count.' },
    ),
    ...annotation,
  },
  { $id: 'MetricRecord', additionalProperties: false, description: 'One host in one interval: a row of `metrics/YYYY-MM/metrics_YYYY-MM-DD.json`.' },
);

export const SpanRecordSchema = Type.Object(
  {
    trace_id: Type.String({ pattern: '^[0-9a-f]{32}$', description: '32 hex digits; the spans of one request share it.' }),
    span_id: Type.String({ pattern: '^[0-9a-f]{16}$', description: '16 hex digits.' }),
    parent_span_id: Nullable(Type.String({ pattern: '^[0-9a-f]{16}$' }), 'The calling span; null for the root (the entry service).'),
    timestamp: TimeMs,
    service_name: Type.String(),
    operation: Type.String({ description: 'HTTP method and route, e.g. `GET /inventory/items`.' }),
    duration_ms: Type.Number({ minimum: 0, description: 'Milliseconds, three decimals.' }),
    status_code: Type.Integer({ description: 'HTTP status: 200, or 5xx for a failed span.' }),
    attributes: Type.Object(
      {
        'http.method': Type.String(),
        'host.name': Type.String({ description: 'The host that served the span.' }),
        'cloud.region': Type.String(),
        'peer.service': Type.Optional(Type.String({ description: 'The calling service (on every span but the root).' })),
        'error.type': Type.Optional(Type.String({ description: 'On failed spans: what failed.' })),
      },
      { additionalProperties: false },
    ),
    ...annotation,
  },
  { $id: 'SpanRecord', additionalProperties: false, description: 'One span: a row of `traces/YYYY-MM/traces_YYYY-MM-DD.json`. A trace is the spans sharing a trace_id.' },
);

export const LogRecordSchema = Type.Object(
  {
    timestamp: TimeMs,
    level: Type.Enum(['INFO', 'WARNING', 'ERROR']),
    service: Type.String(),
    host: Type.String(),
    trace_id: Type.String({ pattern: '^[0-9a-f]{32}$', description: 'The trace of the request the line belongs to.' }),
    span_id: Type.String({ pattern: '^[0-9a-f]{16}$', description: 'The span that wrote the line.' }),
    message: Type.String(),
    ...annotation,
  },
  { $id: 'LogRecord', additionalProperties: false, description: 'One log line: a row of `logs/YYYY-MM/logs_YYYY-MM-DD.json`; every line joins a span.' },
);

// ---- Events: one schema per type --------------------------------------------------------------

const eventBase = {
  timestamp: Time(),
  event_id: Uuid('Unique id of the event (the catalog’s caused_by_event_id points at one).'),
  message: Type.String(),
};
const ticket = Type.String({ pattern: '^INC-[0-9A-F]{8}$', description: 'The on-call ticket grouping an incident’s events (not a catalog id).' });
const event = <K extends string, P extends Record<string, TSchema>>(id: string, type: K, properties: P, description: string) =>
  Type.Object({ ...eventBase, type: Type.Literal(type), ...properties }, { $id: id, additionalProperties: false, description });

export const DeploymentEventSchema = event(
  'DeploymentEvent',
  'DEPLOYMENT',
  {
    service: Type.String(),
    region: Type.String(),
    version: Type.String({ pattern: '^v\\d+\\.\\d+\\.\\d+$' }),
    deployment_id: Uuid('The deployment.'),
    status: Type.Enum(['SUCCESS', 'ROLLED_BACK']),
    metadata: Type.Object({ deployed_by: Type.String(), rollback_reason: Nullable(Type.String(), 'Why it was rolled back; null when it was not.') }, { additionalProperties: false }),
  },
  'A deployment. The ones that cause incidents look exactly like the harmless ones; only the catalog tells.',
);

export const ConfigChangeEventSchema = event(
  'ConfigChangeEvent',
  'CONFIG_CHANGE',
  { service: Type.String(), config_key: Type.String(), old_value: Type.String(), new_value: Type.String(), changed_by: Type.String() },
  'A configuration change; as with deployments, the harmful ones look like the others.',
);

export const AutoscaleEventSchema = event(
  'AutoscaleEvent',
  'AUTOSCALE',
  { service: Type.String(), action: Type.Enum(['SCALE_UP', 'SCALE_DOWN']), current_replicas: Type.Integer(), new_replicas: Type.Integer(), trigger: Type.String({ description: 'CPU threshold, Latency threshold or Request rate.' }) },
  'Autoscaling, driven by what the hosts do: hot CPU or slow responses scale a service up.',
);

const PassFail = Type.Enum(['PASS', 'FAIL']);
export const HealthCheckEventSchema = event(
  'HealthCheckEvent',
  'HEALTH_CHECK',
  {
    service: Type.String(),
    status: Type.Enum(['HEALTHY', 'DEGRADED', 'UNHEALTHY']),
    checks: Type.Object({ liveness: PassFail, readiness: PassFail, startup: PassFail }, { additionalProperties: false }),
  },
  'A service’s probes, every two hours.',
);

export const ServiceRestartEventSchema = event(
  'ServiceRestartEvent',
  'SERVICE_RESTART',
  { service: Type.String(), host: Type.String(), region: Type.String(), reason: Type.String({ description: 'OOMKilled, or Planned restart.' }), exit_code: Type.Integer({ description: '137 for OOMKilled, 0 for a planned restart.' }) },
  'A container restart: planned, or killed for running out of memory.',
);

export const MaintenanceWindowEventSchema = event(
  'MaintenanceWindowEvent',
  'MAINTENANCE_WINDOW',
  { status: Type.Enum(['STARTED', 'COMPLETED']), affected_services: Type.Array(Type.String()) },
  'The start or end of a weekly maintenance window.',
);

export const UserActionEventSchema = event(
  'UserActionEvent',
  'USER_ACTION',
  {
    action: Type.String({ description: 'FORCE_RESTART, ROLLBACK, SCALE_OUT, FAILOVER, CLEAR_CACHE during incidents; CACHE_FLUSH, LOG_LEVEL_CHANGE, FEATURE_FLAG_TOGGLE as routine.' }),
    service: Type.String(),
    user: Type.String(),
    reason: Type.String(),
    metadata: Type.Object({ action_id: Uuid('The action.'), approved_by: Type.String() }, { additionalProperties: false }),
    ...annotation,
  },
  'An operator’s manual action: routine, or a response to an incident.',
);

export const AlertTriggerEventSchema = event(
  'AlertTriggerEvent',
  'ALERT_TRIGGER',
  {
    severity: Type.Enum(['CRITICAL', 'HIGH', 'MEDIUM']),
    source: Type.String({ description: 'The host whose metric crossed the threshold.' }),
    service: Type.String(),
    region: Type.String(),
    metric: Type.Enum([...METRIC_KEYS]),
    threshold_value: Type.Number(),
    current_value: Type.Number({ description: 'The value in the metrics file at that host and interval.' }),
    metadata: Type.Object({ alert_rule: Type.String(), notification_sent: Type.Boolean(), oncall_acknowledged: Type.Boolean() }, { additionalProperties: false }),
    ...annotation,
  },
  'A threshold alert: the first interval in which an incident’s signature metric crosses its rule on the target host.',
);

export const CascadeTriggerEventSchema = event(
  'CascadeTriggerEvent',
  'CASCADE_TRIGGER',
  {
    severity: Type.Enum(['CRITICAL', 'HIGH']),
    source: Nullable(Type.String(), 'The affected host.'),
    service: Type.String(),
    region: Nullable(Type.String(), 'The affected region.'),
    upstream_service: Nullable(Type.String(), 'The failing dependency.'),
    metadata: Type.Object({ dependency_path: Type.String({ description: 'Services from the root cause, `a -> b`.' }), propagation_delay_minutes: Type.Integer() }, { additionalProperties: false }),
    ...annotation,
    primary_incident_id: Type.Optional(Uuid('Only with annotateRecords.')),
    parent_incident_id: Type.Optional(Uuid('Only with annotateRecords.')),
  },
  'A failure passed on to a dependent service (a cascaded incident starts).',
);

export const IncidentUpdateEventSchema = event(
  'IncidentUpdateEvent',
  'INCIDENT_UPDATE',
  {
    ticket_id: ticket,
    update_type: Type.Enum(['UPDATE', 'ESCALATION', 'MITIGATION_ATTEMPT']),
    severity: Severity,
    service: Type.String(),
    affected_hosts_count: Type.Integer({ minimum: 0 }),
    affected_services: Type.Array(Type.String()),
    metadata: Type.Object(
      { updated_by: Type.String(), status: Type.Enum(['INVESTIGATING', 'MITIGATING', 'MONITORING']), impact: Type.Enum(['HIGH', 'MEDIUM', 'LOW']) },
      { additionalProperties: false },
    ),
    ...annotation,
  },
  'Progress of an incident’s handling, every 30–60 minutes while it lasts.',
);

export const IncidentResolvedEventSchema = event(
  'IncidentResolvedEvent',
  'INCIDENT_RESOLVED',
  {
    ticket_id: ticket,
    severity: Severity,
    service: Type.String(),
    region: Nullable(Type.String(), 'The incident’s region.'),
    duration_minutes: Type.Integer({ minimum: 0 }),
    metadata: Type.Object({ resolved_by: Type.String(), status: Type.Literal('RESOLVED') }, { additionalProperties: false }),
    ...annotation,
  },
  'The end of an incident.',
);

/** The per-type event schemas, in the order of EVENT_TYPES. */
export const EVENT_SCHEMAS = [
  DeploymentEventSchema,
  ConfigChangeEventSchema,
  AutoscaleEventSchema,
  HealthCheckEventSchema,
  ServiceRestartEventSchema,
  MaintenanceWindowEventSchema,
  UserActionEventSchema,
  AlertTriggerEventSchema,
  CascadeTriggerEventSchema,
  IncidentUpdateEventSchema,
  IncidentResolvedEventSchema,
] as const;

/**
 * One event: a row of `events/YYYY-MM/events_YYYY-MM-DD.json`. Events differ by `type`, so the
 * schema is one of eleven, each naming its own fields; `type` tells which (a typed client narrows
 * on it).
 */
export const EventRecordSchema = Type.Union(
  EVENT_SCHEMAS.map((s) => schemaRef(s)),
  { $id: 'EventRecord', description: 'One event; `type` says which of the eleven kinds, each with its own fields.' },
);

// ---- Labels -----------------------------------------------------------------------------------

export const LabelRecordSchema = Type.Object(
  {
    timestamp: Time('Start of the interval (UTC).'),
    host_id: Type.String(),
    service: Type.String(),
    incidents: Type.Array(
      Type.Object(
        {
          incident_id: Uuid('The catalog’s incident.'),
          incident_type: IncidentType,
          primary_incident_id: Uuid('The primary incident of its cascade (itself for a primary).'),
          role: Type.Enum(['root_cause', 'symptom'], { description: 'root_cause: where a primary incident happens; symptom: hit by a cascade or by failures passed up from a callee.' }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
  },
  { $id: 'LabelRecord', additionalProperties: false, description: 'A host-interval with at least one active incident: a row of `metadata/labels/YYYY-MM/labels_YYYY-MM-DD.json`.' },
);

// ---- The catalog ------------------------------------------------------------------------------

export const IncidentSchema = Type.Object(
  {
    id: Uuid('The incident’s id.'),
    type: IncidentType,
    target_host: Nullable(Type.String(), 'The host it starts on; null for a region-wide incident.'),
    target_service: Nullable(Type.String(), 'Its service; null for a region-wide incident.'),
    target_region: Nullable(Type.String(), 'Its region.'),
    start_time: Time(),
    end_time: Time(),
    root_cause: Type.Object(
      {
        service: Nullable(Type.String(), 'For a cascaded incident: the primary’s service.'),
        host: Nullable(Type.String(), 'For a cascaded incident: the primary’s host.'),
        region: Nullable(Type.String(), 'The root cause’s region.'),
        metric: Type.Enum([...METRIC_KEYS], { description: 'The signature metric.' }),
        effect: Type.Enum(['gradual', 'spike', 'plateau', 'intermittent', 'step'], { description: 'Shape of the signature.' }),
        severity: Severity,
        cascading_prob: Type.Number({ minimum: 0, maximum: 1 }),
      },
      { additionalProperties: false },
    ),
    status: Type.Enum(['RESOLVED', 'ONGOING'], { description: 'ONGOING when it ends after the dataset does.' }),
    severity: Severity,
    is_primary: Type.Boolean({ description: 'True for a root cause; false for an incident caused by another (cascaded).' }),
    primary_incident_id: Uuid('The primary of its cascade (itself for a primary).'),
    parent_incident_id: Nullable(Type.String({ format: 'uuid' }), 'The incident whose failure caused this one; null for a primary.'),
    caused_by_event_id: Nullable(Type.String({ format: 'uuid' }), 'The DEPLOYMENT or CONFIG_CHANGE event that caused it; null when no change did.'),
    caused_by_event_type: Nullable(Type.Enum(['DEPLOYMENT', 'CONFIG_CHANGE']), 'The type of that event.'),
    propagation_path: Type.Array(Type.String(), { description: 'Services from the root cause to this incident.' }),
    propagation_delay_minutes: Type.Integer({ minimum: 0 }),
    affected_hosts: Type.Array(Type.String()),
    affected_services: Type.Array(Type.String()),
    cascading_incidents: Type.Array(Type.String({ format: 'uuid' }), { description: 'The incidents this one caused directly.' }),
    overlapping_incidents: Type.Array(Type.String({ format: 'uuid' }), { description: 'Other incidents active on the same hosts at the same time.' }),
    crosses_midnight: Type.Boolean(),
    oom_kill_time: Type.Optional(Time('MEMORY_LEAK only, when memory runs out within the incident: the OOM kill (and restarts).')),
  },
  { $id: 'Incident', additionalProperties: false, description: 'One incident of the catalog: where, when, what it looked like and what caused it.' },
);

const typeCounts = <T extends TSchema>(value: T) => Type.Object(Object.fromEntries(INCIDENT_TYPES.map((t) => [t, value])) as Record<(typeof INCIDENT_TYPES)[number], T>, { additionalProperties: false });

export const CatalogSummarySchema = Type.Object(
  {
    total_incidents: Type.Integer({ minimum: 0 }),
    primary_incidents: Type.Integer({ minimum: 0 }),
    cascading_incidents: Type.Integer({ minimum: 0 }),
    incident_types: typeCounts(Type.Integer({ minimum: 0 })),
    root_cause_types: typeCounts(Type.Object({ incidents: Type.Integer({ minimum: 0 }), cascaded_incidents: Type.Integer({ minimum: 0 }) }, { additionalProperties: false })),
    midnight_crossing_incidents: Type.Integer({ minimum: 0 }),
    overlapping_incidents: Type.Integer({ minimum: 0 }),
  },
  { $id: 'CatalogSummary', additionalProperties: false, description: 'Counts: incidents by type, and primaries by root-cause type with the cascades each caused.' },
);

export const CatalogSchema = Type.Object(
  {
    generation_config: Type.Object(
      {
        start_date: Time(),
        days_generated: Type.Integer({ minimum: 1 }),
        granularity_minutes: Type.Integer({ minimum: 1 }),
        total_hosts: Type.Integer({ minimum: 1 }),
        services: Type.Array(Type.String()),
        regions: Type.Array(Type.String()),
        seed: Type.Integer({ minimum: 0 }),
        hosts_per_service: Type.Integer({ minimum: 1 }),
        service_dependencies: Type.Record(Type.String(), Type.Array(Type.String()), { description: 'Each service’s callees.' }),
        incident_rate: Type.Number({ minimum: 0 }),
        incident_mix: typeCounts(Type.Number({ minimum: 0 })),
        cascade_delay_minutes: Type.Integer({ minimum: 0 }),
        traces_per_entry_host: Type.Integer({ minimum: 0 }),
        quiet_gap_minutes: Type.Integer({ minimum: 0 }),
        annotate_records: Type.Boolean(),
        signals: Type.Array(Type.Enum([...SIGNALS])),
        hosts: Type.Array(Type.Object({ host_id: Type.String(), service: Type.String(), region: Type.String() }, { additionalProperties: false })),
      },
      { additionalProperties: false, description: 'The normalized config of the run, in the original’s snake_case names, and its hosts.' },
    ),
    incidents: Type.Array(schemaRef(IncidentSchema)),
    summary: schemaRef(CatalogSummarySchema),
  },
  { $id: 'Catalog', additionalProperties: false, description: '`metadata/incident_catalog.json`: the ground truth of a dataset.' },
);

/** The named schemas of this module, for app.addSchema (nested ones first). */
export const RECORD_SCHEMAS: readonly TSchema[] = [
  MetricRecordSchema,
  SpanRecordSchema,
  LogRecordSchema,
  ...EVENT_SCHEMAS,
  EventRecordSchema,
  LabelRecordSchema,
  IncidentSchema,
  CatalogSummarySchema,
  CatalogSchema,
];

// Every row these schemas accept is one the generator's interfaces (records.ts, catalog.ts)
// describe: a compile error when a schema drifts from the code that builds the rows. (The other
// way is not a type: the interfaces say `string` where the schemas list the values.)
type Fits<A, B> = [A] extends [B] ? true : never;
export const RECORD_SCHEMAS_FIT_TYPES: [
  Fits<Static<typeof MetricRecordSchema>, MetricRecord>,
  Fits<Static<typeof SpanRecordSchema>, SpanRecord>,
  Fits<Static<typeof LogRecordSchema>, LogRecord>,
  Fits<Static<typeof LabelRecordSchema>, LabelRecord>,
  Fits<Static<typeof CatalogSummarySchema>, CatalogSummary>,
  Fits<Static<typeof IncidentSchema>, CatalogIncident>,
] = [true, true, true, true, true, true];
