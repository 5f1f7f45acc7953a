import assert from 'node:assert/strict';
import { test } from 'node:test';
import { build } from '../helpers/build.ts';

function assertProblem(res: { statusCode: number; headers: Record<string, unknown>; json: <T>() => T; body: string }, status: number, code: string): void {
  assert.equal(res.statusCode, status);
  assert.match(res.headers['content-type'] as string, /^application\/problem\+json/);
  const p = res.json<{ type: string; title: string; status: number; code: string; detail: string }>();
  assert.equal(p.status, status);
  assert.equal(p.code, code);
  assert.equal(typeof p.title, 'string');
  assert.equal(typeof p.detail, 'string');
  assert.doesNotMatch(res.body, /at .*\.(ts|js):\d+|node_modules|\/work\//, 'no stack trace or path');
}

test('unknown routes, bad JSON, wrong media type and oversized bodies are problems with stable codes', async (t) => {
  const app = await build(t);
  assertProblem(await app.inject({ url: '/nope' }), 404, 'NOT_FOUND');
  assertProblem(await app.inject({ method: 'POST', url: '/v1/jobs', headers: { 'content-type': 'application/json' }, payload: '{"days": 3' }), 400, 'INVALID_JSON');
  assertProblem(await app.inject({ method: 'POST', url: '/v1/jobs', headers: { 'content-type': 'text/plain' }, payload: 'days=3' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  assertProblem(await app.inject({ method: 'POST', url: '/v1/jobs', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ regions: ['x'.repeat(2_000_000)] }) }), 413, 'BODY_TOO_LARGE');
  assertProblem(await app.inject({ method: 'POST', url: '/v1/jobs', payload: [1, 2] }), 400, 'INVALID_CONFIG');
  assertProblem(await app.inject({ url: '/v1/jobs/not-a-uuid' }), 400, 'VALIDATION_ERROR');
});

test('an unexpected failure is a 500 problem without its cause', async (t) => {
  const app = await build(t);
  app.store.get = () => {
    throw new Error('SQLITE_CORRUPT at /secret/path/meltgen.db');
  };
  const res = await app.inject({ url: '/v1/jobs/00000000-0000-4000-8000-000000000000' });
  assertProblem(res, 500, 'INTERNAL_ERROR');
  assert.doesNotMatch(res.body, /SQLITE|secret/);
});

test('an empty POST body is the all-defaults config', async (t) => {
  const app = await build(t);
  const res = await app.inject({ method: 'POST', url: '/v1/jobs', headers: { 'content-type': 'application/json' }, payload: '{}' });
  assert.equal(res.statusCode, 202);
  const job = res.json<{ id: string; config: { days: number } }>();
  assert.equal(job.config.days, 365);
  await app.inject({ method: 'DELETE', url: `/v1/jobs/${job.id}` });
});

test('every 400 names its fields the same way: a JSON pointer from the request part, allowed values listed', async (t) => {
  const app = await build(t);
  const errorsOf = async (url: string, init: { method?: 'POST'; payload?: Record<string, unknown> } = {}) => {
    const res = await app.inject({ url, ...init });
    assert.equal(res.statusCode, 400, url);
    const p = res.json<{ detail: string; errors: { field: string; message: string }[] }>();
    assert.doesNotMatch(p.detail, /The (params|querystring) is invalid/);
    return p.errors;
  };
  const id = '00000000-0000-4000-8000-000000000000';
  assert.deepEqual(await errorsOf('/v1/jobs?limit=500&sort=newest'), [
    { field: '/query/sort', message: 'is not a known query parameter; allowed: limit, cursor' },
    { field: '/query/limit', message: 'must be <= 100' },
  ]);
  assert.deepEqual(await errorsOf(`/v1/jobs/${id}/files/profiles/2024-06-01`), [{ field: '/params/signal', message: 'must be one of: metrics, events, logs, traces' }]);
  assert.deepEqual(await errorsOf(`/v1/jobs/${id}/archive?compression=zip`), [{ field: '/query/compression', message: 'must be one of: store, fast, best' }]);
  assert.deepEqual(await errorsOf(`/v1/jobs/${id}/report?format=csv`), [{ field: '/query/format', message: 'must be one of: json, text' }]);
  assert.deepEqual(await errorsOf('/v1/jobs/not-a-job'), [{ field: '/params/id', message: 'must be a job id (a UUID such as 3f2c1b9e-0d6a-4c3e-9a51-2b7d8e6f4a10)' }]);
  assert.deepEqual(await errorsOf(`/v1/jobs/${id}?verbose=1`), [{ field: '/query/verbose', message: 'is not a known query parameter; this route takes none' }]);
  assert.deepEqual(await errorsOf('/v1/jobs', { method: 'POST', payload: { days: 0, signals: ['metrics', 'bogus'] } }), [
    { field: '/body/days', message: 'must be >= 1' },
    { field: '/body/signals/1', message: 'must be one of: metrics, events, logs, traces' },
  ]);
});
