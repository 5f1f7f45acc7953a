import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { build, finished, submit, waitFor } from '../helpers/build.ts';
import { generate } from '../helpers/dataset.ts';
import { unzip } from '../helpers/zip.ts';

const SMALL = { days: 2, hostsPerService: 1, granularityMinutes: 60, seed: 5, incidentRate: 2 };

test('day files: the bytes the generator writes, 404 outside the range, 409 before they exist', async (t) => {
  const app = await build(t, { maxConcurrentJobs: 1 });
  const blocker = await submit(app, { days: 30, hostsPerService: 1, seed: 1 });
  const { job } = await submit(app, SMALL);
  const early = await app.inject({ url: `/v1/jobs/${job.id}/files/metrics/2024-06-02` });
  assert.equal(early.statusCode, 409, 'queued: not generated yet');
  assert.equal(early.json<{ code: string }>().code, 'DAY_NOT_READY');
  assert.equal(early.headers['retry-after'], '1');
  await waitFor(app, blocker.job.id, finished);
  await waitFor(app, job.id, finished);

  const lib = await generate(t, SMALL);
  for (const signal of ['metrics', 'events', 'logs', 'traces']) {
    const res = await app.inject({ url: `/v1/jobs/${job.id}/files/${signal}/2024-06-02` });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^application\/json/);
    assert.equal(res.body, await readFile(join(lib.dir, `${signal}/2024-06/${signal}_2024-06-02.json`), 'utf8'), `${signal} as the CLI writes it`);
  }
  const outside = await app.inject({ url: `/v1/jobs/${job.id}/files/metrics/2024-06-03` });
  assert.equal(outside.statusCode, 404);
  assert.equal(outside.json<{ code: string }>().code, 'DAY_OUT_OF_RANGE');
  const before = await app.inject({ url: `/v1/jobs/${job.id}/files/metrics/2024-05-31` });
  assert.equal(before.statusCode, 404);
  const badSignal = await app.inject({ url: `/v1/jobs/${job.id}/files/profiles/2024-06-02` });
  assert.equal(badSignal.statusCode, 400);
  const badDate = await app.inject({ url: `/v1/jobs/${job.id}/files/metrics/..%2F..%2Fmeltgen.db` });
  assert.equal(badDate.statusCode, 400);
  // Shaped like a date but not one: a bad request, not a day outside the range.
  for (const url of [`/v1/jobs/${job.id}/files/metrics/2024-13-01`, `/v1/jobs/${job.id}/files/2024-06-31`, `/v1/jobs/${job.id}/labels/2024-02-30`]) {
    const res = await app.inject({ url: url.replace('/files/2024', '/files/traces/2024') });
    assert.equal(res.statusCode, 400, url);
    assert.deepEqual(res.json<{ code: string; errors: unknown[] }>().errors, [{ field: '/params/date', message: 'is not a calendar date' }]);
  }
  // An unknown format, or query parameter, is refused with what is allowed, not ignored.
  const unknown = await app.inject({ url: `/v1/jobs/${job.id}/files/metrics/2024-06-02?format=csv` });
  assert.equal(unknown.statusCode, 400);
  assert.deepEqual(unknown.json<{ errors: unknown[] }>().errors, [{ field: '/query/format', message: 'must be one of: json, ndjson, parquet, otlp, openmetrics' }]);
  const extra = await app.inject({ url: `/v1/jobs/${job.id}/files/metrics/2024-06-02?colour=red` });
  assert.deepEqual(extra.json<{ errors: unknown[] }>().errors, [{ field: '/query/colour', message: 'is not a known query parameter; allowed: format, host, service, from, to, limit' }]);
  const noJob = await app.inject({ url: '/v1/jobs/00000000-0000-4000-8000-000000000000/files/metrics/2024-06-02' });
  assert.equal(noJob.statusCode, 404);
  assert.equal(noJob.json<{ code: string }>().code, 'JOB_NOT_FOUND');
});

test('a finished day is served while the job still runs', async (t) => {
  const app = await build(t);
  const { job } = await submit(app, { days: 365, hostsPerService: 2, seed: 3 });
  const running = await waitFor(app, job.id, (j) => j.progress.daysDone >= 1);
  assert.equal(running.status, 'running');
  // Several threads finish days in any order: take one the file list says is done.
  const list = (await app.inject({ url: `/v1/jobs/${job.id}/files` })).json<{ complete: boolean; files: { signal: string | null; url: string | null }[] }>();
  assert.equal(list.complete, false);
  const done = list.files.find((f) => f.signal === 'traces');
  assert.ok(done?.url);
  const day = await app.inject({ url: done.url });
  assert.equal(day.statusCode, 200);
  assert.ok(Array.isArray(day.json()));
  // Days are handed out in order, so the last one is far from done.
  const last = await app.inject({ url: `/v1/jobs/${job.id}/files/traces/2025-05-31` });
  assert.equal(last.statusCode, 409);
  await app.inject({ method: 'DELETE', url: `/v1/jobs/${job.id}` });
});

