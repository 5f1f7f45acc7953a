import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import pg from 'pg';
import { normalizeConfig } from '../../src/core/config.ts';
import type { JobStore } from '../../src/storage/job-store.ts';
import { createPgJobStore, migrate } from '../../src/storage/pg-job-store.ts';
import { createSqliteJobStore } from '../../src/storage/sqlite-job-store.ts';
import { tempDir } from '../helpers/dataset.ts';
import { privateDatabase } from '../helpers/postgres.ts';

// One contract, two stores: the embedded SQLite store and the cluster's PostgreSQL store (against
// the machine's PostgreSQL, in a database of the test's own) answer every call alike.

const config = normalizeConfig({ days: 3 }, 1);
const day = (d: number, path: string, bytes: number) => ({ path, dayIndex: d, bytes, sha256: `h${d}${path.length}` });

const STORES: Record<string, (t: TestContext) => Promise<JobStore | null>> = {
  sqlite: async (t) => createSqliteJobStore(join(await tempDir(t), 'meltgen.db')),
  postgres: async (t) => {
    const url = await privateDatabase(t);
    return url === null ? null : createPgJobStore(url, 4);
  },
};

for (const [name, make] of Object.entries(STORES)) {
  test(`${name}: jobs, statuses, files, pages, usage and expiry answer as the contract says`, async (t) => {
    const store = await make(t);
    if (store === null) return;
    t.after(() => store.close());

    const a = await store.insert({ id: 'a', key: 'k', owner: 'alice', estimatedBytes: 5_000_000_000, config, createdAt: '2026-01-01T00:00:00.000Z' });
    assert.deepEqual([a.status, a.daysTotal, a.daysDone, a.catalogReady, a.estimatedBytes, a.error], ['queued', 3, 0, false, 5_000_000_000, null]);
    assert.deepEqual(a.config, config);
    // Same keys in the same order: the order reaches the simulation.
    assert.equal(JSON.stringify((await store.get('a'))?.config), JSON.stringify(config));
    assert.equal((await store.findReusable('k'))?.id, 'a');

    const running = await store.setStatus('a', 'running', '2026-01-01T00:00:01.000Z');
    assert.equal(running?.startedAt, '2026-01-01T00:00:01.000Z');
    await store.addFiles('a', [{ path: 'metadata/incident_catalog.json', dayIndex: null, bytes: 10, sha256: 'c' }]);
    await store.setCatalogReady('a');
    await store.addFiles('a', [day(0, 'metrics/2024-06/metrics_2024-06-01.json', 3_000_000_000), day(0, 'logs/2024-06/logs_2024-06-01.json', 50)]);
    await store.addFiles('a', [day(2, 'metrics/2024-06/metrics_2024-06-03.json', 100)]);
    const mid = await store.get('a');
    assert.deepEqual([mid?.daysDone, mid?.bytesWritten, mid?.catalogReady], [2, 3_000_000_160, true]);
    assert.deepEqual([...(await store.doneDays('a'))].sort(), [0, 2]);
    assert.deepEqual((await store.listFiles('a')).map((f) => f.path), ['logs/2024-06/logs_2024-06-01.json', 'metadata/incident_catalog.json', 'metrics/2024-06/metrics_2024-06-01.json', 'metrics/2024-06/metrics_2024-06-03.json']);
    assert.deepEqual(await store.getFile('a', 'logs/2024-06/logs_2024-06-01.json'), { path: 'logs/2024-06/logs_2024-06-01.json', dayIndex: 0, bytes: 50, sha256: day(0, 'logs/2024-06/logs_2024-06-01.json', 50).sha256 });
    assert.equal(await store.getFile('a', 'nope'), null);
    // A running job counts its estimate or what it wrote, whichever is more.
    assert.deepEqual(await store.usage('alice'), { activeJobs: 1, storedBytes: 5_000_000_000 });
    assert.deepEqual((await store.listUnfinished()).map((j) => j.id), ['a']);

    const failed = await store.setStatus('a', 'failed', '2026-01-01T00:00:02.000Z', { code: 'GENERATION_FAILED', message: 'disk' });
    assert.deepEqual([failed?.finishedAt, failed?.error], ['2026-01-01T00:00:02.000Z', { code: 'GENERATION_FAILED', message: 'disk' }]);
    assert.equal(await store.findReusable('k'), null, 'a failed job is not reused');
    assert.deepEqual(await store.usage('alice'), { activeJobs: 0, storedBytes: 3_000_000_160 });

    // Pages, newest first, per owner.
    for (const id of ['b', 'c', 'd']) await store.insert({ id, key: `k-${id}`, owner: 'alice', estimatedBytes: 1, config, createdAt: `2026-01-02T00:00:0${id.charCodeAt(0) - 97}.000Z` });
    await store.insert({ id: 'e', key: 'k-e', owner: 'bob', estimatedBytes: 1, config, createdAt: '2026-01-03T00:00:00.000Z' });
    const p1 = await store.list('alice', 2);
    assert.deepEqual(p1.jobs.map((j) => j.id), ['d', 'c']);
    assert.ok(p1.next !== null);
    const p2 = await store.list('alice', 2, p1.next);
    assert.deepEqual(p2.jobs.map((j) => j.id), ['b', 'a']);
    assert.equal(p2.next, null);
    assert.deepEqual(await store.countByStatus(), { failed: 1, queued: 4 });

    // Expiry: finished before the cutoff; an expired job keeps its finish time and stores nothing.
    assert.deepEqual((await store.listExpirable('2026-01-01T00:00:03.000Z')).map((j) => j.id), ['a']);
    assert.deepEqual(await store.listExpirable('2026-01-01T00:00:01.000Z'), []);
    const expired = await store.setStatus('a', 'expired', '2026-02-01T00:00:00.000Z');
    assert.equal(expired?.finishedAt, '2026-01-01T00:00:02.000Z');
    assert.equal((await store.usage('alice')).storedBytes, 3, 'three queued jobs of 1 byte each');

    await store.delete('a');
    assert.equal(await store.get('a'), null);
    assert.deepEqual(await store.listFiles('a'), []);
    assert.equal(await store.setStatus('zz', 'running', 'x'), null);
  });
}

