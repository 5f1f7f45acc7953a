import { Type, type Static, type TSchema } from '../typebox.ts';
import type { CatalogGenerationConfig, CatalogIncident, CatalogSummary, IncidentCatalog } from './catalog.ts';
import { DIFFICULTIES, NAME_PATTERN, SERVICE_KINDS, SIGNALS, TOPOLOGIES } from './config.ts';
import { KnobsSchema } from './difficulty.ts';
import { DECOY_KINDS } from './plan.ts';
import { INCIDENT_SPECS, INCIDENT_TYPES, METRIC_KEYS, SIGNATURE_METRICS, type IncidentType, type IncidentTypeSpec, type MetricKey } from './incident-types.ts';
import type { EventRecord, EventType, LabelEntry, LabelRecord, LogRecord, MetricRecord, SpanRecord } from './records.ts';

// Exact schemas of every record a dataset holds, as the writers write them (src/core/day.ts,
// events.ts and catalog.ts, rendered by src/output/day-bytes.ts): the original generator's field
// names, `additionalProperties: false` everywhere, every always-written field required, optional
// only where a field is sometimes absent (mostly the `annotateRecords` fields), nullable only where
// null is written, enums where the set of values is closed. They name the OpenAPI document's
// components; test/core/record-schemas.test.ts validates every record of real datasets against them
// in both directions (nothing written is unknown to them; nothing they declare is never written).

/** The `$id` of a named schema; a schema without one is a programming error. */
export function schemaId(schema: TSchema): string {
  const id = (schema as { $id?: unknown }).$id;
  if (typeof id !== 'string') throw new Error('schemaRef: the schema has no $id');
  return id;
}

/**
 * A `$ref` to a named schema (one with an `$id`) that keeps the referenced schema's static type.
 * TypeBox 1.4 does not carry `$id` in a schema's type (`T extends TSchema & { $id: string }` would
 * refuse every schema), so the name is checked at run time, when the ref is made.
 */
export function schemaRef<T extends TSchema>(schema: T): ReturnType<typeof Type.Unsafe<Static<T>>> {
  return Type.Unsafe<Static<T>>(Type.Ref(schemaId(schema)));
}

// ---- Building blocks --------------------------------------------------------------------------

/** `2024-06-03T10:15:00Z`: metrics, labels, events and the catalog (isoSeconds). */
const SECONDS = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$';
/** `2024-06-03T10:15:07.123Z`: spans and log lines (toISOString). */
const MILLIS = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$';
/** `<service>-<6 hex digits>` (src/core/topology.ts). */
const HOST_PATTERN = '^[a-z0-9][a-z0-9-]{0,62}-[0-9a-f]{6}$';

const Time = (description: string) => Type.String({ format: 'date-time', pattern: SECONDS, description });
const TimeMs = (description: string) => Type.String({ format: 'date-time', pattern: MILLIS, description });
const Name = (description: string) => Type.String({ pattern: NAME_PATTERN, description });
const Service = (description = 'Service name.') => Name(description);
const Region = (description = 'Region name.') => Name(description);
const HostId = (description = 'Host id: `<service>-<6 hex digits>`.') => Type.String({ pattern: HOST_PATTERN, description });
const Uuid = (description: string) => Type.String({ format: 'uuid', description });
const TraceId = (description: string) => Type.String({ pattern: '^[0-9a-f]{32}$', description });
const SpanId = (description: string) => Type.String({ pattern: '^[0-9a-f]{16}$', description });
const Nullable = <T extends TSchema>(schema: T, description: string) => Type.Union([schema, Type.Null()], { description });
const IncidentTypeEnum = (description: string) => Type.Enum([...INCIDENT_TYPES], { description });
const Severity = (description: string) => Type.Enum(['P1', 'P2', 'P3'], { description });
const Person = (description: string) => Type.String({ description });

/** The metrics an incident type can carry its signature on: every metric but the request count. */
/** The types cascaded incidents have: what their primary's type cascades as. */
const CASCADE_TYPES: IncidentType[] = INCIDENT_TYPES.filter((t) => INCIDENT_TYPES.some((p) => INCIDENT_SPECS[p].cascadesAs === t));
const EFFECTS: IncidentTypeSpec['effect'][] = ['gradual', 'spike', 'plateau', 'intermittent', 'step'];

