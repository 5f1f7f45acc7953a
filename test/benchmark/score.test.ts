import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Value } from 'typebox/value';
import type { LabelRow, RcaCase } from '../../src/benchmark/cases.ts';
import { EvaluationSchema, MAX_RANKING, predictionIssues, PredictionsSchema, type Evaluation } from '../../src/benchmark/predictions.ts';
import { evaluateDataset, parsePredictionTimestamp, scorePredictions, serviceOf, type GroundTruth, type PredictionsInput } from '../../src/benchmark/score.ts';
import { DatasetError } from '../../src/validation/read-dataset.ts';
import { tempDir } from '../helpers/dataset.ts';

// Every expected figure below is worked out by hand from the definitions (docs/SCORING.md):
// AC@k = mean over cases of |top-k ∩ R| / min(k, |R|), Avg@5 = (AC@1 + … + AC@5) / 5.

/** A case with its root causes given as `service:metric`. */
function rcaCase(id: string, type: string, ...causes: string[]): RcaCase {
  return {
    incidentId: id,
    type,
    startMs: 0,
    endMs: 0,
    detectedMs: null,
    rootCauses: causes.map((c) => ({ service: serviceOf(c), metric: c.slice(c.indexOf(':') + 1) })),
  };
}

function label(host: string, timestamp: string, ...incidents: string[]): LabelRow {
  return {
    timestamp,
    host_id: host,
    service: host.replace(/-[0-9a-f]{6}$/, ''),
    incidents: incidents.map((id) => ({ incident_id: id, incident_type: 'CPU_SATURATION', primary_incident_id: id, role: 'root_cause' })),
  };
}

function truth(cases: RcaCase[], labels: LabelRow[] = [], granularityMinutes = 15): GroundTruth {
  return { cases, labels, granularityMinutes };
}

/** AC@1..5 and Avg@5 as the result writes them. */
function figures(ac: [number, number, number, number, number]): Evaluation['rca']['service'] {
  return { 'AC@1': ac[0], 'AC@2': ac[1], 'AC@3': ac[2], 'AC@4': ac[3], 'AC@5': ac[4], 'Avg@5': (ac[0] + ac[1] + ac[2] + ac[3] + ac[4]) / 5 };
}

const ONES = figures([1, 1, 1, 1, 1]);

function near(actual: number | null, expected: number, what: string): void {
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-12, `${what}: ${actual} ≠ ${expected}`);
}

/** Scores and checks the result against the schema the route publishes. */
function score(t: GroundTruth, p: PredictionsInput): Evaluation {
  const e = scorePredictions(t, p);
  assert.ok(Value.Check(EvaluationSchema, e), JSON.stringify([...Value.Errors(EvaluationSchema, e)].slice(0, 3)));
  return e;
}

const SERVICES = ['frontend', 'cart', 'checkout', 'payment', 'db'];

