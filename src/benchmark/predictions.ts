// The benchmark's two documents: the prediction file a model (or `npm run baseline`) writes, and
// the evaluation the scorer (src/benchmark/score.ts) returns for it. The CLI checks a file against
// PredictionsSchema before scoring it; the HTTP route names both schemas in its OpenAPI document,
// which is why every property carries a description. docs/SCORING.md explains the figures.
import { Type, Value, type Static } from '../typebox.ts';

/**
 * Most entries of one ranking: every `service:metric` indicator plus every bare service of the
 * largest config (128 services × 7 candidate metrics + 128 = 1024). The baselines rank every
 * indicator, so a smaller cap would refuse their files.
 */
export const MAX_RANKING = 1024;

/** Longest id, host id, ranking entry or timestamp: far above any real one, low enough to bound a hostile file. */
const MAX_TEXT = 256;

const Text = (description: string) => Type.String({ minLength: 1, maxLength: MAX_TEXT, description });

export const RcaPredictionSchema = Type.Object(
  {
    incident_id: Text('The case: the id of a primary incident of the catalog (`incidents[].id`).'),
    ranking: Type.Array(Type.String({ maxLength: MAX_TEXT, description: 'A service (`checkout`) or an indicator (`checkout:system.cpu.util`).' }), {
      maxItems: MAX_RANKING,
      description:
        'Root-cause candidates, most likely first. Scored at service level (an entry counts as the part before its first `:`) and at indicator level (only `service:metric` entries can match); duplicates after that mapping are dropped, the first occurrence kept.',
    }),
  },
  { additionalProperties: false, description: 'One RCA answer: a ranking of root-cause candidates for one case.' },
);

export const AnomalyPredictionSchema = Type.Object(
  {
    host_id: Text('The host, as the data files name it (`checkout-3fa2c1`).'),
    timestamp: Text(
      'A time inside the host-interval called anomalous, UTC: ISO 8601 with or without `Z` or an offset (`2024-06-01T10:15:00Z`), or the original generator’s `2024-06-01 10:15:00`. Floored to the interval; an unparseable one is counted in `anomalies.invalid` and ignored.',
    ),
  },
  { additionalProperties: false, description: 'One host-interval a model calls anomalous.' },
);

export const PredictionsSchema = Type.Object(
  {
    rca: Type.Optional(
      Type.Array(RcaPredictionSchema, {
        description: 'RCA answers, one per case; a case without one scores 0. Leave the key out to answer anomaly detection only (every case then counts as missed).',
      }),
    ),
    anomalies: Type.Optional(
      Type.Array(AnomalyPredictionSchema, {
        description: 'Host-intervals called anomalous; repeats of one host-interval count once. Leave the key out to answer RCA only.',
      }),
    ),
  },
  {
    $id: 'Predictions',
    additionalProperties: false,
    description: 'A prediction file: RCA rankings and flagged host-intervals (either or both), as `npm run baseline` writes it.',
  },
);

/** A prediction file, as validated by PredictionsSchema. */
export type Predictions = Static<typeof PredictionsSchema>;
export type RcaPrediction = Static<typeof RcaPredictionSchema>;
export type AnomalyPrediction = Static<typeof AnomalyPredictionSchema>;

/** A figure in [0, 1]; null when it is undefined (nothing to average or divide by). */
const Share = (description: string) => Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], { description });
const Count = (description: string) => Type.Integer({ minimum: 0, description });

/** The keys of the accuracy figures, in the order they are written. */
export const ACCURACY_KEYS = ['AC@1', 'AC@2', 'AC@3', 'AC@4', 'AC@5', 'Avg@5'] as const;
export type AccuracyKey = (typeof ACCURACY_KEYS)[number];

const accuracyOf = (level: string) =>
  Type.Object(
    {
      'AC@1': Share(`Mean over the cases of |top-1 ∩ R| / min(1, |R|), ${level}; null with no case.`),
      'AC@2': Share(`Mean over the cases of |top-2 ∩ R| / min(2, |R|), ${level}; null with no case.`),
      'AC@3': Share(`Mean over the cases of |top-3 ∩ R| / min(3, |R|), ${level}; null with no case.`),
      'AC@4': Share(`Mean over the cases of |top-4 ∩ R| / min(4, |R|), ${level}; null with no case.`),
      'AC@5': Share(`Mean over the cases of |top-5 ∩ R| / min(5, |R|), ${level}; null with no case.`),
      'Avg@5': Share('(AC@1 + … + AC@5) / 5; null with no case.'),
    },
    { additionalProperties: false, description: `RCAEval's accuracy figures ${level}.` },
  );

const SERVICE_LEVEL = 'at service level (R: the services of the root causes; ranking entries mapped to their service)';
const INDICATOR_LEVEL = 'at indicator level (R: the `service:metric` root causes; only exact `service:metric` entries match)';

