import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { build, finished, getJob, submit, waitFor } from '../helpers/build.ts';

const SMALL = { days: 2, hostsPerService: 1, granularityMinutes: 60, seed: 5 };

test('POST /v1/jobs queues a job: 202, Location, normalized config with defaults and links', async (t) => {
  const app = await build(t);
  const { res, job } = await submit(app, SMALL);
  assert.equal(res.statusCode, 202);
  assert.equal(res.headers.location, `/v1/jobs/${job.id}`);
  assert.ok(['queued', 'running'].includes(job.status));
  assert.equal(job.deduplicated, false);
  assert.equal(job.config.seed, 5);
  assert.equal(job.config.startDate, '2024-06-01');
  assert.deepEqual(job.config.regions, ['us-east-1', 'eu-west-1', 'on-prem-dc1']);
  assert.deepEqual(job.progress, { daysDone: 0, daysTotal: 2, percent: 0 });
  const body = res.json<{ links: Record<string, string> }>();
  assert.equal(body.links.archive, `/v1/jobs/${job.id}/archive`);
  const done = await waitFor(app, job.id, finished);
  assert.equal(done.status, 'succeeded');
  assert.deepEqual(done.progress, { daysDone: 2, daysTotal: 2, percent: 100 });
});

test('an invalid config is a 400 problem naming every bad field, unknown ones included', async (t) => {
  const app = await build(t);
  const res = await app.inject({ method: 'POST', url: '/v1/jobs', payload: { days: 0, granularityMinutes: 7, colour: 'red', services: [{ name: 'a', calls: ['b'] }, { name: 'b', calls: ['a'] }] } });
  assert.equal(res.statusCode, 400);
  assert.match(res.headers['content-type'] as string, /^application\/problem\+json/);
  const problem = res.json<{ code: string; status: number; errors: { field: string; message: string }[] }>();
  assert.equal(problem.code, 'INVALID_CONFIG');
  assert.equal(problem.status, 400);
  assert.deepEqual(problem.errors.map((e) => e.field).sort(), ['/body/colour', '/body/days', '/body/granularityMinutes', '/body/services']);
  assert.match(problem.errors.find((e) => e.field === '/body/services')?.message as string, /cycle: a -> b -> a/);
  const list = (await app.inject({ url: '/v1/jobs' })).json<{ jobs: unknown[] }>();
  assert.equal(list.jobs.length, 0, 'nothing was queued');
});

test('the same normalized config and seed returns the existing job instead of generating twice', async (t) => {
  const app = await build(t);
  const first = await submit(app, SMALL);
  // Same config spelled differently: defaults written out, signals in another order.
  const again = await submit(app, { ...SMALL, regions: ['us-east-1', 'eu-west-1', 'on-prem-dc1'], signals: ['traces', 'logs', 'events', 'metrics'] });
  assert.equal(again.res.statusCode, 200);
  assert.equal(again.job.deduplicated, true);
  assert.equal(again.job.id, first.job.id);
  assert.equal(again.res.headers.location, `/v1/jobs/${first.job.id}`);
  const other = await submit(app, { ...SMALL, seed: 6 });
  assert.equal(other.res.statusCode, 202);
  assert.notEqual(other.job.id, first.job.id);
});

test('without a seed each job draws one and shows it', async (t) => {
  const app = await build(t);
  const a = await submit(app, { ...SMALL, seed: undefined });
  const b = await submit(app, { days: 2, hostsPerService: 1, granularityMinutes: 60 });
  assert.equal(a.res.statusCode, 202);
  assert.equal(b.res.statusCode, 202);
  assert.equal(typeof b.job.config.seed, 'number');
  assert.notEqual(a.job.id, b.job.id);
});

test('GET /v1/jobs lists newest first, paginated with a cursor', async (t) => {
  const app = await build(t, { maxConcurrentJobs: 1, limits: { quotaConcurrentJobs: 10 } });
  const ids: string[] = [];
  for (let seed = 1; seed <= 5; seed++) ids.push((await submit(app, { ...SMALL, seed })).job.id);
  const page1 = (await app.inject({ url: '/v1/jobs?limit=2' })).json<{ jobs: { id: string }[]; nextCursor: string | null }>();
  assert.deepEqual(page1.jobs.map((j) => j.id), [ids[4], ids[3]]);
  assert.ok(page1.nextCursor);
  const page2 = (await app.inject({ url: `/v1/jobs?limit=2&cursor=${page1.nextCursor}` })).json<{ jobs: { id: string }[]; nextCursor: string | null }>();
  assert.deepEqual(page2.jobs.map((j) => j.id), [ids[2], ids[1]]);
  const page3 = (await app.inject({ url: `/v1/jobs?limit=2&cursor=${page2.nextCursor}` })).json<{ jobs: { id: string }[]; nextCursor: string | null }>();
  assert.deepEqual(page3.jobs.map((j) => j.id), [ids[0]]);
  assert.equal(page3.nextCursor, null);
  const bad = await app.inject({ url: '/v1/jobs?limit=1000' });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json<{ code: string }>().code, 'VALIDATION_ERROR');
  for (const id of ids) await waitFor(app, id, finished);
});