test('perfect answers score 1 at both levels and in anomaly detection', () => {
  const cases = [rcaCase('INC-1', 'CPU_SATURATION', 'db:system.cpu.util'), rcaCase('INC-2', 'MEMORY_LEAK', 'cart:system.mem.util'), rcaCase('INC-3', 'DB_CONTENTION', 'db:db.connection_pool.util', 'cart:app.error_rate')];
  const labels = [label('db-aaaaaa', '2024-06-01T00:00:00Z', 'INC-1'), label('db-aaaaaa', '2024-06-01T00:15:00Z', 'INC-1', 'INC-3'), label('cart-bbbbbb', '2024-06-02T10:00:00Z', 'INC-2'), label('frontend-cccccc', '2024-06-02T10:00:00Z')];
  const predictions: PredictionsInput = {
    rca: cases.map((c) => ({ incident_id: c.incidentId, ranking: [...c.rootCauses.map((r) => `${r.service}:${r.metric}`), 'frontend:net.latency.ms', 'payment'] })),
    anomalies: labels.filter((l) => l.incidents.length > 0).map((l) => ({ host_id: l.host_id, timestamp: l.timestamp })),
  };
  const e = score(truth(cases, labels), predictions);
  assert.deepEqual(e.rca.service, ONES);
  assert.deepEqual(e.rca.indicator, ONES);
  assert.deepEqual(e.rca.incidents.map((i) => [i.service_rank, i.indicator_rank, i.predicted]), [[1, 1, true], [1, 1, true], [1, 1, true]]);
  assert.deepEqual(e.rca.incidents[2]?.root_causes, ['db:db.connection_pool.util', 'cart:app.error_rate']);
  assert.deepEqual([e.rca.missing, e.rca.unknown, e.rca.duplicates], [[], [], []]);
  assert.deepEqual(e.anomalies, { precision: 1, recall: 1, f1: 1, incidentRecall: 1, truePositives: 3, predicted: 3, labeled: 3, incidents: 3, incidentsFound: 3, invalid: 0 });
  assert.deepEqual(e.dataset, { granularityMinutes: 15, cases: 3, labeledHostIntervals: 3 });
  // The JSON keeps one key order, whatever the input.
  assert.deepEqual(Object.keys(e), ['dataset', 'rca', 'anomalies']);
  assert.deepEqual(Object.keys(e.rca), ['cases', 'predicted', 'service', 'indicator', 'byType', 'incidents', 'missing', 'unknown', 'duplicates']);
  assert.deepEqual(Object.keys(e.rca.service), ['AC@1', 'AC@2', 'AC@3', 'AC@4', 'AC@5', 'Avg@5']);
  assert.deepEqual(Object.keys(e.anomalies), ['precision', 'recall', 'f1', 'incidentRecall', 'truePositives', 'predicted', 'labeled', 'incidents', 'incidentsFound', 'invalid']);
});

test('reversed rankings: the root cause last of N services scores what the formula says', () => {
  // N = 5, root cause last: top-1..4 miss it, top-5 holds it: AC@1..4 = 0, AC@5 = 1, Avg@5 = 1/5.
  const five = [rcaCase('INC-1', 'CPU_SATURATION', 'db:system.cpu.util')];
  const reversed = ['frontend', 'cart', 'checkout', 'payment', 'db'].map((s) => `${s}:system.cpu.util`);
  const e = score(truth(five), { rca: [{ incident_id: 'INC-1', ranking: reversed }] });
  assert.deepEqual(e.rca.service, { 'AC@1': 0, 'AC@2': 0, 'AC@3': 0, 'AC@4': 0, 'AC@5': 1, 'Avg@5': 0.2 });
  assert.deepEqual(e.rca.indicator, e.rca.service);
  assert.equal(e.rca.incidents[0]?.service_rank, 5);
  assert.equal(e.rca.incidents[0]?.indicator_rank, 5);

  // N = 7, root cause last: beyond the top 5, so every figure is 0, the rank still 7.
  const seven = [...SERVICES, 'search', 'auth'];
  const far = score(truth([rcaCase('INC-1', 'CPU_SATURATION', 'auth:system.cpu.util')]), { rca: [{ incident_id: 'INC-1', ranking: seven }] });
  assert.deepEqual(far.rca.service, figures([0, 0, 0, 0, 0]));
  assert.equal(far.rca.incidents[0]?.service_rank, 7);
  assert.equal(far.rca.incidents[0]?.indicator_rank, null, 'bare services never match an indicator');

  // Two cases, one right at 1 and one at 3: AC@1 = (1 + 0) / 2, AC@2 = 1/2, AC@3..5 = (1 + 1) / 2.
  const two = score(truth([rcaCase('A', 'T', 'db:m'), rcaCase('B', 'T', 'cart:m')]), {
    rca: [
      { incident_id: 'A', ranking: ['db:m', 'cart:m'] },
      { incident_id: 'B', ranking: ['db:m', 'frontend:m', 'cart:m'] },
    ],
  });
  assert.deepEqual(two.rca.service, { 'AC@1': 0.5, 'AC@2': 0.5, 'AC@3': 1, 'AC@4': 1, 'AC@5': 1, 'Avg@5': (0.5 + 0.5 + 1 + 1 + 1) / 5 });
  assert.equal(two.rca.service['Avg@5'], 0.8);
});

