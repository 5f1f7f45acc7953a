import { Type, type Static, type TSchema } from '../typebox.ts';
import { INCIDENT_SPECS, INCIDENT_TYPES, type IncidentType } from '../core/incident-types.ts';
import { schemaRef } from '../core/record-schemas.ts';
import type { Bar, Correlation, Ratio, ValidationReport } from './report.ts';

// The validation report (src/validation/report.ts documents each figure; analyzer.ts makes it;
// format.ts prints it), exactly: `additionalProperties: false` everywhere, every field required
// (the report always has them all), nullable where null is written.
// test/validation/report-schema.test.ts checks real reports against it in both directions.

/** A share in [0, 1] to 4 decimals; null when nothing was measured. */
const Share = (description: string) => Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], { description });
const Count = (description: string) => Type.Integer({ minimum: 0, description });

export const RatioSchema = Type.Object(
  {
    numerator: Count('What passed.'),
    denominator: Count('What was measured.'),
    value: Share('numerator / denominator to 4 decimals; null when nothing was measured (denominator 0).'),
  },
  { $id: 'Ratio', additionalProperties: false, description: 'A share with what it was computed from, so every figure can be checked by hand.' },
);

export const CorrelationSchema = Type.Object(
  {
    r: Type.Union([Type.Number({ minimum: -1, maximum: 1 }), Type.Null()], { description: 'Pearson r to 4 decimals; null with fewer than 3 cells or no variance.' }),
    ceiling: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], {
      description: 'The r a perfect metric would reach given the spans sampled per cell; null where it cannot be computed, and always for latency (not computed).',
    }),
    cells: Count('Cells the correlation was computed over.'),
    cell: Type.String({ description: 'What one cell is.' }),
  },
  { $id: 'Correlation', additionalProperties: false, description: 'A correlation and the cells it was computed over.' },
);

export const ReportBarSchema = Type.Object(
  {
    name: Type.String({ description: 'The check, e.g. `MEMORY_LEAK detected`, `false alarms`.' }),
    value: Type.Union([Type.Number(), Type.Null()], { description: 'The figure; null when it could not be measured (then the bar fails).' }),
    op: Type.Enum(['>=', '<='], { description: 'How the value must compare with the bound.' }),
    bound: Type.Number({ description: 'The bound the value must meet.' }),
    pass: Type.Boolean({ description: 'Whether it does.' }),
  },
  { $id: 'ReportBar', additionalProperties: false, description: 'One ground-truth check: the figure, the bound it must meet and whether it does.' },
);

const ratio = schemaRef(RatioSchema);
const correlation = schemaRef(CorrelationSchema);

/** One incident type's detection: a Ratio, and the type's signature metric (a constant per type). */
const detectionOf = (t: IncidentType) =>
  Type.Object(
    {
      numerator: Count('Incidents of the type whose signature departs.'),
      denominator: Count('Incidents of the type with a window inside the dataset.'),
      value: Share('numerator / denominator to 4 decimals; null when there is no incident of the type.'),
      metric: Type.Literal(INCIDENT_SPECS[t].metric, { description: 'The type’s signature metric.' }),
    },
    { additionalProperties: false },
  );

const detection = Type.Object(Object.fromEntries(INCIDENT_TYPES.map((t) => [t, detectionOf(t)])) as Record<IncidentType, ReturnType<typeof detectionOf>>, {
  additionalProperties: false,
  description: 'Per incident type (every type; primary and cascaded incidents): incidents whose signature metric departs on an affected host during the window.',
});

