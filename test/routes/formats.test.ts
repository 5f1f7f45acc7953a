import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { datasetDir } from '../../src/jobs/job-runner.ts';
import { build, finished, submit, waitFor } from '../helpers/build.ts';
import { unzip } from '../helpers/zip.ts';

const CONFIG = { startDate: '2024-06-30', days: 2, hostsPerService: 1, granularityMinutes: 60, incidentRate: 2, seed: 20240601, formats: ['json', 'ndjson', 'parquet', 'otlp', 'openmetrics'], compression: 'gzip' };
type FileEntry = { path: string; signal: string | null; date: string | null; format: string | null; mediaType: string; url: string | null; sha256: string; bytes: number };

test('the service serves every format: file list, ?format= and Accept, media types, gzip both ways, ETags per variant, archive ?formats=', async (t) => {
  const dataDir = await (await import('../helpers/dataset.ts')).tempDir(t, 'meltgen-formats-');
  const app = await build(t, { dataDir, limits: { rateLimitPerMinute: 10_000 } });
  const { job } = await submit(app, CONFIG);
  assert.equal((await waitFor(app, job.id, finished)).status, 'succeeded');
  const root = datasetDir(dataDir, job.id);

  // The file list names every file of every format, with its format, media type and URL.
  const list = (await app.inject({ url: `/v1/jobs/${job.id}/files` })).json<{ files: FileEntry[] }>().files;
  const byFormat = (f: string): FileEntry[] => list.filter((e) => e.format === f);
  assert.equal(byFormat('json').length, 2 * 5 + 1, 'four signals and labels a day, and the catalog');
  assert.equal(byFormat('ndjson').length, 2 * 5);
  assert.equal(byFormat('parquet').length, 2 * 5 + 1, 'and the catalog table');
  assert.equal(byFormat('otlp').length, 2 * 4);
  assert.equal(byFormat('openmetrics').length, 2);
  assert.ok(list.every((e) => e.path === 'metadata/root_cause.txt' || e.url !== null));

  // Each file through its URL: the stored bytes (gzip ones unzipped when not accepted), its media type.
  for (const e of list) {
    if (e.url === null) continue;
    const stored = await readFile(join(root, e.path));
    const plain = await app.inject({ url: e.url, headers: { 'accept-encoding': 'identity' } });
    assert.equal(plain.statusCode, 200, e.url);
    assert.equal(plain.headers['content-type'], e.mediaType, e.url);
    assert.ok(plain.rawPayload.equals(e.path.endsWith('.gz') ? gunzipSync(stored) : stored), `${e.url}: the file's bytes`);
    assert.equal(createHash('sha256').update(stored).digest('hex'), e.sha256);
    if (e.path.endsWith('.gz')) {
      const zipped = await app.inject({ url: e.url, headers: { 'accept-encoding': 'gzip' } });
      assert.equal(zipped.headers['content-encoding'], 'gzip');
      assert.equal(zipped.headers['content-length'], String(stored.length), 'the stored gzip, as it is');
      assert.ok(zipped.rawPayload.equals(stored));
      assert.notEqual(zipped.headers.etag, plain.headers.etag, 'an ETag per encoding');
    }
  }
  const url = `/v1/jobs/${job.id}/files/metrics/2024-06-30`;
  const etags = new Set<string>();
  for (const format of ['json', 'ndjson', 'parquet', 'otlp', 'openmetrics']) etags.add((await app.inject({ url: `${url}?format=${format}` })).headers.etag as string);
  assert.equal(etags.size, 5, 'an ETag per format');
  // Accept picks a format when ?format= does not.
  const om = await app.inject({ url, headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
  assert.match(om.headers['content-type'] as string, /^application\/openmetrics-text/);
  assert.match(om.body, /# EOF\n$/);
  const pq = await app.inject({ url, headers: { accept: 'application/vnd.apache.parquet' } });
  assert.equal(pq.rawPayload.subarray(0, 4).toString(), 'PAR1');
  assert.equal(pq.headers['content-encoding'], undefined, 'Parquet is not gzipped again');
  assert.match((await app.inject({ url, headers: { accept: 'text/html,*/*' } })).headers['content-type'] as string, /^application\/json/);
  // What a format does not carry, or a job did not write, is a 404 saying so.
  const logsAsOm = await app.inject({ url: `/v1/jobs/${job.id}/files/logs/2024-06-30?format=openmetrics` });
  assert.equal(logsAsOm.statusCode, 404);
  assert.equal(logsAsOm.json<{ code: string }>().code, 'FORMAT_NOT_GENERATED');
  const plainJob = (await submit(app, { ...CONFIG, formats: ['json'], compression: 'none' })).job;
  await waitFor(app, plainJob.id, finished);
  const notWritten = await app.inject({ url: `/v1/jobs/${plainJob.id}/files/metrics/2024-06-30?format=parquet` });
  assert.equal(notWritten.statusCode, 404);
  assert.match(notWritten.json<{ detail: string }>().detail, /writes json/);
  const labelsOtlp = await app.inject({ url: `/v1/jobs/${job.id}/labels/2024-06-30?format=otlp` });
  assert.deepEqual(labelsOtlp.json<{ errors: unknown[] }>().errors, [{ field: '/query/format', message: 'must be one of: json, ndjson, parquet' }]);

  // The archive takes ?formats=; the metadata is always in.
  const zip = await app.inject({ url: `/v1/jobs/${job.id}/archive?formats=parquet&compression=store` });
  assert.equal(zip.statusCode, 200);
  const names = [...(await unzip(zip.rawPayload)).keys()].sort();
  assert.deepEqual(names, [...byFormat('parquet').map((e) => `melt_data/${e.path}`), 'melt_data/metadata/incident_catalog.json', 'melt_data/metadata/root_cause.txt'].sort());
  assert.equal(zip.headers['content-length'], String(zip.rawPayload.length));
  const all = [...(await unzip((await app.inject({ url: `/v1/jobs/${job.id}/archive?compression=store` })).rawPayload)).keys()];
  assert.equal(all.length, list.length, 'without ?formats=, every file');
  const badZip = await app.inject({ url: `/v1/jobs/${plainJob.id}/archive?formats=json,parquet` });
  assert.equal(badZip.statusCode, 400);
  assert.match(JSON.stringify(badZip.json()), /parquet: not written by this job/);
  assert.equal((await app.inject({ url: `/v1/jobs/${job.id}/archive?formats=csv` })).statusCode, 400);

  // The report reads the JSON; a job without it says so.
  const noJson = (await submit(app, { ...CONFIG, formats: ['parquet'] })).job;
  await waitFor(app, noJson.id, finished);
  const report = await app.inject({ url: `/v1/jobs/${noJson.id}/report` });
  assert.equal(report.statusCode, 404);
  assert.equal(report.json<{ code: string }>().code, 'FORMAT_NOT_GENERATED');
  const catalogParquet = await app.inject({ url: `/v1/jobs/${noJson.id}/catalog?format=parquet` });
  assert.equal(catalogParquet.rawPayload.subarray(0, 4).toString(), 'PAR1');
});
