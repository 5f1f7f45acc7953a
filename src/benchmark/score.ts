// Scores a prediction file against a dataset's ground truth: RCA rankings with RCAEval's AC@k and
// Avg@5 at service and indicator level, anomaly detection with precision, recall and F1 over
// host-intervals. scorePredictions is pure (the truth comes in as values) so tests can build cases
// by hand and the HTTP route can score against a job's files; evaluateDataset reads a folder.
// docs/SCORING.md gives the formulas and every choice made where the definitions are silent.
import { hostIntervalKey, labelRows, parseUtc, rcaCases, readCatalog, type LabelRow, type RcaCase } from './cases.ts';
import { ACCURACY_KEYS, type Accuracy, type Evaluation } from './predictions.ts';
import { DatasetError } from '../validation/read-dataset.ts';

/** The interval length used when a catalog does not name one: the original generator's. */
export const DEFAULT_GRANULARITY_MINUTES = 15;

/** The deepest rank AC@k looks at. */
const K = 5;

/** What predictions are scored against. */
export interface GroundTruth {
  /** The RCA cases (src/benchmark/cases.ts rcaCases), in the order the result lists them. */
  readonly cases: readonly RcaCase[];
  /** The label rows; read once, so a generator over a year of label files works. */
  readonly labels: Iterable<LabelRow>;
  /** Minutes per host-interval: prediction and label timestamps are floored to it. */
  readonly granularityMinutes: number;
}

/**
 * A prediction file as the scorer reads it: PredictionsSchema's type, read-only, so the baselines'
 * own `Predictions` objects can be scored without a copy.
 */
export interface PredictionsInput {
  readonly rca?: readonly { readonly incident_id: string; readonly ranking: readonly string[] }[] | undefined;
  readonly anomalies?: readonly { readonly host_id: string; readonly timestamp: string }[] | undefined;
}

/** AC@1..AC@5 of one case at one level. */
type Five = [number, number, number, number, number];

const ZERO: Five = [0, 0, 0, 0, 0];

/** The service an entry names: the part before its first ':' (the whole entry when it has none). */
export function serviceOf(entry: string): string {
  const i = entry.indexOf(':');
  return i < 0 ? entry : entry.slice(0, i);
}

function dedupe(items: Iterable<string>): string[] {
  return [...new Set(items)];
}

/** A ranking at service level: each entry's service, repeats dropped (the first occurrence kept). */
export function serviceRanking(ranking: readonly string[]): string[] {
  return dedupe(ranking.map(serviceOf));
}

/**
 * A ranking at indicator level: repeats dropped (the first occurrence kept). Bare services stay in
 * place, so a model that puts a service before its indicators is ranked as it wrote it; they just
 * never match an indicator.
 */
export function indicatorRanking(ranking: readonly string[]): string[] {
  return dedupe(ranking);
}

/** |top-k ∩ truth| / min(k, |truth|) for k = 1..5, for a ranking without repeats. */
function accuracies(ranked: readonly string[], truth: ReadonlySet<string>): Five {
  const out: Five = [0, 0, 0, 0, 0];
  // A case with no root cause (rcaCases never makes one) has nothing to find: 0, not NaN.
  if (truth.size === 0) return out;
  let hits = 0;
  for (let k = 1; k <= K; k++) {
    const entry = ranked[k - 1];
    if (entry !== undefined && truth.has(entry)) hits++;
    out[k - 1] = hits / Math.min(k, truth.size);
  }
  return out;
}

/** 1-based position of the first entry in the truth; null when none is. */
function firstRank(ranked: readonly string[], truth: ReadonlySet<string>): number | null {
  const i = ranked.findIndex((e) => truth.has(e));
  return i < 0 ? null : i + 1;
}

/** The mean of per-case figures; every figure null when there is no case (never NaN). */
function aggregate(perCase: readonly Five[]): Accuracy {
  if (perCase.length === 0) return Object.fromEntries(ACCURACY_KEYS.map((k) => [k, null])) as Accuracy;
  const ac = ZERO.map((_, j) => perCase.reduce((sum, f) => sum + f[j]!, 0) / perCase.length) as Five;
  return { 'AC@1': ac[0], 'AC@2': ac[1], 'AC@3': ac[2], 'AC@4': ac[3], 'AC@5': ac[4], 'Avg@5': ac.reduce((a, b) => a + b, 0) / K };
}