test('two root causes: top-k is divided by min(k, |R|)', () => {
  // R = {a, b}; ranking [a, x, b]: AC@1 = 1/min(1,2) = 1, AC@2 = 1/2, AC@3 = 2/2, AC@4 = AC@5 = 2/2.
  // Avg@5 = (1 + 0.5 + 1 + 1 + 1) / 5 = 0.9.
  const cases = [rcaCase('INC-1', 'DB_CONTENTION', 'a:db.connection_pool.util', 'b:app.error_rate')];
  const e = score(truth(cases), { rca: [{ incident_id: 'INC-1', ranking: ['a:db.connection_pool.util', 'x:app.error_rate', 'b:app.error_rate'] }] });
  assert.deepEqual(e.rca.service, { 'AC@1': 1, 'AC@2': 0.5, 'AC@3': 1, 'AC@4': 1, 'AC@5': 1, 'Avg@5': 0.9 });
  assert.deepEqual(e.rca.indicator, e.rca.service);

  // Service right, metric wrong for b: at indicator level only a is found: AC@1 = 1, AC@2..5 = 1/2.
  // Avg@5 = (1 + 4 × 0.5) / 5 = 0.6. Service level is unchanged.
  const wrongMetric = score(truth(cases), { rca: [{ incident_id: 'INC-1', ranking: ['a:db.connection_pool.util', 'x:app.error_rate', 'b:system.cpu.util'] }] });
  assert.deepEqual(wrongMetric.rca.service, e.rca.service);
  assert.deepEqual(wrongMetric.rca.indicator, { 'AC@1': 1, 'AC@2': 0.5, 'AC@3': 0.5, 'AC@4': 0.5, 'AC@5': 0.5, 'Avg@5': 0.6 });

  // Two root causes on one service: R is {a} at service level (one service), two indicators below it.
  const sameService = score(truth([rcaCase('INC-2', 'T', 'a:m1', 'a:m2')]), { rca: [{ incident_id: 'INC-2', ranking: ['a:m2', 'a:m1'] }] });
  assert.deepEqual(sameService.rca.service, ONES);
  assert.deepEqual(sameService.rca.indicator, ONES);
});

test('missing predictions score 0 and are listed; unknown ids and second predictions are listed and ignored', () => {
  const cases = [rcaCase('INC-1', 'CPU_SATURATION', 'db:system.cpu.util'), rcaCase('INC-2', 'CPU_SATURATION', 'cart:system.cpu.util'), rcaCase('INC-3', 'MEMORY_LEAK', 'cart:system.mem.util')];
  const e = score(truth(cases), {
    rca: [
      { incident_id: 'INC-1', ranking: ['db:system.cpu.util'] },
      { incident_id: 'INC-9', ranking: ['db:system.cpu.util'] },
      { incident_id: 'INC-1', ranking: ['cart:system.cpu.util'] },
      { incident_id: 'INC-9', ranking: [] },
      { incident_id: 'INC-1', ranking: [] },
      { incident_id: 'nope', ranking: ['x'] },
    ],
  });
  // One of three cases right at every k: 1/3 everywhere.
  assert.deepEqual(e.rca.service, figures([1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3]));
  assert.deepEqual(e.rca.indicator, e.rca.service);
  assert.equal(e.rca.cases, 3);
  assert.equal(e.rca.predicted, 1);
  assert.deepEqual(e.rca.missing, ['INC-2', 'INC-3']);
  assert.deepEqual(e.rca.unknown, ['INC-9', 'nope'], 'file order, each once');
  assert.deepEqual(e.rca.duplicates, ['INC-1'], 'the first prediction is the one scored');
  assert.deepEqual(e.rca.incidents[1], { incident_id: 'INC-2', type: 'CPU_SATURATION', root_causes: ['cart:system.cpu.util'], predicted: false, service_rank: null, indicator_rank: null });

  // A file with no `rca` key: every case missed.
  const none = score(truth(cases), { anomalies: [] });
  assert.deepEqual(none.rca.service, figures([0, 0, 0, 0, 0]));
  assert.deepEqual(none.rca.missing, ['INC-1', 'INC-2', 'INC-3']);
});