export const ReportSchema = Type.Object(
  {
    dataset: Type.Object(
      {
        startDate: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'The first day with a file, YYYY-MM-DD.' }),
        days: Type.Integer({ minimum: 1, description: 'Days from the first to the last day with a file.' }),
        granularityMinutes: Type.Number({ description: 'Minutes between samples (> 0): from the catalog, else from the spacing of the first day’s metrics.' }),
        hosts: Count('Hosts seen in the metrics and labels.'),
        services: Count('Their services.'),
        incidents: Count('Incidents in the catalog.'),
        primaryIncidents: Count('Primary incidents in the catalog.'),
        labelFiles: Type.Boolean({ description: 'Whether per-day label files were found (else the catalog’s windows stand in for them).' }),
        callGraph: Type.Enum(['catalog', 'traces'], { description: 'Where the call graph came from: the catalog’s config, or the parent → child edges seen in traces.' }),
      },
      { additionalProperties: false, description: 'What was measured.' },
    ),
    method: Type.Object(
      {
        zThreshold: Type.Number({ description: 'Robust z-score at or above which a value departs from its host’s baseline.' }),
        baseline: Type.String({ description: 'How the baseline is computed.' }),
        departure: Type.String({ description: 'What a departure is.' }),
      },
      { additionalProperties: false, description: 'How departures from normal are found.' },
    ),
    detection,
    falseAlarms: ratio,
    traces: Type.Object(
      {
        validTrees: ratio,
        spans: Count('Spans read.'),
      },
      { additionalProperties: false, description: 'validTrees: traces with one root, every parent present, no cycle, every edge a call of the graph, children inside their parents.' },
    ),
    logs: Type.Object(
      {
        joined: ratio,
        levelMatchesSpan: ratio,
      },
      { additionalProperties: false, description: 'joined: log lines whose trace and span exist; levelMatchesSpan: joined lines whose level says what their span’s status says (ERROR exactly when it failed).' },
    ),
    errorRate: Type.Object(
      {
        serviceHour: correlation,
        hostInterval: correlation,
        expectedFailedSpans: Count('Failures the metric predicts over every sampled span (rounded).'),
        failedSpans: Count('Failed spans counted.'),
      },
      {
        additionalProperties: false,
        description: '`app.error_rate` against the failed share of the sampled spans: per service and hour, and per host and interval (bounded by sampling).',
      },
    ),
    latency: correlation,
    alerts: ratio,
    cascades: ratio,
    causalOrder: ratio,
    midnight: ratio,
    causeEvents: ratio,
    ranker: Type.Object(
      {
        top1: ratio,
        top3: ratio,
        randomTop3: Type.Number({ minimum: 0, maximum: 1, description: 'What picking 3 services at random would score.' }),
        skipped: Count('Primaries not ranked: a region (partition) has no root service, or the first hour is outside the data.'),
      },
      { additionalProperties: false, description: 'The baseline root-cause ranker: services by anomaly onset, then size, in the first hour of each primary.' },
    ),
    bars: Type.Array(schemaRef(ReportBarSchema), { description: 'The checks of this dataset (a figure with nothing to measure has none).' }),
  },
  {
    $id: 'Report',
    additionalProperties: false,
    description:
      'The validation report of a dataset: what `npm run validate` prints. Besides detection and the bars: falseAlarms, host-intervals outside every incident that depart; ' +
      'latency, the latency metric against span durations per service and hour (ceiling null); alerts, ALERT_TRIGGER events equal to the metric and above threshold; ' +
      'cascades, cascaded incidents whose parent’s service is a callee of theirs; causalOrder, cascaded incidents departing no earlier than their parent; ' +
      'midnight, incidents crossing midnight present on every day they cover; causeEvents, changes named as causes present within the hour before, on the service.',
  },
);

/** The named schemas of this module, for app.addSchema (nested ones first). */
export const REPORT_SCHEMAS: readonly TSchema[] = [RatioSchema, CorrelationSchema, ReportBarSchema, ReportSchema];

// The schema and the analyzer's types describe the same report (a compile error when they drift).
// The report's types are readonly and looser (detection keyed by string, metric a string): each
// report the schema accepts is a ValidationReport, and the named parts are the same both ways.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type _ReportMatchesSchema = [
  Same<Static<typeof RatioSchema>, Mutable<Ratio>>,
  Same<Static<typeof CorrelationSchema>, Mutable<Correlation>>,
  Same<Static<typeof ReportBarSchema>, Mutable<Bar>>,
  Static<typeof ReportSchema> extends ValidationReport ? true : false,
  Same<keyof Static<typeof ReportSchema>, keyof ValidationReport>,
];
export const REPORT_SCHEMA_MATCHES_TYPES: _ReportMatchesSchema = [true, true, true, true, true];
