import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { METRIC_KEYS } from '../../src/core/incident-types.ts';
import type { MetricRecord } from '../../src/core/records.ts';
import { OPENMETRICS_NAMES } from '../../src/output/openmetrics.ts';
import { parseAllowlist } from '../../src/sinks/destination-guard.ts';
import { build, finished, submit, waitFor } from '../helpers/build.ts';
import { readDay, tempDir } from '../helpers/dataset.ts';
import { startVictoriaMetrics } from '../helpers/servers.ts';

// POST /v1/jobs/{id}/replays against the real VictoriaMetrics, and the safety rules of a shared
// server: the allowlist, credentials never logged, stored nor returned, quotas, stopping.

const SECRET = 'Bearer s3cret-sink-token-91f2';
const SMALL = { startDate: '2024-06-30', days: 2, hostsPerService: 1, granularityMinutes: 60, incidentRate: 2, seed: 20240601 };

type ReplayBody = { id: string; status: string; sink: { headers: string[] }; progress: { daysDone: number; daysTotal: number; sink: { samplesSent: number; requestsRefused: number } } | null; error: { code: string } | null };

async function waitForReplay(app: FastifyInstance, url: string, until: (r: ReplayBody) => boolean): Promise<ReplayBody> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = (await app.inject({ url })).json<ReplayBody>();
    if (until(r)) return r;
    if (Date.now() > deadline) throw new Error(`replay still ${JSON.stringify(r)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** Everything the app logs, to look for secrets in. */
function logSink(): { stream: Writable; text: () => string } {
  let text = '';
  return {
    stream: new Writable({
      write(chunk: Buffer, _enc, cb) {
        text += chunk.toString('utf8');
        cb();
      },
    }),
    text: () => text,
  };
}

test('a finished job replayed into VictoriaMetrics through the API: every sample there; the credential header never logged, stored nor returned', async (t) => {
  const vm = await startVictoriaMetrics(t);
  if (vm === null) return;
  const dataDir = await tempDir(t, 'meltgen-app-');
  const logs = logSink();
  const app = await build(t, { dataDir, sinkAllowlist: parseAllowlist(new URL(vm).host), logger: { level: 'debug', stream: logs.stream } });
  const { job } = await submit(app, SMALL);
  assert.equal((await waitFor(app, job.id, finished)).status, 'succeeded');

  const res = await app.inject({ method: 'POST', url: `/v1/jobs/${job.id}/replays`, payload: { sink: { type: 'victoriametrics', url: vm, headers: { Authorization: SECRET } } } });
  assert.equal(res.statusCode, 202, res.body);
  const location = res.headers.location as string;
  assert.match(location, new RegExp(`^/v1/jobs/${job.id}/replays/[0-9a-f-]{36}$`));
  const done = await waitForReplay(app, location, (r) => r.status !== 'running');
  assert.equal(done.status, 'succeeded', JSON.stringify(done));

  const dir = join(dataDir, 'jobs', job.id, 'melt_data');
  const rows: MetricRecord[] = [];
  for (const date of ['2024-06-30', '2024-07-01']) rows.push(...(await readDay<MetricRecord>(dir, 'metrics', date)));
  assert.deepEqual({ daysDone: done.progress?.daysDone, daysTotal: done.progress?.daysTotal }, { daysDone: 2, daysTotal: 2 });
  assert.equal(done.progress?.sink.samplesSent, rows.length * METRIC_KEYS.length);
  assert.deepEqual(done.sink.headers, ['Authorization'], 'the header’s name only');

  await fetch(`${vm}/internal/force_flush`);
  const names = Object.values(OPENMETRICS_NAMES).join('|');
  const exported = await (await fetch(`${vm}/api/v1/export?match[]=${encodeURIComponent(`{__name__=~"${names}"}`)}&start=2024-06-29T00:00:00Z&end=2024-07-03T00:00:00Z`)).text();
  const samples = exported
    .trim()
    .split('\n')
    .reduce((n, l) => n + (JSON.parse(l) as { values: number[] }).values.length, 0);
  assert.equal(samples, rows.length * METRIC_KEYS.length, 'VictoriaMetrics holds every sample');

  const list = (await app.inject({ url: `/v1/jobs/${job.id}/replays` })).json<{ replays: ReplayBody[] }>();
  assert.deepEqual(list.replays.map((r) => r.id), [done.id]);

  // The credential is nowhere: not in the answers, not in the log, not in the database.
  for (const body of [res.body, JSON.stringify(done), JSON.stringify(list)]) assert.ok(!body.includes('s3cret'), 'not returned');
  assert.ok(logs.text().length > 0 && !logs.text().includes('s3cret'), 'not logged');
  for (const f of await readdir(dataDir)) if (f.startsWith('meltgen.db')) assert.ok(!(await readFile(join(dataDir, f))).includes('s3cret'), `not stored in ${f}`);
});

test('sinks outside the allowlist, internal addresses and bad sinks are refused before anything is sent', async (t) => {
  const app = await build(t, { sinkAllowlist: parseAllowlist('127.0.0.1:9,*.example.org:443'), resolveSinkHost: async (h) => (h === 'metadata.example.org' ? ['169.254.169.254'] : ['93.184.216.34']) });
  const { job } = await submit(app, { ...SMALL, days: 1 });
  await waitFor(app, job.id, finished);
  const post = (sink: Record<string, unknown>) => app.inject({ method: 'POST', url: `/v1/jobs/${job.id}/replays`, payload: { sink } });
  const refused = async (sink: Record<string, unknown>, status: number, code: string, field?: string): Promise<void> => {
    const res = await post(sink);
    assert.equal(res.statusCode, status, `${JSON.stringify(sink)}: ${res.body}`);
    assert.equal(res.json<{ code: string }>().code, code);
    if (field) assert.ok(res.body.includes(field), `${res.body} names ${field}`);
  };
  await refused({ type: 'victoriametrics', url: 'http://127.0.0.1:8428' }, 403, 'SINK_NOT_ALLOWED', '/body/sink/url');
  await refused({ type: 'victoriametrics', url: 'http://10.0.0.5:9' }, 403, 'SINK_NOT_ALLOWED');
  // A wildcard does not open an internal address: the name must be allow-listed itself.
  await refused({ type: 'otlp-http', url: 'https://metadata.example.org' }, 403, 'SINK_NOT_ALLOWED');
  await refused({ type: 'victoriametrics', url: 'http://user:pw@127.0.0.1:9' }, 403, 'SINK_NOT_ALLOWED');
  await refused({ type: 'kafka', url: 'http://127.0.0.1:9' }, 400, 'VALIDATION_ERROR', '/body/sink/type');
  await refused({ type: 'victoriametrics', url: 'ftp://127.0.0.1:9' }, 400, 'VALIDATION_ERROR', '/body/sink/url');
  await refused({ type: 'victoriametrics', url: 'http://127.0.0.1:9', headers: { Host: 'elsewhere' } }, 400, 'VALIDATION_ERROR', '/body/sink/headers/Host');
  assert.equal((await app.inject({ url: `/v1/jobs/${job.id}/replays` })).json<{ replays: unknown[] }>().replays.length, 0, 'nothing started');
  const missing = await app.inject({ url: `/v1/jobs/${job.id}/replays/00000000-0000-0000-0000-000000000000` });
  assert.equal(missing.json<{ code: string }>().code, 'REPLAY_NOT_FOUND');
});

test('a replay into a destination that hangs: the key’s quota refuses a second one; DELETE stops it', async (t) => {
  // A destination that takes each request and never answers.
  const held: IncomingMessage[] = [];
  const hang = createServer((req) => void held.push(req));
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
  t.after(() => {
    hang.closeAllConnections();
    hang.close();
  });
  const port = (hang.address() as { port: number }).port;
  const app = await build(t, { sinkAllowlist: parseAllowlist(`127.0.0.1:${port}`), limits: { quotaConcurrentStreams: 1 } });
  const { job } = await submit(app, { ...SMALL, days: 1 });
  await waitFor(app, job.id, finished);
  const sink = { type: 'prometheus-remote-write', url: `http://127.0.0.1:${port}/api/v1/write` };
  const first = await app.inject({ method: 'POST', url: `/v1/jobs/${job.id}/replays`, payload: { sink } });
  assert.equal(first.statusCode, 202);
  const second = await app.inject({ method: 'POST', url: `/v1/jobs/${job.id}/replays`, payload: { sink } });
  assert.equal(second.statusCode, 429);
  assert.equal(second.json<{ code: string }>().code, 'TOO_MANY_STREAMS');
  const location = first.headers.location as string;
  for (const until = Date.now() + 30_000; held.length === 0 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 20));
  const stopped = await app.inject({ method: 'DELETE', url: location });
  assert.equal(stopped.statusCode, 200);
  assert.equal(stopped.json<ReplayBody>().status, 'canceled');
  assert.ok(held.length >= 1, 'the request was in flight when stopped');
  const again = await app.inject({ method: 'POST', url: `/v1/jobs/${job.id}/replays`, payload: { sink } });
  assert.equal(again.statusCode, 202, 'the quota is free again');
  await app.inject({ method: 'DELETE', url: again.headers.location as string });
});
