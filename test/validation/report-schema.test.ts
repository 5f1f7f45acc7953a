import { Ajv, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TSchema } from 'typebox';
import { generateDay } from '../../src/core/day.ts';
import { schemaId } from '../../src/core/record-schemas.ts';
import { createSimulation, dayRng } from '../../src/core/simulation.ts';
import { createAnalyzer } from '../../src/validation/analyzer.ts';
import { validateDataset } from '../../src/validation/read-dataset.ts';
import type { ValidationReport } from '../../src/validation/report.ts';
import * as reportSchemas from '../../src/validation/report-schema.ts';
import { REPORT_SCHEMAS } from '../../src/validation/report-schema.ts';
import { config, generate } from '../helpers/dataset.ts';
import { SchemaUsage, type Json, type Schema } from '../helpers/schema-usage.ts';

// The Report schema against real reports, both ways: every report validates (so nothing in it is
// unknown to the schema, and nothing required is missing), an unknown or missing field anywhere is
// refused, and every place the schema declares is used: each field is written, each nullable one is
// null in some report and not in another, each enum value occurs.

function compile(): ValidateFunction {
  const ajv = new Ajv({ strict: true, allErrors: true });
  formats.default(ajv);
  for (const s of REPORT_SCHEMAS) ajv.addSchema(s as object);
  return ajv.getSchema('Report') ?? assert.fail('Report');
}

/**
 * A report as the server and the CLI make it: a dataset written to files (two weeks, every
 * incident type, cascades, alerts, changes as causes), read back by validateDataset.
 */
async function richReport(t: Parameters<typeof generate>[0]): Promise<ValidationReport> {
  const { dir } = await generate(t, { startDate: '2024-06-01', days: 14, hostsPerService: 1, granularityMinutes: 30, incidentRate: 3, seed: 11 });
  return validateDataset(dir);
}

/**
 * A report with nothing to measure: two quiet days of metrics and events only, fed straight to the
 * analyzer with neither label files nor the catalog's call graph. Its ratios have denominator 0
 * (value null), its correlations no variance (r null), its trace and log bars no value.
 */
function bareReport(): ValidationReport {
  const sim = createSimulation(config({ startDate: '2024-06-01', days: 2, hostsPerService: 1, granularityMinutes: 60, incidentRate: 0, signals: ['metrics', 'events'], seed: 3 }));
  const analyzer = createAnalyzer({ incidents: [] }, { startMs: sim.startMs, days: sim.config.days, granularityMinutes: sim.config.granularityMinutes });
  for (let d = 0; d < sim.config.days; d++) {
    const day = generateDay(dayRng(sim, d), sim, d);
    analyzer.addDay({ date: day.date, metrics: day.metrics as unknown as Record<string, unknown>[], traces: [], logs: [], events: day.events, labels: null });
  }
  return analyzer.finish();
}

test('the report schemas are named as exported, closed, and reached from Report', () => {
  const exported = Object.entries(reportSchemas).filter(([name]) => name.endsWith('Schema'));
  for (const [name, schema] of exported) assert.equal(schemaId(schema as TSchema), name.slice(0, -'Schema'.length), name);
  assert.deepEqual(REPORT_SCHEMAS.map(schemaId).sort(), exported.map(([name]) => name.slice(0, -'Schema'.length)).sort());
  const walk = (s: Schema, where: string): void => {
    if (s.type === 'object') assert.equal(s.additionalProperties, false, `${where}: additionalProperties false`);
    if (s.type === 'object') assert.deepEqual([...(s.required ?? [])].sort(), Object.keys(s.properties ?? {}).sort(), `${where}: every field required`);
    for (const [k, v] of Object.entries(s.properties ?? {})) walk(v, `${where}.${k}`);
    if (s.items) walk(s.items, `${where}[]`);
    for (const m of s.anyOf ?? []) walk(m, `${where}|`);
  };
  for (const s of REPORT_SCHEMAS) walk(s as Schema, schemaId(s));
  assert.deepEqual([...new SchemaUsage(REPORT_SCHEMAS).declared(['Report']).reached].sort(), REPORT_SCHEMAS.map(schemaId).sort());
});

test('real reports match the Report schema exactly, and every place of it is used', async (t) => {
  const validate = compile();
  const usage = new SchemaUsage(REPORT_SCHEMAS);
  const rich = await richReport(t);
  const bare = bareReport();
  for (const [name, report] of [
    ['rich', rich],
    ['bare', bare],
  ] as const) {
    assert.equal(validate(report), true, `${name}: ${JSON.stringify(validate.errors)}`);
    usage.observe('Report', JSON.parse(JSON.stringify(report)) as Json);
  }
  assert.equal(rich.dataset.labelFiles, true);
  assert.equal(bare.dataset.callGraph, 'traces');
  // Not looser than the reports: every field written, every nullable one null somewhere and not
  // elsewhere, every enum value (both ops, both call-graph sources) used.
  assert.deepEqual(usage.looser(['Report']), []);

  // Not looser the other way either: an unknown field anywhere is refused, and so is a missing one.
  assert.equal(validate({ ...rich, extra: 1 }), false);
  assert.equal(validate({ ...rich, dataset: { ...rich.dataset, extra: 1 } }), false);
  assert.equal(validate({ ...rich, ranker: { ...rich.ranker, top5: rich.ranker.top3 } }), false);
  assert.equal(validate({ ...rich, alerts: { ...rich.alerts, note: 'x' } }), false, 'inside a Ratio');
  assert.equal(validate({ ...rich, latency: { ...rich.latency, p: 0 } }), false, 'inside a Correlation');
  assert.equal(validate({ ...rich, bars: [{ ...rich.bars[0], note: 'x' }] }), false, 'inside a ReportBar');
  assert.equal(validate({ ...rich, detection: { ...rich.detection, UNKNOWN_TYPE: rich.detection.MEMORY_LEAK } }), false, 'an unknown incident type');
  assert.equal(validate({ ...rich, detection: { ...rich.detection, MEMORY_LEAK: { ...rich.detection.MEMORY_LEAK, metric: 'app.error_rate' } } }), false, 'a type’s metric is its signature');
  for (const key of Object.keys(rich) as (keyof ValidationReport)[]) {
    const { [key]: _dropped, ...without } = rich;
    assert.equal(validate(without), false, `without ${key}`);
  }
  const { value: _value, ...ratioWithoutValue } = rich.falseAlarms;
  assert.equal(validate({ ...rich, falseAlarms: ratioWithoutValue }), false, 'a Ratio without its value');
});
