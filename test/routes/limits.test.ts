import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { normalizeConfig } from '../../src/core/config.ts';
import { estimateDatasetBytes } from '../../src/core/estimate.ts';
import type { GenerationConfigInput } from '../../src/core/config.ts';
import { build, finished, getJob, submit, waitFor } from '../helpers/build.ts';
import { generate, listFiles } from '../helpers/dataset.ts';
import { stat } from 'node:fs/promises';

const SMALL = { days: 1, hostsPerService: 1, granularityMinutes: 60, seed: 1 };

type Problem = { code: string; status: number; [k: string]: unknown };

test('the size estimate is within 25 % of what is written, in every format', async (t) => {
  const inputs: GenerationConfigInput[] = [
    { days: 2, seed: 1 },
    { days: 2, seed: 2, hostsPerService: 1, granularityMinutes: 30, tracesPerEntryHost: 3 },
    { days: 1, seed: 3, services: [{ name: 'api', calls: ['db'] }, { name: 'db' }], signals: ['metrics', 'logs'] },
    { days: 2, seed: 4, formats: ['json', 'ndjson', 'parquet', 'otlp', 'openmetrics'] },
    { days: 2, seed: 5, formats: ['parquet', 'otlp', 'openmetrics'], compression: 'gzip' },
    { days: 2, seed: 6, hostsPerService: 2, formats: ['ndjson'], compression: 'gzip' },
  ];
  for (const input of inputs) {
    const { dir } = await generate(t, input);
    let real = 0;
    for (const f of await listFiles(dir)) real += (await stat(join(dir, f))).size;
    const estimate = estimateDatasetBytes(normalizeConfig(input, 0));
    assert.ok(Math.abs(estimate / real - 1) < 0.25, `${JSON.stringify(input)}: estimate ${estimate}, real ${real}`);
  }
});

test('a job too large or with too many hosts is refused with 422 and the figures, before any work', async (t) => {
  const app = await build(t, { limits: { maxHosts: 20, maxJobBytes: 50e6 } });
  const hosts = await app.inject({ method: 'POST', url: '/v1/jobs', payload: { hostsPerService: 5, services: [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }, { name: 'e' }] } });
  assert.equal(hosts.statusCode, 422);
  assert.deepEqual(hosts.json<Problem>().code, 'TOO_MANY_HOSTS');
  assert.deepEqual([hosts.json<Problem>().hosts, hosts.json<Problem>().limit], [25, 20]);
  const big = await app.inject({ method: 'POST', url: '/v1/jobs', payload: { days: 365, hostsPerService: 4 } });
  assert.equal(big.statusCode, 422);
  const p = big.json<Problem>();
  assert.equal(p.code, 'JOB_TOO_LARGE');
  assert.equal(p.limitBytes, 50e6);
  assert.ok((p.estimateBytes as number) > 50e6);
  assert.match(big.headers['content-type'] as string, /problem\+json/);
  assert.deepEqual((await app.inject({ url: '/v1/jobs' })).json<{ jobs: unknown[] }>().jobs, [], 'nothing queued');
});

test('per-key quotas: concurrent jobs (429) and stored bytes (507), with the figures', async (t) => {
  const keys = [{ name: 'a', key: 'a'.repeat(20) }, { name: 'b', key: 'b'.repeat(20) }];
  const app = await build(t, { apiKeys: keys, limits: { quotaConcurrentJobs: 2, quotaStoredBytes: 10e6 } });
  const as = (k: number): Record<string, string> => ({ authorization: `Bearer ${keys[k]?.key}` });
  const post = (k: number, payload: object) => app.inject({ method: 'POST', url: '/v1/jobs', headers: as(k), payload });
  const first = await post(0, { days: 30, hostsPerService: 1, granularityMinutes: 60, seed: 1 });
  const second = await post(0, { ...SMALL, seed: 2 });
  assert.equal(first.statusCode, 202);
  assert.equal(second.statusCode, 202);
  const third = await post(0, { ...SMALL, seed: 3 });
  assert.equal(third.statusCode, 429);
  assert.deepEqual([third.json<Problem>().code, third.json<Problem>().activeJobs, third.json<Problem>().limit], ['TOO_MANY_JOBS', 2, 2]);
  assert.equal((await post(1, { ...SMALL, seed: 3 })).statusCode, 202, 'another key has its own quota');
  // Re-posting a job the key already has costs nothing, even at the quota.
  assert.equal((await post(0, { ...SMALL, seed: 2 })).statusCode, 200);

  const storage = await post(1, { days: 20, hostsPerService: 2, seed: 4 });
  assert.equal(storage.statusCode, 507);
  const p = storage.json<Problem>();
  assert.equal(p.code, 'STORAGE_QUOTA_EXCEEDED');
  assert.equal(p.quotaBytes, 10e6);
  assert.ok((p.usedBytes as number) + (p.estimateBytes as number) > 10e6);
  for (const r of [first, second]) await waitFor(app, r.json<{ id: string }>().id, finished, 30_000, as(0));
});