/** n / d, null when d is 0 (the figure is undefined, not 0 and not NaN). */
function ratio(n: number, d: number): number | null {
  return d === 0 ? null : n / d;
}

// ISO 8601 date and time, `T`, `t` or a space between them, seconds and fraction optional, `Z`,
// an offset (`+02:00`, `+0200`, `+02`) or no zone (UTC, as the original writes its timestamps).
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/**
 * A prediction's timestamp in ms, or null when it cannot be read. Stricter than Date.parse, which
 * takes 2024-02-30 for March 1st and reads free text: a wrong date is an invalid prediction, not
 * a guess at some other interval.
 */
export function parsePredictionTimestamp(text: string): number | null {
  const m = TIMESTAMP.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number, number];
  const s = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Math.floor(Number(`0${m[7]}`) * 1000);
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0..99 as 1900..1999.
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  let offsetMinutes = 0;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = m[11] === undefined ? 0 : Number(m[11]);
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const t = date.getTime() - offsetMinutes * 60_000;
  return Number.isFinite(t) ? t : null;
}

interface ScoredCase {
  readonly rcaCase: RcaCase;
  readonly service: Five;
  readonly indicator: Five;
}

/**
 * Scores predictions against a ground truth (docs/SCORING.md). Pure: no I/O, the labels iterable
 * is read once. RCA: a case without a prediction scores 0 at every k and is listed in
 * `rca.missing`; ids that are no case are listed in `rca.unknown` and ignored; a case predicted
 * twice is scored on its first prediction and listed in `rca.duplicates`. Anomalies: predicted
 * and labeled host-intervals are compared after flooring to the granularity; an unreadable
 * prediction timestamp is counted in `anomalies.invalid` and ignored.
 * @throws DatasetError when a label row's timestamp cannot be read (the truth is broken).
 */
