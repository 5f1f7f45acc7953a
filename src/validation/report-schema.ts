import { Type, type TSchema } from 'typebox';
import { INCIDENT_TYPES, METRIC_KEYS } from '../core/incident-types.ts';
import { schemaRef } from '../core/record-schemas.ts';

// The validation report (src/validation/report.ts documents each figure), exactly: every field
// required, nullable where null is written. test/validation/report-schema.test.ts checks a real
// report against it.

export const RatioSchema = Type.Object(
  {
    numerator: Type.Integer({ minimum: 0 }),
    denominator: Type.Integer({ minimum: 0 }),
    value: Type.Union([Type.Number(), Type.Null()], { description: 'numerator / denominator to 4 decimals; null when nothing was measured (denominator 0).' }),
  },
  { $id: 'Ratio', additionalProperties: false, description: 'A share with what it was computed from, so every figure can be checked by hand.' },
);

export const CorrelationSchema = Type.Object(
  {
    r: Type.Union([Type.Number(), Type.Null()], { description: 'Pearson r; null when it cannot be computed.' }),
    ceiling: Type.Union([Type.Number(), Type.Null()], { description: 'The r a perfect metric would reach given the spans sampled per cell; null where not computed.' }),
    cells: Type.Integer({ minimum: 0 }),
    cell: Type.String({ description: 'What one cell is.' }),
  },
  { $id: 'Correlation', additionalProperties: false, description: 'A correlation and the cells it was computed over.' },
);

export const ReportBarSchema = Type.Object(
  {
    name: Type.String(),
    value: Type.Union([Type.Number(), Type.Null()]),
    op: Type.Enum(['>=', '<=']),
    bound: Type.Number(),
    pass: Type.Boolean(),
  },
  { $id: 'ReportBar', additionalProperties: false, description: 'One ground-truth check: the figure, the bound it must meet and whether it does.' },
);

const ratio = schemaRef(RatioSchema);

export const ReportSchema = Type.Object(
  {
    dataset: Type.Object(
      {
        startDate: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
        days: Type.Integer({ minimum: 1 }),
        granularityMinutes: Type.Integer({ minimum: 1 }),
        hosts: Type.Integer({ minimum: 0 }),
        services: Type.Integer({ minimum: 0 }),
        incidents: Type.Integer({ minimum: 0 }),
        primaryIncidents: Type.Integer({ minimum: 0 }),
        labelFiles: Type.Boolean({ description: 'Whether per-day label files were found (else the catalog’s windows stand in for them).' }),
        callGraph: Type.Enum(['catalog', 'traces'], { description: 'Where the call graph came from.' }),
      },
      { additionalProperties: false },
    ),
    method: Type.Object({ zThreshold: Type.Number(), baseline: Type.String(), departure: Type.String() }, { additionalProperties: false, description: 'How departures from normal are found.' }),
    detection: Type.Object(
      Object.fromEntries(
        INCIDENT_TYPES.map((t) => [
          t,
          Type.Object(
            { numerator: Type.Integer({ minimum: 0 }), denominator: Type.Integer({ minimum: 0 }), value: Type.Union([Type.Number(), Type.Null()]), metric: Type.Enum([...METRIC_KEYS]) },
            { additionalProperties: false },
          ),
        ]),
      ),
      { additionalProperties: false, description: 'Per incident type: incidents whose signature metric departs on an affected host during the window.' },
    ),
    falseAlarms: ratio,
    traces: Type.Object({ validTrees: ratio, spans: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
    logs: Type.Object({ joined: ratio, levelMatchesSpan: ratio }, { additionalProperties: false }),
    errorRate: Type.Object(
      {
        serviceHour: schemaRef(CorrelationSchema),
        hostInterval: schemaRef(CorrelationSchema),
        expectedFailedSpans: Type.Number({ minimum: 0 }),
        failedSpans: Type.Integer({ minimum: 0 }),
      },
      { additionalProperties: false },
    ),
    latency: schemaRef(CorrelationSchema),
    alerts: ratio,
    cascades: ratio,
    causalOrder: ratio,
    midnight: ratio,
    causeEvents: ratio,
    ranker: Type.Object(
      { top1: ratio, top3: ratio, randomTop3: Type.Number({ minimum: 0, maximum: 1 }), skipped: Type.Integer({ minimum: 0 }) },
      { additionalProperties: false, description: 'The baseline root-cause ranker: services by anomaly onset, then size, in the first hour of each primary.' },
    ),
    bars: Type.Array(schemaRef(ReportBarSchema)),
  },
  { $id: 'Report', additionalProperties: false, description: 'The validation report of a dataset: what `npm run validate` prints.' },
);

/** The named schemas of this module, for app.addSchema. */
export const REPORT_SCHEMAS: readonly TSchema[] = [RatioSchema, CorrelationSchema, ReportBarSchema, ReportSchema];
