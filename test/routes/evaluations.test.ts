import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { runBaseline } from '../../src/benchmark/baselines/index.ts';
import { labelRows, rcaCases, readCatalog } from '../../src/benchmark/cases.ts';
import type { Evaluation } from '../../src/benchmark/predictions.ts';
import { evaluateDataset } from '../../src/benchmark/score.ts';
import { build, finished, submit, waitFor } from '../helpers/build.ts';
import { tempDir } from '../helpers/dataset.ts';

const SMALL = { days: 3, seed: 7, incidentRate: 2, topology: 'online-boutique', difficulty: 'realistic' } as const;

test('POST /v1/jobs/{id}/evaluations scores predictions as npm run evaluate does', async (t) => {
  const dataDir = await tempDir(t, 'meltgen-app-');
  const app = await build(t, { dataDir, maxConcurrentJobs: 1 });
  const blocker = await submit(app, { days: 10, hostsPerService: 1, seed: 1 });
  const { job } = await submit(app, SMALL);
  const url = `/v1/jobs/${job.id}/evaluations`;
  const early = await app.inject({ method: 'POST', url, payload: { rca: [] } });
  assert.equal(early.statusCode, 409);
  assert.equal(early.json<{ code: string }>().code, 'JOB_NOT_FINISHED');
  await waitFor(app, blocker.job.id, finished);
  assert.equal((await waitFor(app, job.id, finished)).status, 'succeeded');
  const dir = join(dataDir, 'jobs', job.id, 'melt_data');

  // Perfect answers from the ground truth score 1.
  const cases = rcaCases(readCatalog(dir));
  assert.ok(cases.length > 2);
  const perfect = {
    rca: cases.map((c) => ({ incident_id: c.incidentId, ranking: c.rootCauses.map((r) => `${r.service}:${r.metric}`) })),
    anomalies: [...labelRows(dir)].map((r) => ({ host_id: r.host_id, timestamp: r.timestamp })),
  };
  const best = await app.inject({ method: 'POST', url, payload: perfect });
  assert.equal(best.statusCode, 200, best.body);
  const scores = best.json<Evaluation>();
  assert.equal(scores.rca.service['AC@1'], 1);
  assert.equal(scores.rca.indicator['Avg@5'], 1);
  assert.equal(scores.anomalies.f1, 1);
  assert.deepEqual(scores.rca.missing, []);

  // A baseline's file: the same figures as the library (and so the CLI) on the same files.
  const zscore = runBaseline(dir, { method: 'zscore' });
  const res = await app.inject({ method: 'POST', url, payload: zscore });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), JSON.parse(JSON.stringify(evaluateDataset(dir, zscore))));

  // An empty document: every case missing, nothing found.
  const none = (await app.inject({ method: 'POST', url, payload: {} })).json<Evaluation>();
  assert.equal(none.rca.service['AC@1'], 0);
  assert.equal(none.rca.missing.length, cases.length);

  // A bad document is a 400 naming the field; unknown jobs 404.
  const bad = await app.inject({ method: 'POST', url, payload: { rca: [{ incident_id: 'x', ranking: 'svc' }] } });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /\/rca\/0\/ranking/);
  const unknown = await app.inject({ method: 'POST', url: '/v1/jobs/00000000-0000-0000-0000-000000000000/evaluations', payload: {} });
  assert.equal(unknown.statusCode, 404);
});

test('a prediction document larger than the request limit is taken up to the predictions limit', async (t) => {
  const app = await build(t, { limits: { bodyLimitBytes: 2048, predictionsLimitBytes: 4096 } });
  const { job } = await submit(app, { days: 1, seed: 3, incidentRate: 0, hostsPerService: 1 });
  await waitFor(app, job.id, finished);
  const anomalies = Array.from({ length: 30 }, (_, i) => ({ host_id: `h-${i}`, timestamp: '2024-06-01T00:00:00Z' }));
  const ok = await app.inject({ method: 'POST', url: `/v1/jobs/${job.id}/evaluations`, payload: { anomalies } });
  assert.equal(ok.statusCode, 200, ok.body);
  const big = Array.from({ length: 120 }, (_, i) => ({ host_id: `h-${i}`, timestamp: '2024-06-01T00:00:00Z' }));
  const tooBig = await app.inject({ method: 'POST', url: `/v1/jobs/${job.id}/evaluations`, payload: { anomalies: big } });
  assert.equal(tooBig.statusCode, 413);
  assert.equal(tooBig.json<{ code: string }>().code, 'BODY_TOO_LARGE');
});
