import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { normalizeConfig } from '../../src/core/config.ts';
import { createSqliteJobStore } from '../../src/storage/sqlite-job-store.ts';
import { tempDir } from '../helpers/dataset.ts';

const config = normalizeConfig({ days: 3 }, 1);

test('jobs and their files survive reopening the database file', async (t) => {
  const path = join(await tempDir(t), 'nested', 'meltgen.db');
  const store = createSqliteJobStore(path);
  await store.insert({ id: 'a', key: 'k1', owner: '', estimatedBytes: 0, config, createdAt: '2026-01-01T00:00:00.000Z' });
  await store.setStatus('a', 'running', '2026-01-01T00:00:01.000Z');
  await store.addFiles('a', [
    { path: 'metadata/incident_catalog.json', dayIndex: null, bytes: 10, sha256: 'c' },
    { path: 'metrics/2024-06/metrics_2024-06-01.json', dayIndex: 0, bytes: 100, sha256: 'm' },
    { path: 'logs/2024-06/logs_2024-06-01.json', dayIndex: 0, bytes: 50, sha256: 'l' },
  ]);
  await store.setCatalogReady('a');
  await store.close();

  const again = createSqliteJobStore(path);
  t.after(() => again.close());
  const job = await again.get('a');
  assert.ok(job);
  assert.equal(job.status, 'running');
  assert.equal(job.startedAt, '2026-01-01T00:00:01.000Z');
  assert.equal(job.daysDone, 1);
  assert.equal(job.bytesWritten, 160);
  assert.equal(job.catalogReady, true);
  assert.deepEqual(job.config, config);
  assert.deepEqual([...(await again.doneDays('a'))], [0]);
  assert.equal((await again.getFile('a', 'logs/2024-06/logs_2024-06-01.json'))?.bytes, 50);
  assert.deepEqual((await again.listUnfinished()).map((j) => j.id), ['a']);
});

test('status changes keep the times right; reusable jobs exclude failed and canceled', async (t) => {
  const store = createSqliteJobStore(join(await tempDir(t), 'db.sqlite'));
  t.after(() => store.close());
  await store.insert({ id: 'a', key: 'k', owner: '', estimatedBytes: 0, config, createdAt: 't0' });
  assert.equal((await store.findReusable('k'))?.id, 'a');
  await store.setStatus('a', 'running', 't1');
  await store.setStatus('a', 'failed', 't2', { code: 'GENERATION_FAILED', message: 'disk' });
  const failed = await store.get('a');
  assert.deepEqual([failed?.startedAt, failed?.finishedAt, failed?.error], ['t1', 't2', { code: 'GENERATION_FAILED', message: 'disk' }]);
  assert.equal(await store.findReusable('k'), null);
  await store.insert({ id: 'b', key: 'k', owner: '', estimatedBytes: 0, config, createdAt: 't3' });
  assert.equal((await store.findReusable('k'))?.id, 'b');
  await store.setStatus('b', 'running', 't4');
  await store.setStatus('b', 'queued', 't5');
  assert.deepEqual([(await store.get('b'))?.startedAt, (await store.get('b'))?.finishedAt], ['t4', null]);
});

test('deleting a job deletes its file index', async (t) => {
  const store = createSqliteJobStore(join(await tempDir(t), 'db.sqlite'));
  t.after(() => store.close());
  await store.insert({ id: 'a', key: 'k', owner: '', estimatedBytes: 0, config, createdAt: 't0' });
  await store.addFiles('a', [{ path: 'x', dayIndex: 0, bytes: 1, sha256: 's' }]);
  await store.delete('a');
  assert.equal((await store.get('a')), null);
  assert.deepEqual((await store.listFiles('a')), []);
});