test('GET /v1/jobs/{id}: times, and 404 / 400 problems for unknown and malformed ids', async (t) => {
  const app = await build(t);
  const { job } = await submit(app, SMALL);
  const done = await waitFor(app, job.id, finished);
  const full = (await app.inject({ url: `/v1/jobs/${job.id}` })).json<{ createdAt: string; startedAt: string; finishedAt: string }>();
  assert.equal(done.status, 'succeeded');
  assert.ok(full.createdAt <= full.startedAt && full.startedAt <= full.finishedAt);
  const missing = await app.inject({ url: '/v1/jobs/00000000-0000-4000-8000-000000000000' });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json<{ code: string }>().code, 'JOB_NOT_FOUND');
  const malformed = await app.inject({ url: '/v1/jobs/..%2F..%2Fetc' });
  assert.equal(malformed.statusCode, 400);
});

test('jobs run a bounded number at a time, the rest queued in order', async (t) => {
  const app = await build(t, { maxConcurrentJobs: 1 });
  const a = await submit(app, { days: 60, hostsPerService: 1, seed: 1 });
  const b = await submit(app, { ...SMALL, seed: 2 });
  const c = await submit(app, { ...SMALL, seed: 3 });
  assert.equal((await getJob(app, a.job.id)).status, 'running');
  assert.equal((await getJob(app, b.job.id)).status, 'queued');
  assert.equal((await getJob(app, c.job.id)).status, 'queued');
  // Progress moves a day at a time while the job runs.
  const seen = new Set<number>();
  await waitFor(app, a.job.id, (j) => {
    seen.add(j.progress.daysDone);
    return finished(j);
  });
  assert.ok(seen.size > 2, `progress observed at several points: ${[...seen].join(',')}`);
  const [doneB, doneC] = [await waitFor(app, b.job.id, finished), await waitFor(app, c.job.id, finished)];
  assert.equal(doneB.status, 'succeeded');
  assert.equal(doneC.status, 'succeeded');
  const times = await Promise.all([a, b, c].map(async (x) => (await app.inject({ url: `/v1/jobs/${x.job.id}` })).json<{ startedAt: string; finishedAt: string }>()));
  assert.ok(times[0]!.finishedAt <= times[1]!.startedAt, 'b starts after a finishes');
  assert.ok(times[1]!.finishedAt <= times[2]!.startedAt, 'c starts after b finishes');
});

test('DELETE cancels a running job within a second and deletes its files; a finished job is deleted', async (t) => {
  const app = await build(t);
  const { job } = await submit(app, { days: 365, hostsPerService: 2, seed: 9 });
  await waitFor(app, job.id, (j) => j.progress.daysDone >= 1);
  const dir = join(app.dataDir, 'jobs', job.id);
  assert.ok(existsSync(dir));
  const started = Date.now();
  const res = await app.inject({ method: 'DELETE', url: `/v1/jobs/${job.id}` });
  assert.ok(Date.now() - started < 1000, 'cancel returns within a second');
  assert.equal(res.statusCode, 200);
  assert.equal(res.json<{ status: string }>().status, 'canceled');
  assert.ok(!existsSync(dir), 'files deleted');
  const after = await getJob(app, job.id);
  await new Promise((r) => setTimeout(r, 300));
  const later = await getJob(app, job.id);
  assert.equal(later.status, 'canceled');
  assert.equal(later.progress.daysDone, after.progress.daysDone, 'no more work after the cancel');
  assert.ok(!existsSync(dir), 'nothing written after the cancel');

  const queued = await submit(app, { ...SMALL, seed: 77 });
  const small = await waitFor(app, queued.job.id, finished);
  assert.equal(small.status, 'succeeded');
  const del = await app.inject({ method: 'DELETE', url: `/v1/jobs/${small.id}` });
  assert.equal(del.statusCode, 204);
  assert.equal((await app.inject({ url: `/v1/jobs/${small.id}` })).statusCode, 404);
  assert.ok(!existsSync(join(app.dataDir, 'jobs', small.id)));
});

test('a queued job can be canceled before it starts', async (t) => {
  const app = await build(t, { maxConcurrentJobs: 1 });
  const big = await submit(app, { days: 60, hostsPerService: 1, seed: 1 });
  const waiting = await submit(app, { ...SMALL, seed: 2 });
  const res = await app.inject({ method: 'DELETE', url: `/v1/jobs/${waiting.job.id}` });
  assert.equal(res.json<{ status: string }>().status, 'canceled');
  await app.inject({ method: 'DELETE', url: `/v1/jobs/${big.job.id}` });
  assert.equal((await getJob(app, waiting.job.id)).progress.daysDone, 0);
});