test('service and indicator level: mapping to services, the first ":", repeats and bare services', () => {
  const cases = [rcaCase('INC-1', 'CPU_SATURATION', 'db:system.cpu.util')];
  const one = (ranking: string[]): Evaluation['rca'] => score(truth(cases), { rca: [{ incident_id: 'INC-1', ranking }] }).rca;

  // Service right, metric wrong: service AC@1 = 1, indicator 0 at every k (the right indicator is absent).
  const wrongMetric = one(['db:system.mem.util', 'cart:system.cpu.util']);
  assert.deepEqual(wrongMetric.service, ONES);
  assert.deepEqual(wrongMetric.indicator, figures([0, 0, 0, 0, 0]));
  assert.deepEqual([wrongMetric.incidents[0]?.service_rank, wrongMetric.incidents[0]?.indicator_rank], [1, null]);

  // Repeats of a service collapse at service level: [cart:mem, cart:cpu, db:cpu] → services
  // [cart, db], db at 2; the indicators are all distinct, the true one at 3.
  const repeated = one(['cart:system.mem.util', 'cart:system.cpu.util', 'db:system.cpu.util']);
  assert.deepEqual(repeated.service, figures([0, 1, 1, 1, 1]));
  assert.deepEqual(repeated.indicator, figures([0, 0, 1, 1, 1]));
  assert.deepEqual([repeated.incidents[0]?.service_rank, repeated.incidents[0]?.indicator_rank], [2, 3]);

  // A bare service keeps its place at indicator level: [db, db:cpu] → indicator rank 2.
  const bare = one(['db', 'db:system.cpu.util']);
  assert.deepEqual(bare.service, ONES);
  assert.deepEqual(bare.indicator, figures([0, 1, 1, 1, 1]));

  // Exact repeats drop out at indicator level too: [cart:x, cart:x, db:cpu] → rank 2.
  const dup = one(['cart:x', 'cart:x', 'db:system.cpu.util']);
  assert.deepEqual(dup.indicator, figures([0, 1, 1, 1, 1]));

  // The service is the part before the first ':'.
  assert.equal(serviceOf('db:ns:metric'), 'db');
  assert.equal(serviceOf('db'), 'db');
  assert.deepEqual(one(['db:anything:else']).service, ONES);
  // An empty ranking is a prediction that finds nothing (not a missing case).
  const empty = one([]);
  assert.deepEqual([empty.service['AC@5'], empty.predicted, empty.missing], [0, 1, []]);
});

test('byType: the figures over the cases of each type, types in name order', () => {
  const cases = [rcaCase('INC-1', 'MEMORY_LEAK', 'a:m'), rcaCase('INC-2', 'CPU_SATURATION', 'b:m'), rcaCase('INC-3', 'MEMORY_LEAK', 'c:m'), rcaCase('INC-4', 'CPU_SATURATION', 'd:m')];
  const e = score(truth(cases), {
    rca: [
      { incident_id: 'INC-1', ranking: ['a:m'] },
      { incident_id: 'INC-2', ranking: ['x:m', 'y:m', 'b:m'] },
      { incident_id: 'INC-3', ranking: ['x:m', 'c:m'] },
      { incident_id: 'INC-4', ranking: ['d:m'] },
    ],
  });
  assert.deepEqual(Object.keys(e.rca.byType), ['CPU_SATURATION', 'MEMORY_LEAK']);
  // CPU_SATURATION: INC-2 at 3, INC-4 at 1 → AC@1 = 1/2, AC@2 = 1/2, AC@3..5 = 1.
  assert.deepEqual(e.rca.byType.CPU_SATURATION, { cases: 2, service: figures([0.5, 0.5, 1, 1, 1]), indicator: figures([0.5, 0.5, 1, 1, 1]) });
  // MEMORY_LEAK: INC-1 at 1, INC-3 at 2 → AC@1 = 1/2, AC@2..5 = 1.
  assert.deepEqual(e.rca.byType.MEMORY_LEAK, { cases: 2, service: figures([0.5, 1, 1, 1, 1]), indicator: figures([0.5, 1, 1, 1, 1]) });
  // Overall: AC@1 = 2/4, AC@2 = 3/4, AC@3..5 = 1.
  assert.deepEqual(e.rca.service, figures([0.5, 0.75, 1, 1, 1]));
});

