import assert from 'node:assert/strict';
import { test } from 'node:test';
import { build, finished, submit, waitFor } from '../helpers/build.ts';

test('/metrics: jobs by state, queue length, days and bytes written, request latency histogram', async (t) => {
  const app = await build(t);
  const { job } = await submit(app, { days: 3, hostsPerService: 1, granularityMinutes: 60, seed: 1 });
  await waitFor(app, job.id, finished);
  await app.inject({ url: '/v1/jobs/00000000-0000-4000-8000-000000000000' });
  const res = await app.inject({ url: '/metrics' });
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /^text\/plain/);
  const text = res.body;
  assert.match(text, /^meltgen_jobs\{state="succeeded"\} 1$/m);
  assert.match(text, /^meltgen_jobs\{state="running"\} 0$/m);
  assert.match(text, /^meltgen_queue_length 0$/m);
  assert.match(text, /^meltgen_days_generated_total 3$/m);
  const bytes = Number(/^meltgen_bytes_written_total (\d+)$/m.exec(text)?.[1]);
  const list = (await app.inject({ url: `/v1/jobs/${job.id}/files` })).json<{ totalBytes: number }>();
  assert.equal(bytes, list.totalBytes);
  assert.match(text, /^meltgen_http_request_duration_seconds_bucket\{le="0\.005",method="POST",route="\/v1\/jobs",status_code="202"\} \d+$/m);
  assert.match(text, /^meltgen_http_request_duration_seconds_count\{method="GET",route="\/v1\/jobs\/:id",status_code="404"\} 1$/m);
  assert.match(text, /^meltgen_process_resident_memory_bytes \d+/m);
});

test('every answer carries a request id: the client’s when it sends a sane one', async (t) => {
  const app = await build(t);
  const given = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
  assert.equal(given.headers['x-request-id'], 'abc-123');
  const made = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'bad id\nwith newline' } });
  assert.match(made.headers['x-request-id'] as string, /^[0-9a-f-]{36}$/);
  const none = await app.inject({ url: '/nope' });
  assert.match(none.headers['x-request-id'] as string, /^[0-9a-f-]{36}$/);
});