export const EvaluationSchema = Type.Object(
  {
    dataset: Type.Object(
      {
        granularityMinutes: Type.Integer({ minimum: 1, maximum: 1440, description: 'Minutes per host-interval (the catalog’s `granularity_minutes`, else 15): anomaly timestamps are floored to it.' }),
        cases: Count('RCA cases: the catalog’s primary incidents with a root cause.'),
        labeledHostIntervals: Count('Host-intervals with at least one incident in the label files.'),
      },
      { additionalProperties: false, description: 'What the predictions were scored against.' },
    ),
    rca: Type.Object(
      {
        cases: Count('RCA cases scored (every case, predicted or not).'),
        predicted: Count('Cases with a prediction.'),
        service: accuracyOf(SERVICE_LEVEL),
        indicator: accuracyOf(INDICATOR_LEVEL),
        byType: Type.Record(
          Type.String(),
          Type.Object(
            {
              cases: Count('Cases of the type.'),
              service: accuracyOf(SERVICE_LEVEL),
              indicator: accuracyOf(INDICATOR_LEVEL),
            },
            { additionalProperties: false, description: 'The figures over the cases of one incident type.' },
          ),
          { description: 'Per incident type with at least one case, types in name order.' },
        ),
        incidents: Type.Array(
          Type.Object(
            {
              incident_id: Type.String({ description: 'The case’s incident id.' }),
              type: Type.String({ description: 'Its incident type.' }),
              root_causes: Type.Array(Type.String(), { description: 'Its true root causes, `service:metric`.' }),
              predicted: Type.Boolean({ description: 'Whether the file has a ranking for it.' }),
              service_rank: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
                description: '1-based rank of the first true root-cause service in the deduplicated service ranking; null when absent or not predicted.',
              }),
              indicator_rank: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], {
                description: '1-based rank of the first true `service:metric` in the deduplicated ranking (bare services keep their places); null when absent or not predicted.',
              }),
            },
            { additionalProperties: false, description: 'One case and where its root cause was ranked.' },
          ),
          { description: 'Every case, in catalog order.' },
        ),
        missing: Type.Array(Type.String(), { description: 'Ids of the cases without a prediction (each scored 0).' }),
        unknown: Type.Array(Type.String(), { description: 'Predicted ids that are not cases (ignored), in file order, each once.' }),
        duplicates: Type.Array(Type.String(), { description: 'Case ids predicted more than once (the first prediction is scored), in file order, each once.' }),
      },
      { additionalProperties: false, description: 'Root-cause analysis: rankings scored against the primary incidents’ root causes.' },
    ),
    anomalies: Type.Object(
      {
        precision: Share('truePositives / predicted; null with no (valid) prediction.'),
        recall: Share('truePositives / labeled; null when the labels hold no incident.'),
        f1: Share('2 · precision · recall / (precision + recall); 0 when both are 0, null when either is null.'),
        incidentRecall: Share('incidentsFound / incidents; null when the labels hold no incident.'),
        truePositives: Count('Predicted host-intervals that are labeled.'),
        predicted: Count('Distinct host-intervals predicted (timestamps floored to the interval).'),
        labeled: Count('Distinct host-intervals with at least one incident in the labels.'),
        incidents: Count('Distinct incident ids in the labels (every incident, root-cause and symptom rows).'),
        incidentsFound: Count('Those with at least one of their labeled host-intervals predicted.'),
        invalid: Count('Predictions whose timestamp could not be read (ignored).'),
      },
      { additionalProperties: false, description: 'Anomaly detection: predicted host-intervals scored against the labeled ones.' },
    ),
  },
  { $id: 'Evaluation', additionalProperties: false, description: 'The scores of a prediction file against a dataset’s ground truth (docs/SCORING.md).' },
);

/** A scorer's result, as described by EvaluationSchema. */
export type Evaluation = Static<typeof EvaluationSchema>;
/** AC@1..5 and Avg@5 at one level. */
export type Accuracy = Static<ReturnType<typeof accuracyOf>>;

/** One reason a document is not a prediction file: a JSON pointer (`/rca/3/ranking`, `/` for the document) and what is wrong. */
export interface PredictionIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * Why a parsed document is not a prediction file (empty when it is one), at most `limit` issues.
 * An unknown key is named once (TypeBox reports it twice: the summary and the `false` schema).
 */
export function predictionIssues(value: unknown, limit = 10): PredictionIssue[] {
  // TypeBox stops after its maxErrors setting (at least 8): enough to name the first few problems.
  const out: PredictionIssue[] = [];
  const seen = new Set<string>();
  for (const e of Value.Errors(PredictionsSchema, value)) {
    if (e.keyword === 'additionalProperties') continue;
    // A missing field is named by its own path, as a bad one is: `/rca/0/ranking: is required`.
    const required = e.keyword === 'required' ? (e.params as { requiredProperties?: unknown }).requiredProperties : undefined;
    const found = Array.isArray(required)
      ? required.map((name) => ({ path: `${e.instancePath}/${String(name)}`, message: 'is required' }))
      : [{ path: e.instancePath || '/', message: e.keyword === 'boolean' ? 'is not a known field' : e.message }];
    for (const issue of found) {
      const key = `${issue.path}|${issue.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(issue);
      if (out.length >= limit) return out;
    }
  }
  return out;
}