test('no cases and no labels: the figures are null, never NaN', () => {
  const e = score(truth([]), { rca: [{ incident_id: 'INC-1', ranking: ['a'] }], anomalies: [{ host_id: 'a-000000', timestamp: '2024-06-01T00:00:00Z' }] });
  assert.deepEqual(e.rca.service, { 'AC@1': null, 'AC@2': null, 'AC@3': null, 'AC@4': null, 'AC@5': null, 'Avg@5': null });
  assert.deepEqual(e.rca.byType, {});
  assert.deepEqual(e.rca.unknown, ['INC-1']);
  assert.deepEqual([e.anomalies.precision, e.anomalies.recall, e.anomalies.f1, e.anomalies.incidentRecall], [0, null, null, null]);
  assert.doesNotMatch(JSON.stringify(e), /NaN/);
  assert.throws(() => scorePredictions(truth([], [], 0), {}), RangeError);
});

test('anomalies: partial overlap, flooring to the interval, deduplication, incident recall', () => {
  const labels = [
    label('db-aaaaaa', '2024-06-01T00:00:00Z', 'INC-1'),
    label('db-aaaaaa', '2024-06-01T00:15:00Z', 'INC-1'),
    label('cart-bbbbbb', '2024-06-01T00:15:00Z', 'INC-1', 'INC-2'),
    label('cart-bbbbbb', '2024-06-01T00:30:00Z', 'INC-2'),
    label('web-cccccc', '2024-06-01T01:00:00Z', 'INC-3'),
    label('web-cccccc', '2024-06-01T01:15:00Z'), // a row without an incident is not a labeled interval
  ];
  const predictions: PredictionsInput = {
    anomalies: [
      { host_id: 'db-aaaaaa', timestamp: '2024-06-01T00:07:30Z' }, // floored to 00:00: TP (INC-1)
      { host_id: 'db-aaaaaa', timestamp: '2024-06-01 00:00:00' }, // the original's format; same interval, counted once
      { host_id: 'db-aaaaaa', timestamp: '2024-06-01T02:14:59' }, // no zone, read as UTC: 02:00, FP
      { host_id: 'cart-bbbbbb', timestamp: '2024-06-01T02:44:59+02:00' }, // 00:44:59Z → 00:30: TP (INC-2)
      { host_id: 'web-cccccc', timestamp: '2024-06-01T01:15:00Z' }, // an unlabeled row: FP
      { host_id: 'web-cccccc', timestamp: 'yesterday' }, // invalid
      { host_id: 'web-cccccc', timestamp: '2024-02-30T01:00:00Z' }, // invalid (no such day), not INC-3's interval
    ],
  };
  const e = score(truth([], labels), predictions);
  // Labeled: 5 host-intervals; predicted: 4 distinct valid; TP: 2.
  // P = 2/4, R = 2/5, F1 = 2 · 0.5 · 0.4 / 0.9 = 4/9. Incidents: INC-1, INC-2 found, INC-3 not: 2/3.
  assert.equal(e.anomalies.truePositives, 2);
  assert.equal(e.anomalies.predicted, 4);
  assert.equal(e.anomalies.labeled, 5);
  assert.equal(e.anomalies.invalid, 2);
  assert.equal(e.anomalies.precision, 0.5);
  assert.equal(e.anomalies.recall, 0.4);
  near(e.anomalies.f1, 4 / 9, 'F1');
  assert.deepEqual([e.anomalies.incidents, e.anomalies.incidentsFound], [3, 2]);
  near(e.anomalies.incidentRecall, 2 / 3, 'incident recall');

  // An incident is found by one of its intervals: cart@00:15 alone finds INC-1 and INC-2 (both labeled there).
  const one = score(truth([], labels), { anomalies: [{ host_id: 'cart-bbbbbb', timestamp: '2024-06-01T00:29:59.999Z' }] });
  assert.deepEqual([one.anomalies.truePositives, one.anomalies.incidentsFound, one.anomalies.precision, one.anomalies.recall], [1, 2, 1, 0.2]);
  near(one.anomalies.f1, (2 * 0.2) / 1.2, 'F1');

  // Nothing right: P = R = 0, F1 = 0 (not undefined). Nothing predicted: P and F1 null, R = 0.
  const wrong = score(truth([], labels), { anomalies: [{ host_id: 'x-000000', timestamp: '2024-06-01T00:00:00Z' }] });
  assert.deepEqual([wrong.anomalies.precision, wrong.anomalies.recall, wrong.anomalies.f1, wrong.anomalies.incidentRecall], [0, 0, 0, 0]);
  const nothing = score(truth([], labels), {});
  assert.deepEqual([nothing.anomalies.precision, nothing.anomalies.recall, nothing.anomalies.f1, nothing.anomalies.incidentRecall], [null, 0, null, 0]);

  // The granularity decides the flooring: at 60 minutes, db@00:00 and db@00:15 are one interval.
  const hourly = score(truth([], labels, 60), { anomalies: [{ host_id: 'db-aaaaaa', timestamp: '2024-06-01T00:59:00Z' }] });
  assert.deepEqual([hourly.anomalies.labeled, hourly.anomalies.truePositives, hourly.dataset.granularityMinutes], [3, 1, 60]);

  // A generator of labels is read once, lazily: the same result as the array.
  function* rows(): Generator<LabelRow> {
    yield* labels;
  }
  assert.deepEqual(scorePredictions({ cases: [], labels: rows(), granularityMinutes: 15 }, predictions), e);
  assert.throws(() => scorePredictions(truth([], [label('db-aaaaaa', 'not a time', 'INC-1')]), {}), DatasetError);
});