/** The two fields `annotateRecords: true` adds to data rows (absent by default: labels stay out of the data). */
const annotation = {
  incident_id: Type.Optional(Uuid('Only with annotateRecords: the catalog id of the first incident active on the host in the interval (on events: of the incident the event belongs to).')),
  incident_type: Type.Optional(IncidentTypeEnum('Only with annotateRecords: that incident’s type.')),
};

// ---- Metrics, traces, logs --------------------------------------------------------------------

const METRIC_DESCRIPTIONS: Record<MetricKey, string> = {
  'system.cpu.util': 'CPU utilization, percent.',
  'system.mem.util': 'Memory utilization, percent.',
  'net.latency.ms': 'Mean response latency, milliseconds.',
  'app.error_rate': 'Failed requests, percent.',
  'app.request_count': 'Requests in the interval (a whole number).',
  'net.packet_loss.pct': 'Packet loss, percent.',
  'db.connection_pool.util': 'Database connection pool utilization, percent.',
  'resource.pool.util': 'Worker/thread pool utilization, percent.',
};

export const MetricRecordSchema = Type.Object(
  {
    timestamp: Time('Start of the interval (UTC), to the second.'),
    host_id: HostId(),
    service: Service('The host’s service.'),
    region: Region('The host’s region.'),
    metrics: Type.Object(
      Object.fromEntries(
        METRIC_KEYS.map((k) => [k, k === 'app.request_count' ? Type.Integer({ minimum: 0, description: METRIC_DESCRIPTIONS[k] }) : Type.Number({ description: METRIC_DESCRIPTIONS[k] })]),
      ) as Record<MetricKey, ReturnType<typeof Type.Number>>,
      { additionalProperties: false, description: 'The eight metrics of the host in the interval: the request count whole, the rest to 2 decimals.' },
    ),
    ...annotation,
  },
  { $id: 'MetricRecord', additionalProperties: false, description: 'One host in one interval: a row of `metrics/YYYY-MM/metrics_YYYY-MM-DD.json`.' },
);

/** HTTP statuses of spans: 200, or the failure's (500, 503, 504 by cause; 502 when a callee failed). */
const SPAN_STATUS_CODES = [200, 500, 502, 503, 504];
/** `error.type`: the exception class of the failure's log line (src/core/day.ts). */
const SPAN_ERROR_TYPES = [
  'OutOfMemoryError',
  'RequestTimeoutException',
  'SocketTimeoutException',
  'ConnectionPoolTimeoutException',
  'ConnectException',
  'UpstreamTimeoutException',
  'ConfigurationException',
  'ResourceExhaustedException',
  'InternalServerError',
  'ServiceUnavailableException',
  'UpstreamServiceException',
];

export const SpanRecordSchema = Type.Object(
  {
    trace_id: TraceId('32 hex digits; the spans of one request share it.'),
    span_id: SpanId('16 hex digits.'),
    parent_span_id: Nullable(SpanId('16 hex digits.'), 'The calling span; null for the root (the entry service’s span).'),
    timestamp: TimeMs('When the span started (UTC), to the millisecond.'),
    service_name: Service('The service that served the span.'),
    operation: Type.String({ pattern: '^(GET|POST|PUT) /\\S*$', description: 'HTTP method and route, e.g. `GET /inventory/items`.' }),
    duration_ms: Type.Number({ minimum: 0, description: 'Milliseconds, up to 3 decimals; includes the callees’ spans.' }),
    status_code: Type.Enum(SPAN_STATUS_CODES, { description: 'HTTP status: 200; 500, 503 or 504 when the span failed itself (by cause); 502 when a callee failed after a retry.' }),
    attributes: Type.Object(
      {
        'http.method': Type.Enum(['GET', 'POST', 'PUT'], { description: 'The method of `operation`.' }),
        'host.name': HostId('The host that served the span.'),
        'cloud.region': Region('That host’s region.'),
        'peer.service': Type.Optional(Service('The calling service; absent on a trace’s root.')),
        'error.type': Type.Optional(Type.Enum(SPAN_ERROR_TYPES, { description: 'Only on failed spans (status ≥ 500): the exception class of the failure, as the log line names it.' })),
      },
      { additionalProperties: false, description: 'OpenTelemetry-style attributes.' },
    ),
    ...annotation,
  },
  { $id: 'SpanRecord', additionalProperties: false, description: 'One span: a row of `traces/YYYY-MM/traces_YYYY-MM-DD.json`. A trace is the spans sharing a trace_id.' },
);

