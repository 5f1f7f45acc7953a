import assert from 'node:assert/strict';
import { test } from 'node:test';
import { build, finished, submit, waitFor } from '../helpers/build.ts';

type Row = { timestamp: string; host_id?: string; host?: string; service?: string; type?: string; trace_id?: string; attributes?: Record<string, string> };

const CONFIG = { days: 1, hostsPerService: 2, granularityMinutes: 30, incidentRate: 3, seed: 21 };
const DAY = '2024-06-01';

test('day ranges: one host and window of a day file, the same records as the whole file cut by hand', async (t) => {
  const app = await build(t, { threadsPerJob: 1 });
  const { job } = await submit(app, CONFIG);
  // The same dataset written as gzipped NDJSON only.
  const ndjson = (await submit(app, { ...CONFIG, formats: ['ndjson'], compression: 'gzip' })).job;
  for (const j of [job, ndjson]) assert.equal((await waitFor(app, j.id, finished)).status, 'succeeded');
  const get = async <T>(url: string): Promise<T> => {
    const res = await app.inject({ url });
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
    return res.json<T>();
  };
  const base = `/v1/jobs/${job.id}/files`;
  const metrics = await get<Row[]>(`${base}/metrics/${DAY}`);
  const host = metrics[0]?.host_id ?? '';
  const from = `${DAY}T06:00:00Z`;
  const to = `${DAY}T09:30:00Z`;
  const inWindow = (r: Row): boolean => Date.parse(r.timestamp) >= Date.parse(from) && Date.parse(r.timestamp) < Date.parse(to);

  const range = `?host=${host}&from=${from}&to=${to}`;
  const mine = await get<Row[]>(`${base}/metrics/${DAY}${range}`);
  assert.deepEqual(mine, metrics.filter((r) => r.host_id === host && inWindow(r)));
  assert.equal(mine.length, 7, 'seven half-hours from 06:00 to 09:30');
  assert.deepEqual(await get<Row[]>(`/v1/jobs/${ndjson.id}/files/metrics/${DAY}${range}`), mine, 'read from gzipped NDJSON when there is no JSON');

  const traces = await get<Row[]>(`${base}/traces/${DAY}`);
  const trace = traces[0]?.trace_id ?? '';
  assert.deepEqual(await get<Row[]>(`${base}/traces/${DAY}?trace=${trace}`), traces.filter((s) => s.trace_id === trace));
  const spansOnHost = traces.filter((s) => s.attributes?.['host.name'] === host && inWindow(s));
  assert.deepEqual(await get<Row[]>(`${base}/traces/${DAY}${range}`), spansOnHost);
  assert.deepEqual(await get<Row[]>(`${base}/traces/${DAY}${range}&limit=2`), spansOnHost.slice(0, 2));

  const logs = await get<Row[]>(`${base}/logs/${DAY}`);
  assert.deepEqual(await get<Row[]>(`${base}/logs/${DAY}?trace=${trace}`), logs.filter((l) => l.trace_id === trace));

  const events = await get<Row[]>(`${base}/events/${DAY}`);
  const alerts = events.filter((e) => e.type === 'ALERT_TRIGGER' || e.type === 'CASCADE_TRIGGER');
  assert.ok(alerts.length > 0, 'the day has alerts');
  assert.deepEqual(await get<Row[]>(`${base}/events/${DAY}?type=ALERT_TRIGGER,CASCADE_TRIGGER`), alerts);
  const service = metrics[0]?.service ?? '';
  assert.deepEqual(await get<Row[]>(`${base}/events/${DAY}?service=${service}&from=${from}&to=${to}`), events.filter((e) => e.service === service && inWindow(e)));

  // The ETag is the file's and the filter's: the same range again is a 304, another one is not.
  const first = await app.inject({ url: `${base}/metrics/${DAY}${range}` });
  assert.equal((await app.inject({ url: `${base}/metrics/${DAY}${range}`, headers: { 'if-none-match': first.headers.etag as string } })).statusCode, 304);
  const other = await app.inject({ url: `${base}/metrics/${DAY}?host=${host}` });
  assert.notEqual(other.headers.etag, first.headers.etag);
});

test('day ranges: a bad range is a 400 naming the field; a job without JSON or NDJSON is a 404', async (t) => {
  const app = await build(t, { threadsPerJob: 1 });
  const { job } = await submit(app, { ...CONFIG, formats: ['json', 'ndjson'] });
  const parquetOnly = (await submit(app, { days: 1, hostsPerService: 1, granularityMinutes: 60, signals: ['metrics'], seed: 22, formats: ['parquet'] })).job;
  for (const j of [job, parquetOnly]) await waitFor(app, j.id, finished);
  const problem = async (url: string): Promise<{ status: number; code: string; fields: string[] }> => {
    const res = await app.inject({ url });
    const body = res.json<{ code: string; errors?: { field: string }[] }>();
    return { status: res.statusCode, code: body.code, fields: (body.errors ?? []).map((e) => e.field) };
  };
  const base = `/v1/jobs/${job.id}/files`;
  assert.deepEqual(await problem(`${base}/metrics/${DAY}?from=${DAY}T10:00:00Z&to=${DAY}T09:00:00Z`), { status: 400, code: 'VALIDATION_ERROR', fields: ['/query/to'] });
  assert.deepEqual(await problem(`${base}/metrics/${DAY}?host=web-frontend-000000&format=ndjson`), { status: 400, code: 'VALIDATION_ERROR', fields: ['/query/format'] });
  assert.deepEqual(await problem(`${base}/metrics/${DAY}?trace=${'a'.repeat(32)}`), { status: 400, code: 'VALIDATION_ERROR', fields: ['/query/trace'] });
  assert.deepEqual(await problem(`${base}/metrics/${DAY}?from=yesterday`), { status: 400, code: 'VALIDATION_ERROR', fields: ['/query/from'] });
  assert.equal((await problem(`/v1/jobs/${parquetOnly.id}/files/metrics/${DAY}?host=web-frontend-000000`)).code, 'FORMAT_NOT_GENERATED');
  assert.equal((await problem(`${base}/metrics/2024-06-05?host=web-frontend-000000`)).code, 'DAY_OUT_OF_RANGE');
  // Without a filter, the other formats are served as before.
  assert.equal((await app.inject({ url: `${base}/metrics/${DAY}?format=ndjson` })).statusCode, 200);
});