test('a job that would fill the disk is refused up front with 507', async (t) => {
  const app = await build(t, { limits: { minFreeBytes: 1e18 } });
  const res = await app.inject({ method: 'POST', url: '/v1/jobs', payload: SMALL });
  assert.equal(res.statusCode, 507);
  const p = res.json<Problem>();
  assert.equal(p.code, 'INSUFFICIENT_STORAGE');
  assert.ok(typeof p.freeBytes === 'number' && p.reserveBytes === 1e18);
});

test('the disk guard in the worker fails a job cleanly before the disk fills; the server stays up', async (t) => {
  const app = await build(t, { limits: { minFreeBytes: 1e18 } });
  // Queued behind the front door's check, as a job accepted before the disk got full would be.
  const config = normalizeConfig({ ...SMALL, days: 3 }, 0);
  const job = await app.store.insert({ id: '11111111-1111-4111-8111-111111111111', key: 'k', owner: '', estimatedBytes: 1000, config, createdAt: new Date().toISOString() });
  app.jobs.enqueue(job);
  const done = await waitFor(app, job.id, finished);
  assert.equal(done.status, 'failed');
  assert.equal(done.error?.code, 'INSUFFICIENT_STORAGE');
  assert.match(done.error?.message as string, /before the disk fills/);
  assert.equal(done.progress.daysDone, 0, 'no day written');
  assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
});

test('the request rate is limited per key', async (t) => {
  const keys = [{ name: 'a', key: 'a'.repeat(20) }, { name: 'b', key: 'b'.repeat(20) }];
  const app = await build(t, { apiKeys: keys, limits: { rateLimitPerMinute: 5 } });
  const codes: number[] = [];
  for (let i = 0; i < 7; i++) codes.push((await app.inject({ url: '/v1/jobs', headers: { authorization: `Bearer ${keys[0]?.key}` } })).statusCode);
  assert.deepEqual(codes, [200, 200, 200, 200, 200, 429, 429]);
  const limited = await app.inject({ url: '/v1/jobs', headers: { authorization: `Bearer ${keys[0]?.key}` } });
  assert.equal(limited.json<Problem>().code, 'RATE_LIMITED');
  assert.match(limited.headers['content-type'] as string, /problem\+json/);
  assert.ok(Number(limited.headers['retry-after']) > 0);
  assert.equal((await app.inject({ url: '/v1/jobs', headers: { authorization: `Bearer ${keys[1]?.key}` } })).statusCode, 200, 'the other key is not limited');
  assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200, 'health is not limited');
});

test('retention: a finished dataset expires, its files are deleted and its state says so', async (t) => {
  const app = await build(t, { limits: { retentionMs: 300, sweepIntervalMs: 50 } });
  const { job } = await submit(app, SMALL);
  await waitFor(app, job.id, finished);
  const expired = await waitFor(app, job.id, (j) => j.status === 'expired', 10_000);
  assert.equal(expired.status, 'expired');
  assert.ok(!existsSync(join(app.dataDir, 'jobs', job.id)), 'files deleted');
  for (const url of [`/v1/jobs/${job.id}/files`, `/v1/jobs/${job.id}/archive`, `/v1/jobs/${job.id}/catalog`, `/v1/jobs/${job.id}/files/metrics/2024-06-01`]) {
    const res = await app.inject({ url });
    assert.equal(res.statusCode, 410, url);
    assert.equal(res.json<Problem>().code, 'JOB_EXPIRED');
  }
  // Expired datasets no longer count against the key's storage.
  assert.equal((await app.store.usage('')).storedBytes, 0);
  // The same config again regenerates it.
  const again = await submit(app, SMALL);
  assert.equal(again.res.statusCode, 202);
  assert.notEqual(again.job.id, job.id);
  assert.equal((await app.inject({ method: 'DELETE', url: `/v1/jobs/${job.id}` })).statusCode, 204);
  assert.equal((await getJob(app, again.job.id)).id, again.job.id);
});
