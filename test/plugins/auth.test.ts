import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { build, finished, waitFor } from '../helpers/build.ts';

const A = { name: 'team-a', key: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' };
const B = { name: 'team-b', key: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' };
const auth = (k: { key: string }): Record<string, string> => ({ authorization: `Bearer ${k.key}` });
const SMALL = { days: 1, hostsPerService: 1, granularityMinutes: 60, seed: 1 };

test('with keys configured every /v1 route needs a valid key; health, docs, spec and metrics stay open', async (t) => {
  const app = await build(t, { apiKeys: [A, B] });
  for (const headers of [{}, { authorization: 'Bearer wrong-key-wrong-key-wrong' }, { authorization: `Basic ${A.key}` }, { authorization: 'Bearer' }]) {
    const res = await app.inject({ url: '/v1/jobs', headers });
    assert.equal(res.statusCode, 401, JSON.stringify(headers));
    assert.equal(res.json<{ code: string }>().code, 'UNAUTHORIZED');
    assert.equal(res.headers['www-authenticate'], 'Bearer realm="meltgen"');
  }
  assert.equal((await app.inject({ method: 'POST', url: '/v1/jobs', payload: SMALL })).statusCode, 401);
  assert.equal((await app.inject({ url: '/v1/jobs/00000000-0000-4000-8000-000000000000/archive' })).statusCode, 401);
  for (const url of ['/healthz', '/openapi.json', '/docs/', '/metrics']) assert.equal((await app.inject({ url })).statusCode, 200, url);
  assert.equal((await app.inject({ url: '/v1/jobs', headers: auth(A) })).statusCode, 200);
  assert.equal((await app.inject({ url: '/v1/jobs', headers: { authorization: `bearer ${B.key}` } })).statusCode, 200, 'scheme is case-insensitive');
});

test('a key sees only its own jobs: another key’s job id is a 404, never its data', async (t) => {
  const app = await build(t, { apiKeys: [A, B] });
  const res = await app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(A), payload: SMALL });
  assert.equal(res.statusCode, 202);
  const id = res.json<{ id: string }>().id;
  await waitFor(app, id, finished, 30_000, auth(A));
  for (const url of [`/v1/jobs/${id}`, `/v1/jobs/${id}/files`, `/v1/jobs/${id}/catalog`, `/v1/jobs/${id}/files/metrics/2024-06-01`, `/v1/jobs/${id}/archive`]) {
    const other = await app.inject({ url, headers: auth(B) });
    assert.equal(other.statusCode, 404, url);
    assert.equal(other.json<{ code: string }>().code, 'JOB_NOT_FOUND');
    assert.equal((await app.inject({ url, headers: auth(A) })).statusCode, 200, url);
  }
  assert.equal((await app.inject({ method: 'DELETE', url: `/v1/jobs/${id}`, headers: auth(B) })).statusCode, 404);
  assert.deepEqual((await app.inject({ url: '/v1/jobs', headers: auth(B) })).json<{ jobs: unknown[] }>().jobs, []);
  assert.equal((await app.inject({ url: '/v1/jobs', headers: auth(A) })).json<{ jobs: unknown[] }>().jobs.length, 1);
  // The same config from another key is another job: no dataset is shared across keys.
  const again = await app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(B), payload: SMALL });
  assert.equal(again.statusCode, 202);
  assert.notEqual(again.json<{ id: string }>().id, id);
});

/** A log destination that keeps what is written, for assertions. */
function captureLogs(): { stream: Writable; text: () => string } {
  let logs = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => logs };
}

test('keys never reach the logs', async (t) => {
  const { stream, text } = captureLogs();
  const app = await build(t, { apiKeys: [A], logger: { level: 'trace', stream } });
  await app.inject({ url: '/v1/jobs', headers: { ...auth(A), 'x-request-id': 'trace-me-123' } });
  await app.inject({ url: '/v1/jobs', headers: { authorization: 'Bearer zzzzzzzzzzzzzzzzzzzzzzzzz' } });
  assert.match(text(), /trace-me-123/, 'request ids are logged');
  assert.doesNotMatch(text(), /aaaaaaaaaaaaaaaa/);
  assert.doesNotMatch(text(), /zzzzzzzzzzzzzzzz/);
});

test('without keys the server runs open and says so', async (t) => {
  const { stream, text } = captureLogs();
  const app = await build(t, { logger: { level: 'warn', stream } });
  assert.equal((await app.inject({ url: '/v1/jobs' })).statusCode, 200);
  assert.match(text(), /no API keys configured/);
});
