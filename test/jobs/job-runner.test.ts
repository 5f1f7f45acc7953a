import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { build, finished, submit, waitFor } from '../helpers/build.ts';
import { generate, hashDir, tempDir } from '../helpers/dataset.ts';
import { datasetDir } from '../../src/jobs/job-runner.ts';
import { buildApp } from '../../src/app.ts';

test('a job interrupted by a shutdown is resumed by the next start and ends byte-identical', async (t) => {
  const dataDir = await tempDir(t, 'meltgen-resume-');
  const config = { days: 40, hostsPerService: 2, seed: 12, incidentRate: 1 };
  const first = await buildApp({ dataDir });
  await first.ready();
  const { job } = await submit(first, config);
  const partial = await waitFor(first, job.id, (j) => j.progress.daysDone >= 3);
  await first.close();
  assert.ok(partial.progress.daysDone < 40, 'interrupted before the end');

  const second = await build(t, { dataDir });
  const resumed = (await second.inject({ url: `/v1/jobs/${job.id}` })).json<{ status: string; progress: { daysDone: number } }>();
  assert.ok(['queued', 'running'].includes(resumed.status), `taken up again (${resumed.status})`);
  assert.ok(resumed.progress.daysDone >= partial.progress.daysDone, 'finished days are kept');
  const done = await waitFor(second, job.id, finished);
  assert.equal(done.status, 'succeeded');
  const reference = await generate(t, config);
  assert.equal(await hashDir(datasetDir(dataDir, job.id)), await hashDir(reference.dir));
});

test('a worker that cannot write fails its job with a clear error; the service stays up', async (t) => {
  const dataDir = await tempDir(t, 'meltgen-fail-');
  // The jobs folder is a file: the worker cannot create the dataset.
  await writeFile(join(dataDir, 'jobs'), 'not a folder');
  const app = await build(t, { dataDir });
  const { job } = await submit(app, { days: 2, hostsPerService: 1, seed: 1 });
  const done = await waitFor(app, job.id, finished);
  assert.equal(done.status, 'failed');
  assert.equal(done.error?.code, 'GENERATION_FAILED');
  assert.match(done.error?.message as string, /ENOTDIR|EEXIST|not a directory/);
  assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
  // A failed job does not block a retry of the same config.
  const retry = await submit(app, { days: 2, hostsPerService: 1, seed: 1 });
  assert.equal(retry.res.statusCode, 202);
  assert.notEqual(retry.job.id, job.id);
});
