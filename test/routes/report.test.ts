import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { validateDataset } from '../../src/validation/read-dataset.ts';
import type { ValidationReport } from '../../src/validation/report.ts';
import { build, finished, submit, waitFor } from '../helpers/build.ts';
import { generate, tempDir } from '../helpers/dataset.ts';

const SMALL = { days: 3, hostsPerService: 2, seed: 7, incidentRate: 2 };

test('the report of a finished job: the validator’s figures, computed once and kept with the dataset', async (t) => {
  const dataDir = await tempDir(t, 'meltgen-app-');
  const app = await build(t, { dataDir, maxConcurrentJobs: 1 });
  const blocker = await submit(app, { days: 20, hostsPerService: 1, seed: 1 });
  const { job } = await submit(app, SMALL);
  const early = await app.inject({ url: `/v1/jobs/${job.id}/report` });
  assert.equal(early.statusCode, 409);
  assert.match(early.headers['content-type'] as string, /^application\/problem\+json/);
  assert.equal(early.json<{ code: string; jobStatus: string }>().code, 'JOB_NOT_FINISHED');
  assert.ok(early.headers['retry-after']);
  await waitFor(app, blocker.job.id, finished);
  assert.equal((await waitFor(app, job.id, finished)).status, 'succeeded');

  const res = await app.inject({ url: `/v1/jobs/${job.id}/report` });
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /^application\/json/);
  const report = res.json<ValidationReport>();
  // The same figures as the validator run on the same dataset written by the library.
  const lib = await generate(t, SMALL);
  assert.deepEqual(report, validateDataset(lib.dir));
  assert.equal(report.dataset.days, 3);
  assert.ok(report.bars.length > 0);
  assert.ok(existsSync(join(dataDir, 'jobs', job.id, 'validation-report.json')), 'kept next to the dataset');
  // Kept out of the dataset itself: the file list and the archive are unchanged by it.
  const files = (await app.inject({ url: `/v1/jobs/${job.id}/files` })).json<{ files: { path: string }[] }>().files;
  assert.ok(!files.some((f) => f.path.includes('validation')));

  const again = await app.inject({ url: `/v1/jobs/${job.id}/report` });
  assert.equal(again.body, res.body, 'served from the kept report');
  // The table has its own operation; the old ?format=text redirects there.
  const redirect = await app.inject({ url: `/v1/jobs/${job.id}/report?format=text` });
  assert.equal(redirect.statusCode, 303);
  assert.equal(redirect.headers.location, `/v1/jobs/${job.id}/report.txt`);
  const text = await app.inject({ url: redirect.headers.location as string });
  assert.equal(text.statusCode, 200);
  assert.match(text.headers['content-type'] as string, /^text\/plain/);
  assert.match(text.body, /meltgen validation report/);
  assert.match(text.body, /Baseline root-cause ranker top-3/);
  assert.equal((await app.inject({ url: `/v1/jobs/${job.id}/report?format=xml` })).statusCode, 400);
  assert.equal((await app.inject({ url: `/v1/jobs/00000000-0000-0000-0000-000000000000/report` })).statusCode, 404);
});

test('concurrent first requests get the same report; another key cannot read it', async (t) => {
  const A = { name: 'team-a', key: 'a'.repeat(32) };
  const B = { name: 'team-b', key: 'b'.repeat(32) };
  const app = await build(t, { apiKeys: [A, B] });
  const auth = (k: { key: string }) => ({ authorization: `Bearer ${k.key}` });
  const res = await app.inject({ method: 'POST', url: '/v1/jobs', payload: SMALL, headers: auth(A) });
  const id = res.json<{ id: string }>().id;
  await waitFor(app, id, finished, 30_000, auth(A));
  const [one, two] = await Promise.all([app.inject({ url: `/v1/jobs/${id}/report`, headers: auth(A) }), app.inject({ url: `/v1/jobs/${id}/report`, headers: auth(A) })]);
  assert.equal(one.statusCode, 200);
  assert.equal(one.body, two.body);
  assert.equal((await app.inject({ url: `/v1/jobs/${id}/report`, headers: auth(B) })).statusCode, 404);
});

test('a dataset that cannot be validated is a 500 problem without internals', async (t) => {
  const dataDir = await tempDir(t, 'meltgen-app-');
  const app = await build(t, { dataDir });
  const { job } = await submit(app, { ...SMALL, days: 1 });
  await waitFor(app, job.id, finished);
  // Break the dataset behind the server's back: the catalog is not JSON any more.
  await writeFile(join(dataDir, 'jobs', job.id, 'melt_data', 'metadata', 'incident_catalog.json'), '{not json');
  const res = await app.inject({ url: `/v1/jobs/${job.id}/report` });
  assert.equal(res.statusCode, 500);
  assert.equal(res.json<{ code: string }>().code, 'VALIDATION_FAILED');
  assert.ok(!res.body.includes(dataDir), 'no paths');
});