test('a signal the job does not generate is 404', async (t) => {
  const app = await build(t);
  const { job } = await submit(app, { ...SMALL, signals: ['metrics'] });
  await waitFor(app, job.id, finished);
  const res = await app.inject({ url: `/v1/jobs/${job.id}/files/logs/2024-06-01` });
  assert.equal(res.statusCode, 404);
  assert.equal(res.json<{ code: string }>().code, 'SIGNAL_NOT_GENERATED');
});

test('gzip when accepted, strong ETags per encoding, 304 on If-None-Match', async (t) => {
  const app = await build(t);
  const { job } = await submit(app, SMALL);
  await waitFor(app, job.id, finished);
  const url = `/v1/jobs/${job.id}/files/metrics/2024-06-01`;
  const plain = await app.inject({ url });
  const gz = await app.inject({ url, headers: { 'accept-encoding': 'gzip, deflate, br' } });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gunzipSync(gz.rawPayload).toString('utf8'), plain.body);
  assert.ok(gz.rawPayload.length < plain.rawPayload.length / 3, 'compressed');
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(Number(plain.headers['content-length']), plain.rawPayload.length);
  assert.match(plain.headers.etag as string, /^"[0-9a-f]{32}"$/);
  assert.notEqual(plain.headers.etag, gz.headers.etag);
  assert.equal(plain.headers.vary, 'accept-encoding');
  const refused = await app.inject({ url, headers: { 'accept-encoding': 'gzip;q=0' } });
  assert.equal(refused.headers['content-encoding'], undefined);
  const cached = await app.inject({ url, headers: { 'if-none-match': plain.headers.etag as string } });
  assert.equal(cached.statusCode, 304);
  assert.equal(cached.body, '');
  const stale = await app.inject({ url, headers: { 'if-none-match': '"0000"' } });
  assert.equal(stale.statusCode, 200);
});

test('the file list gives paths, sizes, checksums and links, complete once the job succeeded', async (t) => {
  const app = await build(t);
  const { job } = await submit(app, SMALL);
  await waitFor(app, job.id, finished);
  const list = (await app.inject({ url: `/v1/jobs/${job.id}/files` })).json<{
    complete: boolean;
    totalBytes: number;
    files: { path: string; signal: string | null; date: string | null; bytes: number; sha256: string; url: string | null }[];
  }>();
  assert.equal(list.complete, true);
  // Two metadata files, and per day four signals and a label file.
  assert.equal(list.files.length, 2 + 2 * 5);
  assert.equal(list.totalBytes, list.files.reduce((a, f) => a + f.bytes, 0));
  const metrics = list.files.find((f) => f.path === 'metrics/2024-06/metrics_2024-06-01.json');
  assert.deepEqual({ signal: metrics?.signal, date: metrics?.date, url: metrics?.url }, { signal: 'metrics', date: '2024-06-01', url: `/v1/jobs/${job.id}/files/metrics/2024-06-01` });
  const body = (await app.inject({ url: metrics?.url as string })).rawPayload;
  assert.equal(body.length, metrics?.bytes);
  const { createHash } = await import('node:crypto');
  assert.equal(createHash('sha256').update(body).digest('hex'), metrics?.sha256);
  assert.equal(list.files.find((f) => f.path === 'metadata/incident_catalog.json')?.url, `/v1/jobs/${job.id}/catalog`);
  assert.equal(list.files.find((f) => f.path === 'metadata/root_cause.txt')?.url, null);
  const labels = list.files.find((f) => f.path === 'metadata/labels/2024-06/labels_2024-06-01.json');
  assert.deepEqual({ signal: labels?.signal, date: labels?.date, url: labels?.url }, { signal: null, date: '2024-06-01', url: `/v1/jobs/${job.id}/labels/2024-06-01` });
  const labelBody = await app.inject({ url: labels?.url as string });
  assert.equal(labelBody.statusCode, 200);
  assert.equal(labelBody.rawPayload.length, labels?.bytes);
  assert.ok(Array.isArray(labelBody.json()));
  assert.equal((await app.inject({ url: `/v1/jobs/${job.id}/labels/2023-01-01` })).json<{ code: string }>().code, 'DAY_OUT_OF_RANGE');
});