export function scorePredictions(truth: GroundTruth, predictions: PredictionsInput): Evaluation {
  const g = truth.granularityMinutes;
  if (!(Number.isFinite(g) && g > 0)) throw new RangeError(`granularityMinutes must be a positive number, got ${g}`);

  // ---- RCA ----
  const caseIds = new Set(truth.cases.map((c) => c.incidentId));
  const rankings = new Map<string, readonly string[]>();
  const unknown = new Set<string>();
  const duplicates = new Set<string>();
  for (const p of predictions.rca ?? []) {
    if (!caseIds.has(p.incident_id)) unknown.add(p.incident_id);
    else if (rankings.has(p.incident_id)) duplicates.add(p.incident_id);
    else rankings.set(p.incident_id, p.ranking);
  }

  const scored: ScoredCase[] = [];
  const incidents: Evaluation['rca']['incidents'] = [];
  const missing: string[] = [];
  for (const c of truth.cases) {
    const services = new Set(c.rootCauses.map((r) => r.service));
    const indicators = new Set(c.rootCauses.map((r) => `${r.service}:${r.metric}`));
    const ranking = rankings.get(c.incidentId);
    if (ranking === undefined) missing.push(c.incidentId);
    // Every truth indicator contains ':', so a bare service in the ranking can never match one.
    const byService = ranking === undefined ? [] : serviceRanking(ranking);
    const byIndicator = ranking === undefined ? [] : indicatorRanking(ranking);
    scored.push({
      rcaCase: c,
      service: ranking === undefined ? ZERO : accuracies(byService, services),
      indicator: ranking === undefined ? ZERO : accuracies(byIndicator, indicators),
    });
    incidents.push({
      incident_id: c.incidentId,
      type: c.type,
      root_causes: [...indicators],
      predicted: ranking !== undefined,
      service_rank: firstRank(byService, services),
      indicator_rank: firstRank(byIndicator, indicators),
    });
  }
  const byType: Evaluation['rca']['byType'] = {};
  for (const type of [...new Set(truth.cases.map((c) => c.type))].sort()) {
    const of = scored.filter((s) => s.rcaCase.type === type);
    byType[type] = { cases: of.length, service: aggregate(of.map((s) => s.service)), indicator: aggregate(of.map((s) => s.indicator)) };
  }

  // ---- Anomaly detection ----
  const predicted = new Set<string>();
  let invalid = 0;
  for (const a of predictions.anomalies ?? []) {
    const ms = parsePredictionTimestamp(a.timestamp);
    if (ms === null) invalid++;
    else predicted.add(hostIntervalKey(a.host_id, ms, g));
  }
  const labeled = new Set<string>();
  const labeledIncidents = new Set<string>();
  const found = new Set<string>();
  for (const row of truth.labels) {
    if (row.incidents.length === 0) continue;
    const ms = parseUtc(row.timestamp);
    if (!Number.isFinite(ms)) throw new DatasetError(`label row of ${row.host_id} has an unreadable timestamp: ${JSON.stringify(row.timestamp)}`);
    const key = hostIntervalKey(row.host_id, ms, g);
    labeled.add(key);
    const hit = predicted.has(key);
    for (const inc of row.incidents) {
      labeledIncidents.add(inc.incident_id);
      if (hit) found.add(inc.incident_id);
    }
  }
  let truePositives = 0;
  for (const key of predicted) if (labeled.has(key)) truePositives++;
  const precision = ratio(truePositives, predicted.size);
  const recall = ratio(truePositives, labeled.size);
  // Both 0 (predictions and labels, none shared) is a method that found nothing: F1 0, not undefined.
  const f1 = precision === null || recall === null ? null : precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);

  return {
    dataset: { granularityMinutes: g, cases: truth.cases.length, labeledHostIntervals: labeled.size },
    rca: {
      cases: truth.cases.length,
      predicted: truth.cases.length - missing.length,
      service: aggregate(scored.map((s) => s.service)),
      indicator: aggregate(scored.map((s) => s.indicator)),
      byType,
      incidents,
      missing,
      unknown: [...unknown],
      duplicates: [...duplicates],
    },
    anomalies: {
      precision,
      recall,
      f1,
      incidentRecall: ratio(found.size, labeledIncidents.size),
      truePositives,
      predicted: predicted.size,
      labeled: labeled.size,
      incidents: labeledIncidents.size,
      incidentsFound: found.size,
      invalid,
    },
  };
}

/** The label rows of a dataset, with a file that is not a JSON array of rows reported as a DatasetError. */
function* checkedLabelRows(dir: string): Generator<LabelRow> {
  try {
    for (const row of labelRows(dir)) {
      if (row === null || typeof row !== 'object' || typeof row.host_id !== 'string' || typeof row.timestamp !== 'string' || !Array.isArray(row.incidents)) {
        throw new DatasetError('a label file holds a row without host_id, timestamp and incidents');
      }
      yield row;
    }
  } catch (e) {
    // SyntaxError: not JSON; TypeError: JSON but not an array (yield* over an object).
    if (e instanceof SyntaxError || e instanceof TypeError) throw new DatasetError(`a label file cannot be read: ${e.message}`);
    throw e;
  }
}

/**
 * Scores predictions against a dataset folder (`melt_data/`): the RCA cases of its catalog, the
 * rows of its label files, the catalog's `generation_config.granularity_minutes` (default 15).
 * A dataset without label files has no labeled host-interval (recall and incident recall null).
 * @throws DatasetError when the catalog or a label file cannot be read.
 */
export function evaluateDataset(dir: string, predictions: PredictionsInput): Evaluation {
  let cases: RcaCase[];
  let granularityMinutes = DEFAULT_GRANULARITY_MINUTES;
  try {
    const catalog = readCatalog(dir);
    cases = rcaCases(catalog);
    const g = catalog.generation_config?.granularity_minutes;
    if (typeof g === 'number' && Number.isFinite(g) && g > 0) granularityMinutes = g;
  } catch (e) {
    throw new DatasetError((e as Error).message);
  }
  return scorePredictions({ cases, labels: checkedLabelRows(dir), granularityMinutes }, predictions);
}