test('prediction timestamps: ISO 8601 with or without a zone, the original format; nothing looser', () => {
  const at = Date.UTC(2024, 5, 1, 10, 15, 0);
  for (const text of ['2024-06-01T10:15:00Z', '2024-06-01T10:15:00', '2024-06-01 10:15:00', '2024-06-01T10:15Z', '2024-06-01t10:15:00z', '2024-06-01T12:15:00+02:00', '2024-06-01T12:15:00+0200', '2024-06-01T07:15:00-03', '2024-06-01T10:15:00.000Z']) {
    assert.equal(parsePredictionTimestamp(text), at, text);
  }
  assert.equal(parsePredictionTimestamp('2024-06-01T10:15:00.123456Z'), at + 123);
  assert.equal(parsePredictionTimestamp('2024-02-29T00:00:00Z'), Date.UTC(2024, 1, 29));
  assert.equal(parsePredictionTimestamp('0024-01-01T00:00:00Z'), Date.parse('0024-01-01T00:00:00Z'), 'years below 100 are not 19xx');
  for (const text of ['', 'yesterday', '2024-06-01', '2024-06-01T10', '2023-02-29T00:00:00Z', '2024-13-01T00:00:00Z', '2024-06-31T00:00:00Z', '2024-06-01T24:00:00Z', '2024-06-01T10:60:00Z', '2024-06-01T10:15:00+25:00', ' 2024-06-01T10:15:00Z', '1717236900000']) {
    assert.equal(parsePredictionTimestamp(text), null, JSON.stringify(text));
  }
});

test('PredictionsSchema: the baselines’ file shape, either task alone; issues name the bad path', () => {
  const ok = (v: unknown): boolean => Value.Check(PredictionsSchema, v);
  assert.ok(ok({ rca: [{ incident_id: 'INC-1', ranking: ['db', 'db:system.cpu.util'] }], anomalies: [{ host_id: 'db-aaaaaa', timestamp: '2024-06-01 00:00:00' }] }));
  assert.ok(ok({}));
  assert.ok(ok({ rca: [] }));
  assert.ok(ok({ anomalies: [] }));
  assert.ok(ok({ rca: [{ incident_id: 'INC-1', ranking: Array.from({ length: MAX_RANKING }, (_, i) => `s${i}:m`) }] }), 'every indicator of 128 services');
  assert.ok(!ok({ rca: [{ incident_id: 'INC-1', ranking: Array.from({ length: MAX_RANKING + 1 }, (_, i) => `s${i}:m`) }] }));
  assert.ok(!ok([]));
  assert.ok(!ok({ rca: {} }));

  assert.deepEqual(predictionIssues({ rca: [{ incident_id: 'INC-1', ranking: ['a'] }] }), []);
  const issues = predictionIssues({ rca: [{ incident_id: 'INC-1', ranking: 'a' }], anomalies: [{ host_id: 'h', timestamp: 5, extra: true }], model: 'x' });
  const paths = issues.map((i) => i.path);
  assert.ok(paths.includes('/rca/0/ranking'), paths.join(' '));
  assert.ok(paths.includes('/anomalies/0/timestamp'), paths.join(' '));
  assert.ok(issues.some((i) => i.path === '/model' && i.message === 'is not a known field'), JSON.stringify(issues));
  assert.ok(issues.some((i) => i.path === '/anomalies/0/extra' && i.message === 'is not a known field'), JSON.stringify(issues));
  assert.equal(new Set(issues.map((i) => `${i.path}|${i.message}`)).size, issues.length, 'each issue once');
  assert.deepEqual(predictionIssues('x').map((i) => i.path), ['/']);
  assert.deepEqual(predictionIssues({ rca: [{ ranking: [] }] }), [{ path: '/rca/0/incident_id', message: 'is required' }]);
  assert.ok(predictionIssues({ rca: Array.from({ length: 50 }, () => ({})) }, 3).length <= 3);
});