test('postgres: several nodes migrating at once apply each version once', async (t) => {
  const url = await privateDatabase(t);
  if (url === null) return;
  const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: url, max: 2 }));
  const applied = await Promise.all(pools.map((p) => migrate(p)));
  assert.equal(applied.reduce((a, b) => a + b, 0), 4, 'one node applied the four migrations, the others none');
  const { rows } = await (pools[0] as pg.Pool).query<{ n: string }>('SELECT COUNT(*) AS n FROM meltgen_migrations');
  assert.equal(Number(rows[0]?.n), 4);
  // A store opened afterwards finds the schema in place.
  const store = await createPgJobStore(url, 2);
  await store.insert({ id: 'x', key: 'k', owner: '', estimatedBytes: 0, config, createdAt: 't' });
  assert.equal((await store.get('x'))?.status, 'queued');
  await store.close();
  // Closed here: the database is dropped when the test ends, which would cut idle connections.
  await Promise.all(pools.map((p) => p.end()));
});

for (const [name, make] of Object.entries(STORES)) {
  test(`${name}: a transition happens only from the statuses given, and concurrent days all count`, async (t) => {
    const store = await make(t);
    if (store === null) return;
    t.after(() => store.close());
    await store.insert({ id: 'j', key: 'k', owner: '', estimatedBytes: 1, config: normalizeConfig({ days: 40 }, 1), createdAt: 't0' });
    assert.equal((await store.transition('j', ['queued'], 'running', 't1'))?.status, 'running');
    assert.equal(await store.transition('j', ['queued'], 'running', 't2'), null, 'already running');
    assert.equal((await store.get('j'))?.startedAt, 't1');
    // A cancel and a success racing: whichever comes second finds the job no longer running.
    const [a, b] = await Promise.all([store.transition('j', ['queued', 'running'], 'canceled', 't3'), store.transition('j', ['queued', 'running'], 'succeeded', 't3')]);
    assert.equal([a, b].filter((x) => x !== null).length, 1);
    assert.equal(await store.transition('nope', ['queued'], 'running', 't'), null);
    // Forty days recorded at once (as forty workers would): every one counts.
    await Promise.all(Array.from({ length: 40 }, (_, d) => store.addFiles('j', [day(d, `metrics/m-${d}.json`, 10), day(d, `logs/l-${d}.json`, 1)])));
    const j = await store.get('j');
    assert.deepEqual([j?.daysDone, j?.bytesWritten], [40, 440]);
  });
}