export const LogRecordSchema = Type.Object(
  {
    timestamp: TimeMs('When the span the line belongs to ended (UTC), to the millisecond.'),
    level: Type.Enum(['INFO', 'WARNING', 'ERROR'], { description: 'ERROR exactly when the span failed; WARNING for a slow request.' }),
    service: Service('The service that wrote the line.'),
    host: HostId('The host that wrote the line.'),
    trace_id: TraceId('The trace of the request the line belongs to.'),
    span_id: SpanId('The span that wrote the line.'),
    message: Type.String({ description: 'What happened: `Processed request <trace_id>`, `Slow request: ...`, or the failure.' }),
    ...annotation,
  },
  { $id: 'LogRecord', additionalProperties: false, description: 'One log line: a row of `logs/YYYY-MM/logs_YYYY-MM-DD.json`; every line joins a span.' },
);

// ---- Events: one schema per type --------------------------------------------------------------

const eventBase = {
  timestamp: Time('When it happened (UTC), to the second.'),
  event_id: Uuid('Unique id of the event (the catalog’s caused_by_event_id names one).'),
  message: Type.String({ description: 'The event for people.' }),
};
const ticket = Type.String({ pattern: '^INC-[0-9A-F]{8}$', description: 'The on-call ticket grouping one incident’s updates and resolution (not a catalog id).' });
const event = <K extends EventType, P extends Record<string, TSchema>>(id: string, type: K, properties: P, description: string) =>
  Type.Object({ ...eventBase, type: Type.Literal(type, { description: `Always ${type}.` }), ...properties }, { $id: id, additionalProperties: false, description });

export const DeploymentEventSchema = event(
  'DeploymentEvent',
  'DEPLOYMENT',
  {
    service: Service(),
    region: Region(),
    version: Type.String({ pattern: '^v\\d+\\.\\d+\\.\\d+$', description: 'The version deployed, `v1.2.3`.' }),
    deployment_id: Uuid('The deployment.'),
    status: Type.Enum(['SUCCESS', 'ROLLED_BACK'], { description: 'ROLLED_BACK for about 7 % of the routine deployments.' }),
    metadata: Type.Object(
      {
        deployed_by: Person('Who deployed, e.g. `user-alice`.'),
        rollback_reason: Nullable(Type.Enum(['Error rate spike', 'Failed health checks', 'Manual rollback']), 'Why it was rolled back; null when it was not (always present, as in the original).'),
      },
      { additionalProperties: false },
    ),
  },
  'A deployment. The ones that cause incidents look exactly like the harmless ones; only the catalog (caused_by_event_id) tells.',
);

export const ConfigChangeEventSchema = event(
  'ConfigChangeEvent',
  'CONFIG_CHANGE',
  {
    service: Service(),
    config_key: Type.Enum(['rate_limit', 'timeout_ms', 'max_connections', 'cache_ttl_s', 'retry_count'], { description: 'The setting changed.' }),
    old_value: Type.String({ pattern: '^\\d+$', description: 'The old value: a whole number, as text.' }),
    new_value: Type.String({ pattern: '^\\d+$', description: 'The new value: a whole number, as text.' }),
    changed_by: Person('Who changed it, e.g. `user-bob`.'),
  },
  'A configuration change; as with deployments, the harmful ones look like the others.',
);

export const AutoscaleEventSchema = event(
  'AutoscaleEvent',
  'AUTOSCALE',
  {
    service: Service(),
    action: Type.Enum(['SCALE_UP', 'SCALE_DOWN'], { description: 'SCALE_UP on a CPU or latency threshold; SCALE_DOWN on low traffic.' }),
    current_replicas: Type.Integer({ minimum: 1, description: 'Replicas before.' }),
    new_replicas: Type.Integer({ minimum: 1, description: 'Replicas after.' }),
    trigger: Type.Enum(['CPU threshold', 'Latency threshold', 'Request rate'], { description: 'What triggered it: hot CPU or slow responses (up), low request rate (down).' }),
  },
  'Autoscaling, driven by what the hosts do: hot CPU or slow responses scale a service up.',
);