test('the catalog is available before the days are done', async (t) => {
  const app = await build(t, { maxConcurrentJobs: 1 });
  const blocker = await submit(app, { days: 20, hostsPerService: 1, seed: 1 });
  const { job } = await submit(app, { days: 120, hostsPerService: 2, seed: 4, incidentRate: 1 });
  const queued = await app.inject({ url: `/v1/jobs/${job.id}/catalog` });
  assert.equal(queued.statusCode, 409);
  assert.equal(queued.json<{ code: string }>().code, 'CATALOG_NOT_READY');
  await waitFor(app, blocker.job.id, finished);
  const ready = await waitFor(app, job.id, (j) => j.catalogReady);
  const res = await app.inject({ url: `/v1/jobs/${job.id}/catalog` });
  assert.equal(res.statusCode, 200);
  const catalog = res.json<{ generation_config: { seed: number; days_generated: number }; incidents: unknown[] }>();
  assert.equal(catalog.generation_config.seed, 4);
  assert.equal(catalog.generation_config.days_generated, 120);
  assert.ok(catalog.incidents.length > 50);
  assert.ok(ready.progress.daysDone < 120, 'served while days remain');
  await app.inject({ method: 'DELETE', url: `/v1/jobs/${job.id}` });
});

test('the archive: 409 until succeeded, then a zip of melt_data/ equal to the day files, in every compression', async (t) => {
  const app = await build(t);
  const { job } = await submit(app, { days: 40, hostsPerService: 1, seed: 8 });
  const early = await app.inject({ url: `/v1/jobs/${job.id}/archive` });
  assert.equal(early.statusCode, 409);
  assert.equal(early.json<{ code: string }>().code, 'JOB_NOT_FINISHED');
  await waitFor(app, job.id, finished);
  const files = (await app.inject({ url: `/v1/jobs/${job.id}/files` })).json<{ files: { path: string; sha256: string }[] }>().files;
  const { createHash } = await import('node:crypto');
  const sizes: Record<string, number> = {};
  for (const compression of ['store', 'fast', 'best']) {
    const res = await app.inject({ url: `/v1/jobs/${job.id}/archive?compression=${compression}` });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/zip');
    assert.match(res.headers['content-disposition'] as string, /^attachment; filename="meltgen-8-[0-9a-f]{8}\.zip"$/);
    sizes[compression] = res.rawPayload.length;
    // Stored, the size is known before the first byte: an exact Content-Length; deflated, chunked.
    if (compression === 'store') assert.equal(res.headers['content-length'], String(res.rawPayload.length));
    else assert.equal(res.headers['content-length'], undefined);
    const entries = await unzip(res.rawPayload);
    assert.deepEqual([...entries.keys()].sort(), files.map((f) => `melt_data/${f.path}`).sort());
    for (const f of files) assert.equal(createHash('sha256').update(entries.get(`melt_data/${f.path}`) as Buffer).digest('hex'), f.sha256, f.path);
  }
  assert.ok((sizes.store as number) > (sizes.fast as number) && (sizes.fast as number) >= (sizes.best as number), JSON.stringify(sizes));
  const bad = await app.inject({ url: `/v1/jobs/${job.id}/archive?compression=rar` });
  assert.equal(bad.statusCode, 400);
  // HEAD answers the headers alone, Content-Length included.
  const head = await app.inject({ method: 'HEAD', url: `/v1/jobs/${job.id}/archive?compression=store` });
  assert.equal(head.statusCode, 200);
  assert.equal(head.headers['content-length'], String(sizes.store));
  assert.equal(head.rawPayload.length, 0);
});

test('storedZipBytes: the exact size archiver writes for stored entries, null past the ZIP32 limits', async () => {
  const { storedZipBytes } = await import('../../src/routes/archive.ts');
  assert.equal(storedZipBytes([]), 22);
  assert.equal(storedZipBytes([{ name: 'melt_data/a', bytes: 10 }]), 22 + 92 + 2 * 11 + 10);
  assert.equal(storedZipBytes([{ name: 'melt_data/é', bytes: 0 }]), 22 + 92 + 2 * 12, 'names count in UTF-8 bytes');
  assert.equal(storedZipBytes([{ name: 'x', bytes: 2 ** 32 }]), null);
  assert.equal(storedZipBytes(Array.from({ length: 70_000 }, () => ({ name: 'x', bytes: 1 }))), null);
});