test('evaluateDataset reads the catalog’s cases and granularity and the label files; a missing catalog is a DatasetError', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'metadata', 'labels', '2024-06'), { recursive: true });
  const catalog = {
    generation_config: { granularity_minutes: 5 },
    incidents: [
      { id: 'INC-1', type: 'CPU_SATURATION', start_time: '2024-06-01T00:00:00Z', end_time: '2024-06-01T01:00:00Z', is_primary: true, root_cause: { service: 'db', metric: 'system.cpu.util' } },
      { id: 'INC-2', type: 'CASCADING_FAILURE', start_time: '2024-06-01T00:10:00Z', end_time: '2024-06-01T01:00:00Z', is_primary: false, primary_incident_id: 'INC-1', root_cause: { service: 'cart', metric: 'app.error_rate' } },
      { id: 'INC-3', type: 'NETWORK_PARTITION', start_time: '2024-06-01T02:00:00Z', end_time: '2024-06-01T03:00:00Z', is_primary: true, root_cause: { service: null, metric: null } },
    ],
  };
  await writeFile(join(dir, 'metadata', 'incident_catalog.json'), JSON.stringify(catalog));
  await writeFile(join(dir, 'metadata', 'labels', '2024-06', 'labels_2024-06-01.json'), JSON.stringify([label('db-aaaaaa', '2024-06-01T00:00:00Z', 'INC-1'), label('db-aaaaaa', '2024-06-01T00:05:00Z', 'INC-1'), label('cart-bbbbbb', '2024-06-01T00:10:00Z', 'INC-2')]));
  const e = evaluateDataset(dir, { rca: [{ incident_id: 'INC-1', ranking: ['db:system.cpu.util'] }], anomalies: [{ host_id: 'db-aaaaaa', timestamp: '2024-06-01T00:09:59Z' }] });
  assert.deepEqual(e.dataset, { granularityMinutes: 5, cases: 1, labeledHostIntervals: 3 });
  assert.deepEqual(e.rca.service, ONES);
  // 00:09:59 floors to 00:05 at 5 minutes (it would be 00:00 at the default 15).
  assert.deepEqual([e.anomalies.truePositives, e.anomalies.precision, e.anomalies.incidentsFound, e.anomalies.incidents], [1, 1, 1, 2]);

  // Without a granularity in the catalog: 15 minutes.
  await writeFile(join(dir, 'metadata', 'incident_catalog.json'), JSON.stringify({ incidents: catalog.incidents }));
  assert.equal(evaluateDataset(dir, {}).dataset.granularityMinutes, 15);

  await writeFile(join(dir, 'metadata', 'labels', '2024-06', 'labels_2024-06-02.json'), '{"not": "an array"}');
  assert.throws(() => evaluateDataset(dir, {}), DatasetError);
  await writeFile(join(dir, 'metadata', 'labels', '2024-06', 'labels_2024-06-02.json'), '[{');
  assert.throws(() => evaluateDataset(dir, {}), DatasetError);
  assert.throws(() => evaluateDataset(join(dir, 'nope'), {}), (e: unknown) => e instanceof DatasetError && /incident_catalog\.json/.test(e.message));
  await writeFile(join(dir, 'metadata', 'incident_catalog.json'), '{');
  assert.throws(() => evaluateDataset(dir, {}), DatasetError);
});
