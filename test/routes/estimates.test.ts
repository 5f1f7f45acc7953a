import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimateDatasetBytes } from '../../src/core/estimate.ts';
import { normalizeConfig } from '../../src/core/config.ts';
import { build } from '../helpers/build.ts';

type Estimate = { estimatedBytes: number; bytesPerDay: number; days: number; hosts: number; services: number; limits: { usedBytes: number; activeJobs: number; maxHosts: number }; refusal: { code: string; detail: string } | null };

test('POST /v1/estimates: the size createJob would estimate, the limits, and nothing queued', async (t) => {
  const app = await build(t);
  const body = { days: 30, topology: 'online-boutique', formats: ['json', 'parquet'] };
  const res = await app.inject({ method: 'POST', url: '/v1/estimates', payload: body });
  assert.equal(res.statusCode, 200);
  const e = res.json<Estimate>();
  assert.equal(e.estimatedBytes, estimateDatasetBytes(normalizeConfig(body, 0)));
  assert.equal(e.days, 30);
  assert.equal(e.services, 11);
  assert.equal(e.refusal, null);
  assert.deepEqual((await app.inject({ url: '/v1/jobs' })).json<{ jobs: unknown[] }>().jobs, [], 'no job was made');
});

test('POST /v1/estimates: a bad config is createJob’s 400 with the same field errors', async (t) => {
  const app = await build(t);
  const payload = { days: 0, formats: ['json', 'csv'], colour: 'red' };
  const estimate = await app.inject({ method: 'POST', url: '/v1/estimates', payload });
  const create = await app.inject({ method: 'POST', url: '/v1/jobs', payload });
  assert.equal(estimate.statusCode, 400);
  assert.deepEqual(estimate.json<{ code: string; errors: unknown[] }>().errors, create.json<{ errors: unknown[] }>().errors);
  assert.equal(estimate.json<{ code: string }>().code, 'INVALID_CONFIG');
});

test('POST /v1/estimates: says which limit or quota createJob would refuse the config for', async (t) => {
  const hosts = await build(t, { limits: { maxHosts: 10 } });
  const tooMany = (await hosts.inject({ method: 'POST', url: '/v1/estimates', payload: { days: 1 } })).json<Estimate>();
  assert.equal(tooMany.refusal?.code, 'TOO_MANY_HOSTS');
  assert.equal(tooMany.limits.maxHosts, 10);
  const bytes = await build(t, { limits: { maxJobBytes: 1000 } });
  assert.equal((await bytes.inject({ method: 'POST', url: '/v1/estimates', payload: { days: 1 } })).json<Estimate>().refusal?.code, 'JOB_TOO_LARGE');
  const quota = await build(t, { limits: { quotaStoredBytes: 1000 } });
  const refused = (await quota.inject({ method: 'POST', url: '/v1/estimates', payload: { days: 1 } })).json<Estimate>();
  assert.equal(refused.refusal?.code, 'STORAGE_QUOTA_EXCEEDED');
  // And createJob does refuse it with that code.
  assert.equal((await quota.inject({ method: 'POST', url: '/v1/jobs', payload: { days: 1 } })).json<{ code: string }>().code, 'STORAGE_QUOTA_EXCEEDED');
});