const PassFail = (description: string) => Type.Enum(['PASS', 'FAIL'], { description });
export const HealthCheckEventSchema = event(
  'HealthCheckEvent',
  'HEALTH_CHECK',
  {
    service: Service(),
    status: Type.Enum(['HEALTHY', 'DEGRADED', 'UNHEALTHY'], { description: 'The worst of the service’s hosts (a healthy service flaps to DEGRADED now and then).' }),
    checks: Type.Object(
      {
        liveness: PassFail('FAIL when a host is unhealthy.'),
        readiness: PassFail('FAIL when a host is degraded or unhealthy.'),
        startup: PassFail('FAIL when a host is down (restarting).'),
      },
      { additionalProperties: false },
    ),
  },
  'A service’s probes, every two hours.',
);

export const ServiceRestartEventSchema = event(
  'ServiceRestartEvent',
  'SERVICE_RESTART',
  {
    service: Service(),
    host: HostId('The restarted host.'),
    region: Region(),
    reason: Type.Enum(['OOMKilled', 'Planned restart'], { description: 'OOMKilled at a memory leak’s OOM kill (the catalog’s oom_kill_time), else a planned restart.' }),
    exit_code: Type.Enum([137, 0], { description: '137 for OOMKilled, 0 for a planned restart.' }),
  },
  'A container restart: planned, or killed for running out of memory.',
);

export const MaintenanceWindowEventSchema = event(
  'MaintenanceWindowEvent',
  'MAINTENANCE_WINDOW',
  {
    status: Type.Enum(['STARTED', 'COMPLETED'], { description: 'The start or the end of the window.' }),
    affected_services: Type.Array(Service(), { minItems: 1, description: 'The services sharing the window.' }),
  },
  'The start or end of a weekly maintenance window.',
);

export const UserActionEventSchema = event(
  'UserActionEvent',
  'USER_ACTION',
  {
    action: Type.Enum(['FORCE_RESTART', 'ROLLBACK', 'SCALE_OUT', 'FAILOVER', 'CLEAR_CACHE', 'CACHE_FLUSH', 'LOG_LEVEL_CHANGE', 'FEATURE_FLAG_TOGGLE'], {
      description: 'FORCE_RESTART, ROLLBACK, SCALE_OUT, FAILOVER or CLEAR_CACHE in response to an incident; CACHE_FLUSH, LOG_LEVEL_CHANGE or FEATURE_FLAG_TOGGLE as routine.',
    }),
    service: Service(),
    user: Person('Who acted, e.g. `user-carol`.'),
    reason: Type.Enum(['Error spike', 'Latency increase', 'Alert escalation', 'Routine operation'], { description: '`Routine operation` for the routine actions, else what prompted it.' }),
    metadata: Type.Object({ action_id: Uuid('The action.'), approved_by: Person('Who approved it, e.g. `manager-bob`.') }, { additionalProperties: false }),
    ...annotation,
  },
  'An operator’s manual action: routine, or a response to an incident (only those carry incident_id/incident_type, with annotateRecords).',
);

