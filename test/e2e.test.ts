import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from './helpers/dataset.ts';
import { pollJob as poll, startServer, type PolledJob } from './helpers/server.ts';
import { unzip } from './helpers/zip.ts';
import { GENERATOR_VERSION } from '../src/version.ts';

type Job = PolledJob;


test('end to end on a real socket: submit, poll, day file, archive, catalog, cancel, shut down', async (t) => {
  const dataDir = await tempDir(t, 'meltgen-e2e-');
  const server = await startServer(t, { MELT_DATA_DIR: dataDir });
  const base = server.url;

  assert.deepEqual(await (await fetch(`${base}/healthz`)).json(), { status: 'ok', version: GENERATOR_VERSION });

  const post = await fetch(`${base}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ days: 2, hostsPerService: 2, seed: 2024 }) });
  assert.equal(post.status, 202);
  const created = (await post.json()) as Job;
  assert.equal(post.headers.get('location'), `/v1/jobs/${created.id}`);
  const done = await poll(base, created.id, (j) => ['succeeded', 'failed', 'canceled'].includes(j.status));
  assert.equal(done.status, 'succeeded', JSON.stringify(done));

  const day = await fetch(`${base}/v1/jobs/${created.id}/files/metrics/2024-06-02`);
  assert.equal(day.status, 200);
  const metrics = (await day.json()) as { host_id: string }[];
  assert.equal(metrics.length, 96 * 10);

  const files = ((await (await fetch(`${base}/v1/jobs/${created.id}/files`)).json()) as { files: { path: string; url: string | null }[] }).files;
  const zip = await fetch(`${base}/v1/jobs/${created.id}/archive`);
  assert.equal(zip.status, 200);
  assert.match(zip.headers.get('content-disposition') as string, /attachment; filename="meltgen-2024-/);
  const entries = await unzip(Buffer.from(await zip.arrayBuffer()));
  assert.deepEqual([...entries.keys()].sort(), files.map((f) => `melt_data/${f.path}`).sort(), 'every entry present');
  for (const f of files) {
    if (!f.url) continue;
    const alone = Buffer.from(await (await fetch(`${base}${f.url}`)).arrayBuffer());
    assert.ok(alone.equals(entries.get(`melt_data/${f.path}`) as Buffer), `${f.path}: zip entry equals the file served alone`);
  }

  const catalog = (await (await fetch(`${base}/v1/jobs/${created.id}/catalog`)).json()) as { generation_config: { seed: number } };
  assert.equal(catalog.generation_config.seed, 2024);

  // Cancel a long job mid-run: it stops, its files go, and nothing more is written.
  const big = (await (await fetch(`${base}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ days: 365, seed: 1 }) })).json()) as Job;
  await poll(base, big.id, (j) => j.progress.daysDone >= 2);
  const del = await fetch(`${base}/v1/jobs/${big.id}`, { method: 'DELETE' });
  assert.equal(del.status, 200);
  assert.equal(((await del.json()) as Job).status, 'canceled');
  const at = await poll(base, big.id, () => true);
  await new Promise((r) => setTimeout(r, 1000));
  const later = await poll(base, big.id, () => true);
  assert.equal(later.status, 'canceled');
  assert.equal(later.progress.daysDone, at.progress.daysDone);
  assert.ok(!existsSync(join(dataDir, 'jobs', big.id)), 'files deleted');

  assert.equal(await server.stop('SIGTERM'), 0, `clean exit on SIGTERM:\n${server.output().slice(-2000)}`);
});