for (const [name, make] of Object.entries(STORES)) {
  test(`${name}: the quota is checked and the job inserted as one step, also for submissions at once`, async (t) => {
    const store = await make(t);
    if (store === null) return;
    t.after(() => store.close());
    const quota = { maxActiveJobs: 3, maxStoredBytes: 1000 };
    const submit = (id: string, bytes: number) => store.insertWithinQuota({ id, key: id, owner: 'q', estimatedBytes: bytes, config, createdAt: 't' }, quota);
    // Ten submissions at once (on PostgreSQL: ten connections, as ten API nodes would): three fit.
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => submit(`j${i}`, 10)));
    assert.equal(answers.filter((a) => 'job' in a).length, 3);
    const refused = answers.find((a) => 'refused' in a);
    assert.deepEqual(refused, { refused: 'jobs', usage: { activeJobs: 3, storedBytes: 30 } });
    assert.equal((await store.usage('q')).activeJobs, 3);
    // Bytes: a job that would pass the stored-bytes quota is refused with the usage.
    const first = answers.find((a) => 'job' in a) as { job: { id: string } };
    await store.setStatus(first.job.id, 'succeeded', 't');
    assert.deepEqual(await submit('big', 990), { refused: 'bytes', usage: { activeJobs: 2, storedBytes: 20 } });
    assert.ok('job' in (await submit('fits', 980)));
  });
}

for (const [name, make] of Object.entries(STORES)) {
  test(`${name}: recordFiles records a unit only while the job is queued or running, totals exact under re-runs and concurrency`, async (t) => {
    const store = await make(t);
    if (store === null) return;
    t.after(() => store.close());
    await store.insert({ id: 'r', key: 'k', owner: '', estimatedBytes: 1, config: normalizeConfig({ days: 40 }, 1), createdAt: 't0' });
    const meta = await store.recordFiles('r', [{ path: 'metadata/incident_catalog.json', dayIndex: null, bytes: 7, sha256: 'm' }], { catalog: true, at: 't1' });
    assert.deepEqual([meta?.status, meta?.startedAt, meta?.catalogReady, meta?.daysDone, meta?.bytesWritten], ['running', 't1', true, 0, 7]);
    await store.recordFiles('r', [day(0, 'metrics/0.json', 10), day(0, 'logs/0.json', 1)], { catalog: false, at: 't2' });
    // A re-run of day 0 (after a stall) replaces its files: counted once, with the new sizes.
    const again = await store.recordFiles('r', [day(0, 'metrics/0.json', 12), day(0, 'logs/0.json', 1)], { catalog: false, at: 't3' });
    assert.deepEqual([again?.daysDone, again?.bytesWritten, again?.startedAt], [1, 20, 't1']);
    await Promise.all(Array.from({ length: 39 }, (_, i) => store.recordFiles('r', [day(i + 1, `metrics/${i + 1}.json`, 10), day(i + 1, `logs/${i + 1}.json`, 1)], { catalog: false, at: 't4' })));
    const all = await store.get('r');
    assert.deepEqual([all?.daysDone, all?.bytesWritten], [40, 20 + 39 * 11]);
    // Agrees with the files themselves.
    assert.equal((await store.doneDays('r')).size, 40);
    assert.equal((await store.listFiles('r')).reduce((a, f) => a + f.bytes, 0), all?.bytesWritten);
    // Once the job ended, nothing more is recorded.
    await store.transition('r', ['running'], 'canceled', 't5');
    assert.equal(await store.recordFiles('r', [day(0, 'metrics/late.json', 5)], { catalog: false, at: 't6' }), null);
    assert.equal(await store.getFile('r', 'metrics/late.json'), null);
    assert.equal(await store.recordFiles('missing', [day(0, 'x', 1)], { catalog: false, at: 't' }), null);
  });
}