export const AlertTriggerEventSchema = event(
  'AlertTriggerEvent',
  'ALERT_TRIGGER',
  {
    severity: Type.Enum(['CRITICAL', 'HIGH', 'MEDIUM'], { description: 'From the incident’s severity: P1 CRITICAL, P2 HIGH, P3 MEDIUM.' }),
    source: HostId('The host whose metric crossed the threshold.'),
    service: Service('That host’s service.'),
    region: Region('That host’s region.'),
    metric: Type.Enum([...SIGNATURE_METRICS], { description: 'The incident’s signature metric (never app.request_count).' }),
    threshold_value: Type.Number({ description: 'The alert rule’s threshold.' }),
    current_value: Type.Number({ description: 'The value in the metrics file at that host and interval: above the threshold.' }),
    metadata: Type.Object(
      {
        alert_rule: Type.Enum(SIGNATURE_METRICS.map((m) => `${m}_threshold`), { description: '`<metric>_threshold`.' }),
        notification_sent: Type.Literal(true, { description: 'Always true.' }),
        oncall_acknowledged: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
    ...annotation,
  },
  'A threshold alert: the first interval in which an incident’s signature metric crosses its rule on the target host, even allowing for sampling noise.',
);

export const CascadeTriggerEventSchema = event(
  'CascadeTriggerEvent',
  'CASCADE_TRIGGER',
  {
    severity: Type.Literal('HIGH', { description: 'Always HIGH: a cascaded incident is P2 or P3, never P1.' }),
    source: HostId('The affected service’s first host.'),
    service: Service('The affected (calling) service.'),
    region: Region('That host’s region.'),
    upstream_service: Service('The failing dependency (the parent incident’s service).'),
    metadata: Type.Object(
      {
        dependency_path: Type.String({ description: 'Services from the root cause to the affected one, `a -> b -> c`.' }),
        propagation_delay_minutes: Type.Integer({ minimum: 0, description: 'Hops from the root cause × the cascade delay.' }),
      },
      { additionalProperties: false },
    ),
    incident_id: annotation.incident_id,
    incident_type: Type.Optional(Type.Enum([...CASCADE_TYPES], { description: 'Only with annotateRecords: the cascaded incident’s type (the type its primary cascades as).' })),
    primary_incident_id: Type.Optional(Uuid('Only with annotateRecords: the primary incident of the cascade.')),
    parent_incident_id: Type.Optional(Uuid('Only with annotateRecords: the incident whose failure caused this one.')),
  },
  'A failure passed on to a calling service: a cascaded incident starts.',
);

export const IncidentUpdateEventSchema = event(
  'IncidentUpdateEvent',
  'INCIDENT_UPDATE',
  {
    ticket_id: ticket,
    update_type: Type.Enum(['UPDATE', 'ESCALATION', 'MITIGATION_ATTEMPT'], { description: 'What kind of update.' }),
    severity: Severity('The primary incident’s severity.'),
    service: Service('The primary incident’s service (for a region-wide one, its first affected service).'),
    affected_hosts_count: Type.Integer({ minimum: 1, description: 'Hosts affected so far by the incident and its cascades.' }),
    affected_services: Type.Array(Service(), { minItems: 1, description: 'Services affected so far by the incident and its cascades.' }),
    metadata: Type.Object(
      {
        updated_by: Person('Who posted it, e.g. `oncall-engineer1`.'),
        status: Type.Enum(['INVESTIGATING', 'MITIGATING', 'MONITORING'], { description: 'By how far the incident has run.' }),
        impact: Type.Enum(['HIGH', 'MEDIUM', 'LOW'], { description: 'From the severity: P1 HIGH, P2 MEDIUM, P3 LOW.' }),
      },
      { additionalProperties: false },
    ),
    ...annotation,
  },
  'Progress of a primary incident’s handling, every 30–60 minutes while it lasts.',
);

export const IncidentResolvedEventSchema = event(
  'IncidentResolvedEvent',
  'INCIDENT_RESOLVED',
  {
    ticket_id: ticket,
    severity: Severity('The incident’s severity.'),
    service: Service('The incident’s service (for a region-wide one, its first affected service).'),
    region: Region('The incident’s region (for an incident on a service, its target host’s).'),
    duration_minutes: Type.Integer({ minimum: 0, description: 'From start to end.' }),
    metadata: Type.Object({ resolved_by: Person('Who resolved it, e.g. `oncall-sre-team`.'), status: Type.Literal('RESOLVED', { description: 'Always RESOLVED.' }) }, { additionalProperties: false }),
    ...annotation,
  },
  'The end of an incident (primary or cascaded); an incident still running when the dataset ends has none.',
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
 * schema is one of eleven (`anyOf` of `$ref`s), each naming its own fields and `type` as a literal:
 * the eleven are disjoint on `type`, so exactly one matches, and a typed client narrows on it.
 */
export const EventRecordSchema = Type.Union(
  // Spelled out rather than mapped: a tuple keeps the union's static type (an array gives never).
  [
    schemaRef(DeploymentEventSchema),
    schemaRef(ConfigChangeEventSchema),
    schemaRef(AutoscaleEventSchema),
    schemaRef(HealthCheckEventSchema),
    schemaRef(ServiceRestartEventSchema),
    schemaRef(MaintenanceWindowEventSchema),
    schemaRef(UserActionEventSchema),
    schemaRef(AlertTriggerEventSchema),
    schemaRef(CascadeTriggerEventSchema),
    schemaRef(IncidentUpdateEventSchema),
    schemaRef(IncidentResolvedEventSchema),
  ],
  { $id: 'EventRecord', description: 'One event; `type` says which of the eleven kinds, each with its own fields.' },
);

// ---- Labels -----------------------------------------------------------------------------------

export const LabelEntrySchema = Type.Object(
  {
    incident_id: Uuid('The catalog’s incident.'),
    incident_type: IncidentTypeEnum('Its type.'),
    primary_incident_id: Uuid('The primary incident of its cascade (itself for a primary).'),
    role: Type.Enum(['root_cause', 'symptom'], { description: 'root_cause: where a primary incident happens; symptom: hit by a cascade or by failures passed up from a callee.' }),
  },
  { $id: 'LabelEntry', additionalProperties: false, description: 'One incident active on a host in an interval.' },
);

export const LabelRecordSchema = Type.Object(
  {
    timestamp: Time('Start of the interval (UTC), to the second.'),
    host_id: HostId(),
    service: Service('The host’s service.'),
    incidents: Type.Array(schemaRef(LabelEntrySchema), { minItems: 1, description: 'Every incident active there, the first one first (the one annotateRecords names).' }),
  },
  { $id: 'LabelRecord', additionalProperties: false, description: 'A host-interval with at least one active incident: a row of `metadata/labels/YYYY-MM/labels_YYYY-MM-DD.json`.' },
);

// ---- The catalog ------------------------------------------------------------------------------

export const IncidentSchema = Type.Object(
  {
    id: Uuid('The incident’s id.'),
    type: IncidentTypeEnum('The incident type; a cascaded incident has its primary’s cascade type.'),
    target_host: Nullable(HostId(), 'The host it starts on; null for a region-wide incident (NETWORK_PARTITION).'),
    target_service: Nullable(Service(), 'Its service; null for a region-wide incident.'),
    target_region: Nullable(Region(), 'The region of a region-wide incident; null for one on a service.'),
    start_time: Time('When it starts (UTC).'),
    end_time: Time('When it ends (UTC); after the dataset’s end for an ONGOING one.'),
    root_cause: Type.Object(
      {
        service: Nullable(Service(), 'The primary incident’s service; null when the root cause is a region.'),
        host: Nullable(HostId(), 'The primary incident’s target host; null when the root cause is a region.'),
        region: Nullable(Region(), 'The primary incident’s region when the root cause is a region; else null.'),
        metric: Type.Enum([...SIGNATURE_METRICS], { description: 'This incident’s signature metric.' }),
        effect: Type.Enum([...EFFECTS], { description: 'Shape of the signature.' }),
        severity: Severity('This incident’s severity.'),
        cascading_prob: Type.Number({ minimum: 0, maximum: 1, description: 'Chance, per caller, that it spreads on (3 decimals).' }),
      },
      { additionalProperties: false, description: 'What caused it: for a cascaded incident, the primary’s location; the signature is the incident’s own.' },
    ),
    root_cause_indicators: Type.Array(
      Type.Object(
        {
          service: Service('A root-cause service: the primary’s (one of them when the fault struck several at once, or a service of the partitioned region).'),
          metric: Type.Enum([...SIGNATURE_METRICS], { description: 'The metric that carries the fault’s signature there: the primary’s signature metric.' }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, description: 'What a root-cause model should name, at service and at indicator (service + metric) level; the same for every incident of a cascade.' },
    ),
    detected_at: Nullable(Time('When the first alert fired (it may lag the start).'), 'When the incident’s first alert fired; null when none fired inside the dataset.'),
    status: Type.Enum(['RESOLVED', 'ONGOING'], { description: 'ONGOING when it ends after the dataset does.' }),
    severity: Severity('P1 (worst) to P3; a cascaded incident is one step milder than its parent.'),
    is_primary: Type.Boolean({ description: 'True for a root cause; false for an incident caused by another (cascaded).' }),
    primary_incident_id: Uuid('The primary of its cascade (itself for a primary).'),
    parent_incident_id: Nullable(Type.String({ format: 'uuid' }), 'The incident whose failure caused this one; null for a primary.'),
    caused_by_event_id: Nullable(Type.String({ format: 'uuid' }), 'The DEPLOYMENT or CONFIG_CHANGE event (its event_id) that caused it; null when no change did.'),
    caused_by_event_type: Nullable(Type.Enum(['DEPLOYMENT', 'CONFIG_CHANGE']), 'The type of that event; null when no change caused it.'),
    propagation_path: Type.Array(Service(), { description: 'Services from the root cause to this incident; empty for a region-wide incident.' }),
    propagation_delay_minutes: Type.Integer({ minimum: 0, description: 'Hops from the primary × the cascade delay; 0 for a primary.' }),
    affected_hosts: Type.Array(HostId(), { minItems: 1, description: 'The hosts it affects, a fixed set for its whole window.' }),
    affected_services: Type.Array(Service(), { minItems: 1, description: 'Their services.' }),
    cascading_incidents: Type.Array(Type.String({ format: 'uuid' }), { description: 'The incidents this one caused directly.' }),
    overlapping_incidents: Type.Array(Type.String({ format: 'uuid' }), { description: 'Incidents of other cascades whose windows intersect this one’s.' }),
    crosses_midnight: Type.Boolean({ description: 'It starts and ends on different UTC days.' }),
    oom_kill_time: Type.Optional(Time('MEMORY_LEAK only (always there for one): when the leaking process is OOM-killed and restarted.')),
  },
  { $id: 'Incident', additionalProperties: false, description: 'One incident of the catalog: where, when, what it looked like and what caused it.' },
);

const typeCounts = <T extends TSchema>(value: T, description: string) =>
  Type.Object(Object.fromEntries(INCIDENT_TYPES.map((t) => [t, value])) as Record<(typeof INCIDENT_TYPES)[number], T>, { additionalProperties: false, description });
const Count = (description: string) => Type.Integer({ minimum: 0, description });

export const CatalogSummarySchema = Type.Object(
  {
    total_incidents: Count('Every incident, primary and cascaded.'),
    primary_incidents: Count('Root causes.'),
    cascading_incidents: Count('Incidents caused by another.'),
    incident_types: typeCounts(Count('Incidents of the type.'), 'Incidents by type (every type, 0 when none).'),
    root_cause_types: typeCounts(
      Type.Object({ incidents: Count('Primaries of the type.'), cascaded_incidents: Count('Incidents they caused.') }, { additionalProperties: false }),
      'Primaries by type, with the cascaded incidents each type caused.',
    ),
    midnight_crossing_incidents: Count('Incidents that cross midnight (UTC).'),
    overlapping_incidents: Count('Incidents that overlap one of another cascade.'),
  },
  { $id: 'CatalogSummary', additionalProperties: false, description: 'Counts: incidents by type, and primaries by root-cause type with the cascades each caused.' },
);

export const CatalogGenerationConfigSchema = Type.Object(
  {
    start_date: Type.String({ format: 'date-time', pattern: '^\\d{4}-\\d{2}-\\d{2}T00:00:00Z$', description: 'Midnight (UTC) of the first day.' }),
    days_generated: Type.Integer({ minimum: 1, maximum: 3660, description: 'Days in the dataset.' }),
    granularity_minutes: Type.Integer({ minimum: 1, maximum: 1440, description: 'Minutes between samples.' }),
    total_hosts: Type.Integer({ minimum: 1, description: 'The sum of every service’s hosts.' }),
    services: Type.Array(Service(), { minItems: 1, description: 'The services, in config order.' }),
    regions: Type.Array(Region(), { minItems: 1, description: 'The regions hosts are placed in.' }),
    seed: Type.Integer({ minimum: 0, maximum: 4294967295, description: 'The seed of every random choice: the same config and seed give the same bytes.' }),
    hosts_per_service: Type.Integer({ minimum: 1, maximum: 200, description: 'The config’s hostsPerService (a preset’s services keep their own counts unless it was given; see hosts).' }),
    service_dependencies: Type.Record(Type.String(), Type.Array(Service()), { description: 'Each service’s callees (an empty list for a leaf).' }),
    incident_rate: Type.Number({ minimum: 0, maximum: 50, description: 'Mean primary incidents per day.' }),
    incident_mix: typeCounts(Type.Number({ minimum: 0, maximum: 1000 }), 'Weight of every primary incident type (0 for a type left out).'),
    cascade_delay_minutes: Type.Integer({ minimum: 0, maximum: 720, description: 'Delay added at each hop of a cascade.' }),
    traces_per_entry_host: Type.Integer({ minimum: 0, maximum: 100, description: 'Traces started per entry-service host and interval.' }),
    quiet_gap_minutes: Type.Integer({ minimum: 0, maximum: 1440, description: 'Normal stretch kept before each primary incident on its hosts.' }),
    annotate_records: Type.Boolean({ description: 'Whether data rows carry incident_id / incident_type.' }),
    signals: Type.Array(Type.Enum([...SIGNALS]), { minItems: 1, uniqueItems: true, description: 'The signals written, in canonical order.' }),
    topology: Type.Enum([...TOPOLOGIES], { description: 'The topology preset (the services may have been replaced by the config’s own).' }),
    difficulty: Type.Enum([...DIFFICULTIES], { description: 'The difficulty preset.' }),
    knobs: KnobsSchema,
    service_kinds: Type.Record(Type.String(), Type.Enum([...SERVICE_KINDS]), { description: 'What each service is: app, database, cache or queue.' }),
    hosts: Type.Array(
      Type.Object({ host_id: HostId(), service: Service(), region: Region() }, { additionalProperties: false }),
      { minItems: 1, description: 'Every host, in topology order.' },
    ),
  },
  {
    $id: 'CatalogGenerationConfig',
    additionalProperties: false,
    description: 'The normalized config of the run in the original’s snake_case names (the original’s fields first), and its hosts.',
  },
);

export const CatalogSchema = Type.Object(
  {
    generation_config: schemaRef(CatalogGenerationConfigSchema),
    incidents: Type.Array(schemaRef(IncidentSchema), { description: 'Every incident, by start time.' }),
    summary: schemaRef(CatalogSummarySchema),
    decoys: Type.Array(
      Type.Object(
        {
          kind: Type.Enum([...DECOY_KINDS], {
            description: 'A traffic surge on a service, a noisy neighbour on a host, a deployment with a transient effect, a short network blip on a host, or a burst of failing requests on a service.',
          }),
          service: Service(),
          hosts: Type.Array(HostId(), { minItems: 1, description: 'The hosts it moves.' }),
          start_time: Time('When it starts.'),
          end_time: Time('When it ends.'),
          event_id: Nullable(Type.String({ format: 'uuid' }), 'The DEPLOYMENT event of a transient deployment; null otherwise.'),
        },
        { additionalProperties: false },
      ),
      { description: 'Harmless anomalies (benchmark knob decoysPerDay) that are in no label: listed so the ground truth hides nothing. Empty at easy.' },
    ),
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
  LabelEntrySchema,
  LabelRecordSchema,
  IncidentSchema,
  CatalogSummarySchema,
  CatalogGenerationConfigSchema,
  CatalogSchema,
];

// ---- The schemas and the writers' types describe the same records (a compile error when they drift)

/** The same type: identical, optional fields and all (mutual assignability would let an optional field go missing). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Every A is a B. */
type Within<A, B> = [A] extends [B] ? true : false;
type SpanStatic = Static<typeof SpanRecordSchema>;
type EventStatic = Static<typeof EventRecordSchema>;
type _RecordsMatchSchemas = [
  Same<Static<typeof MetricRecordSchema>, MetricRecord>,
  Same<Static<typeof LogRecordSchema>, LogRecord>,
  Same<Static<typeof LabelEntrySchema>, LabelEntry>,
  Same<Static<typeof LabelRecordSchema>, LabelRecord>,
  // The schema's status code, method and error type are closed sets; the writer's types say number and string.
  Within<SpanStatic, SpanRecord>,
  Same<Omit<SpanStatic, 'status_code' | 'attributes'>, Omit<SpanRecord, 'status_code' | 'attributes'>>,
  Same<Omit<SpanStatic['attributes'], 'http.method' | 'error.type'>, Omit<SpanRecord['attributes'], 'http.method' | 'error.type'>>,
  // EventRecord is open (`[field: string]: unknown`): every schema event is one, and the eleven types are the EVENT_TYPES.
  Within<EventStatic, EventRecord>,
  Same<EventStatic['type'], EventType>,
  Same<Static<typeof IncidentSchema>, CatalogIncident>,
  Same<Static<typeof CatalogSummarySchema>, CatalogSummary>,
  Same<Static<typeof CatalogGenerationConfigSchema>, CatalogGenerationConfig>,
  Same<Static<typeof CatalogSchema>, IncidentCatalog>,
];
export const RECORD_SCHEMAS_MATCH_TYPES: _RecordsMatchSchemas = [true, true, true, true, true, true, true, true, true, true, true, true, true];
