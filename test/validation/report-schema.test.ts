import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateDataset } from '../../src/validation/read-dataset.ts';
import { REPORT_SCHEMAS } from '../../src/validation/report-schema.ts';
import { generate } from '../helpers/dataset.ts';

test('a real validation report matches the Report schema exactly', async (t) => {
  const { dir } = await generate(t, { startDate: '2024-06-01', days: 14, hostsPerService: 1, granularityMinutes: 30, incidentRate: 3, seed: 11 });
  const report = validateDataset(dir);
  const ajv = new Ajv({ strict: false, allErrors: true });
  formats.default(ajv);
  for (const s of REPORT_SCHEMAS) ajv.addSchema(s as object);
  const validate = ajv.getSchema('Report');
  assert.ok(validate);
  assert.equal(validate(report), true, JSON.stringify(validate.errors));
  // Not looser than the report: an unknown field anywhere is refused.
  assert.equal(validate({ ...report, extra: 1 }), false);
  assert.equal(validate({ ...report, ranker: { ...report.ranker, top5: report.ranker.top3 } }), false);
  assert.equal(validate({ ...report, bars: [{ ...report.bars[0], note: 'x' }] }), false);
  const { falseAlarms: _dropped, ...withoutOne } = report;
  assert.equal(validate(withoutOne), false, 'a missing figure is refused');
});
