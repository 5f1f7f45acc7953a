import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { datasetDir } from '../src/jobs/job-runner.ts';
import { createSqliteJobStore } from '../src/storage/sqlite-job-store.ts';
import { generate, listFiles, tempDir } from './helpers/dataset.ts';
import { pollJob as poll, startServer, type PolledJob } from './helpers/server.ts';

type Job = PolledJob;
const CONFIG = { days: 120, hostsPerService: 2, seed: 77, incidentRate: 1 };


async function sha256s(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of await listFiles(dir)) out.set(f, createHash('sha256').update(await readFile(join(dir, f))).digest('hex'));
  return out;
}

async function submit(base: string): Promise<string> {
  const res = await fetch(`${base}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(CONFIG) });
  assert.equal(res.status, 202);
  return ((await res.json()) as Job).id;
}

test('kill -9 during generation: the restarted server resumes, and every file equals an uninterrupted run', async (t) => {
  const dataDir = await tempDir(t, 'meltgen-crash-');
  const first = await startServer(t, { MELT_DATA_DIR: dataDir });
  const id = await submit(first.url);
  const before = await poll(first.url, id, (j) => j.progress.daysDone >= 3);
  await first.stop('SIGKILL');
  assert.ok(before.progress.daysDone < CONFIG.days, 'killed mid-run');

  const second = await startServer(t, { MELT_DATA_DIR: dataDir });
  const after = await poll(second.url, id, () => true);
  assert.ok(after.progress.daysDone >= before.progress.daysDone, 'recorded days survive the crash');
  const done = await poll(second.url, id, (j) => ['succeeded', 'failed'].includes(j.status));
  assert.equal(done.status, 'succeeded', JSON.stringify(done));

  const reference = await generate(t, CONFIG);
  const got = await sha256s(datasetDir(dataDir, id));
  assert.deepEqual([...got.keys()], await listFiles(reference.dir), 'the same files, and no temporary leftovers');
  assert.deepEqual(got, await sha256s(reference.dir), 'byte-identical to an uninterrupted run');
  const served = ((await (await fetch(`${second.url}/v1/jobs/${id}/files`)).json()) as { files: { path: string; sha256: string }[] }).files;
  for (const f of served) assert.equal(f.sha256, got.get(f.path), f.path);
});

test('SIGTERM: the day in flight finishes, progress is recorded, exit 0; the next start completes the job', async (t) => {
  const dataDir = await tempDir(t, 'meltgen-term-');
  const first = await startServer(t, { MELT_DATA_DIR: dataDir });
  const id = await submit(first.url);
  await poll(first.url, id, (j) => j.progress.daysDone >= 3);
  const started = Date.now();
  assert.equal(await first.stop('SIGTERM'), 0, first.output().slice(-2000));
  assert.ok(Date.now() - started < 10_000, 'stops promptly');
  assert.match(first.output(), /shutting down/);

  const files = await listFiles(datasetDir(dataDir, id));
  assert.ok(!files.some((f) => f.includes('.tmp-')), 'no half-written file left');
  // What the stopped server recorded, read from its database before anything restarts.
  const store = createSqliteJobStore(join(dataDir, 'meltgen.db'));
  const recorded = await store.get(id);
  await store.close();
  const daysOnDisk = new Set(files.filter((f) => f.startsWith('metrics/')).map((f) => f.slice(-15, -5))).size;
  assert.equal(recorded?.daysDone, daysOnDisk, 'every finished day was recorded, and only those');
  assert.equal(recorded?.status, 'running', 'left unfinished, to be resumed');
  const second = await startServer(t, { MELT_DATA_DIR: dataDir });
  const done = await poll(second.url, id, (j) => ['succeeded', 'failed'].includes(j.status));
  assert.equal(done.status, 'succeeded');
  const reference = await generate(t, CONFIG);
  assert.deepEqual(await sha256s(datasetDir(dataDir, id)), await sha256s(reference.dir));
});
