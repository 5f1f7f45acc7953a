import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CatalogIncident, IncidentCatalog } from '../../src/core/catalog.ts';
import { METRIC_KEYS } from '../../src/core/incident-types.ts';
import type { MetricRecord } from '../../src/core/records.ts';
import { OPENMETRICS_NAMES } from '../../src/output/openmetrics.ts';
import { parseAllowlist } from '../../src/sinks/destination-guard.ts';
import { build, finished, submit, waitFor } from '../helpers/build.ts';
import { readDay, tempDir } from '../helpers/dataset.ts';
import { startServer } from '../helpers/server.ts';
import { acceptingDestination, promql, startPrometheus } from '../helpers/servers.ts';

// POST /v1/streams at high speed into the real Prometheus: the Server-Sent Events announce the
// ground truth in causal order with the catalog's times, and Prometheus ends up with exactly the
// samples of a job with the same config. Then quotas, stopping, and a restart ending a stream.

type Announcement = { seq: number; type: string; time: string; simulated_time: string; incident: CatalogIncident };
type StreamBody = { id: string; status: string; shiftMs: number | null; progress: { intervalsDone: number; intervalsTotal: number; sinks: { samplesSent: number }[] } | null; announcements?: Announcement[]; error: { code: string } | null };

/** Reads a Server-Sent Events response until the server closes it: each event's name, id and parsed data. */
async function readEvents(res: Response): Promise<{ event: string; id: string | null; data: unknown }[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((block) => block.includes('data: '))
    .map((block) => {
      const field = (name: string): string | null => block.split('\n').find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2) ?? null;
      return { event: field('event') ?? 'message', id: field('id'), data: JSON.parse(field('data') ?? 'null') as unknown };
    });
}

const CONFIG = { startDate: '2024-06-30', days: 1, hostsPerService: 1, granularityMinutes: 60, incidentRate: 4, seed: 777 };

test('a live stream into Prometheus at 20,000×: SSE ground truth in causal order, matching the catalog; Prometheus holds the job’s samples', async (t) => {
  const prom = await startPrometheus(t);
  if (prom === null) return;
  const dataDir = await tempDir(t, 'meltgen-app-');
  const app = await build(t, { dataDir, sinkAllowlist: parseAllowlist(new URL(prom).host) });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });

  const post = await fetch(`${base}/v1/streams`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ config: CONFIG, sinks: [{ type: 'prometheus-remote-write', url: `${prom}/api/v1/write` }], speed: 20_000, timeShift: 'none' }),
  });
  assert.equal(post.status, 202, await post.clone().text());
  const stream = (await post.json()) as StreamBody;
  assert.equal(post.headers.get('location'), `/v1/streams/${stream.id}`);
  const sse = await fetch(`${base}/v1/streams/${stream.id}/events`);
  assert.equal(sse.status, 200);
  assert.match(sse.headers.get('content-type') ?? '', /^text\/event-stream/);
  const events = await readEvents(sse);

  // The stream ended, and said so last.
  const end = events.at(-1);
  assert.equal(end?.event, 'end');
  const ended = end?.data as StreamBody;
  assert.equal(ended.status, 'succeeded', JSON.stringify(ended));
  assert.equal(ended.shiftMs, 0);
  assert.equal(ended.progress?.intervalsDone, 24);

  // The same config as a job: its catalog is what the stream announced.
  const { job } = await submit(app, CONFIG);
  assert.equal((await waitFor(app, job.id, finished)).status, 'succeeded');
  const dir = join(dataDir, 'jobs', job.id, 'melt_data');
  const catalog = (await app.inject({ url: `/v1/jobs/${job.id}/catalog` })).json<IncidentCatalog>();
  const announced = events.filter((e) => e.event.startsWith('incident.')).map((e) => ({ ...(e.data as Announcement), event: e.event, id: e.id }));
  assert.ok(catalog.incidents.length >= 2, 'the fixture has incidents');
  for (const a of announced) {
    assert.equal(a.event, a.type);
    assert.equal(a.id, String(a.seq));
  }
  // Every incident announced once at its start, with its catalog entry and start time.
  const starts = announced.filter((a) => a.type === 'incident.started' || a.type === 'incident.cascaded');
  assert.deepEqual(starts.map((a) => a.incident.id).sort(), catalog.incidents.map((i) => i.id).sort());
  for (const a of starts) {
    const entry = catalog.incidents.find((i) => i.id === a.incident.id) as CatalogIncident;
    assert.deepEqual(a.incident, entry, 'the catalog entry');
    assert.equal(a.time, entry.start_time, 'announced start = the catalog’s start');
    assert.equal(a.type, entry.is_primary ? 'incident.started' : 'incident.cascaded');
  }
  // Causal order: in sequence, never back in time, a cause before what it caused, a start before its detection and resolution.
  assert.deepEqual(announced.map((a) => a.seq), announced.map((_, i) => i + 1));
  for (let i = 1; i < announced.length; i++) assert.ok((announced[i]?.time ?? '') >= (announced[i - 1]?.time ?? ''), 'time order');
  const seq = (id: string | null, types: string[]): number => announced.find((a) => a.incident.id === id && types.includes(a.type))?.seq ?? Infinity;
  for (const e of catalog.incidents) {
    const started = seq(e.id, ['incident.started', 'incident.cascaded']);
    if (e.parent_incident_id !== null) assert.ok(seq(e.parent_incident_id, ['incident.started', 'incident.cascaded']) < started, 'a parent before its child');
    for (const later of ['incident.detected', 'incident.resolved']) if (seq(e.id, [later]) !== Infinity) assert.ok(started < seq(e.id, [later]));
  }
  assert.ok(announced.some((a) => a.type === 'incident.detected') && announced.some((a) => a.type === 'incident.resolved'));

  // Polling sees the same announcements; ?after= gives only the later ones.
  const polled = (await app.inject({ url: `/v1/streams/${stream.id}` })).json<StreamBody>();
  assert.deepEqual(polled.announcements?.map((a) => a.seq), announced.map((a) => a.seq));
  const later = (await app.inject({ url: `/v1/streams/${stream.id}?after=2` })).json<StreamBody>();
  assert.deepEqual(later.announcements?.map((a) => a.seq), announced.slice(2).map((a) => a.seq));
  // Listening again after the end replays what was announced after Last-Event-ID, then the end.
  const resumed = await readEvents(await fetch(`${base}/v1/streams/${stream.id}/events`, { headers: { 'last-event-id': '1' } }));
  assert.deepEqual(resumed.map((e) => e.event), [...announced.slice(1).map((a) => a.type), 'end']);

  // Prometheus holds exactly the job's samples, and an incident's peak as in the job's files.
  const rows = await readDay<MetricRecord>(dir, 'metrics', '2024-06-30');
  assert.equal(ended.progress?.sinks[0]?.samplesSent, rows.length * METRIC_KEYS.length);
  const at = '2024-07-01T00:00:00Z';
  let stored = 0;
  for (const k of METRIC_KEYS) stored += Number((await promql(prom, `sum(count_over_time(${OPENMETRICS_NAMES[k]}[25h]))`, at))[0]?.value[1] ?? 0);
  assert.equal(stored, rows.length * METRIC_KEYS.length, 'every sample, once');
  const inc = catalog.incidents.find((i) => i.is_primary && i.target_host !== null && i.start_time < at);
  assert.ok(inc, 'a primary on a host');
  const metric = inc.root_cause.metric;
  const window = rows.filter((r) => r.host_id === inc.target_host && r.timestamp >= inc.start_time && r.timestamp < inc.end_time);
  const peak = Math.max(...window.map((r) => r.metrics[metric]));
  const hours = Math.ceil((Math.min(Date.parse(inc.end_time), Date.parse(at)) - Date.parse(inc.start_time)) / 3_600_000);
  const endOfWindow = new Date(Date.parse(inc.start_time) + (hours - 1) * 3_600_000).toISOString();
  const got = await promql(prom, `max_over_time(${OPENMETRICS_NAMES[metric]}{host_id="${inc.target_host}"}[${hours}h])`, endOfWindow);
  assert.equal(Number(got[0]?.value[1]), peak, `${metric} peak of ${inc.type} on ${inc.target_host}`);
});

test('streams: config errors under /body/config, the key’s quota, DELETE, and a restart that ends them', async (t) => {
  // Any HTTP destination will do here: it takes every request.
  const port = await acceptingDestination(t);
  const sinks = [{ type: 'victoriametrics', url: `http://127.0.0.1:${port}` }];
  const app = await build(t, { sinkAllowlist: parseAllowlist(`127.0.0.1:${port}`), limits: { quotaConcurrentStreams: 1 } });

  const bad = await app.inject({ method: 'POST', url: '/v1/streams', payload: { config: { days: 0, granularityMinutes: 7 }, sinks } });
  assert.equal(bad.statusCode, 400);
  const problem = bad.json<{ code: string; errors: { field: string }[] }>();
  assert.equal(problem.code, 'INVALID_CONFIG');
  assert.ok(problem.errors.some((e) => e.field === '/body/config/days'), JSON.stringify(problem.errors));
  const noSinks = await app.inject({ method: 'POST', url: '/v1/streams', payload: { config: {}, sinks: [] } });
  assert.equal(noSinks.statusCode, 400);

  const first = await app.inject({ method: 'POST', url: '/v1/streams', payload: { config: CONFIG, sinks, speed: 1 } });
  assert.equal(first.statusCode, 202, first.body);
  const second = await app.inject({ method: 'POST', url: '/v1/streams', payload: { config: CONFIG, sinks, speed: 1 } });
  assert.equal(second.json<{ code: string }>().code, 'TOO_MANY_STREAMS');
  const id = first.json<StreamBody>().id;
  assert.match((await app.inject({ url: '/metrics' })).body, /^meltgen_pushes_running\{kind="stream"\} 1$/m);
  const listed = (await app.inject({ url: '/v1/streams' })).json<{ streams: StreamBody[] }>();
  assert.deepEqual(listed.streams.map((s) => [s.id, s.status]), [[id, 'running']]);
  const stopped = await app.inject({ method: 'DELETE', url: `/v1/streams/${id}` });
  assert.equal(stopped.json<StreamBody>().status, 'canceled');
  assert.match((await app.inject({ url: '/metrics' })).body, /^meltgen_pushes_running\{kind="stream"\} 0$/m);
  assert.equal((await app.inject({ url: '/v1/streams/00000000-0000-0000-0000-000000000000' })).json<{ code: string }>().code, 'STREAM_NOT_FOUND');

  // A real server process: a stream running when it is killed is `interrupted` after the restart.
  const dataDir = await tempDir(t, 'meltgen-restart-');
  const env = { MELT_DATA_DIR: dataDir, MELT_SINK_ALLOWLIST: `127.0.0.1:${port}` };
  const server = await startServer(t, env);
  const started = await fetch(`${server.url}/v1/streams`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ config: CONFIG, sinks, speed: 1 }) });
  assert.equal(started.status, 202);
  const sid = ((await started.json()) as StreamBody).id;
  await server.stop('SIGKILL');
  const again = await startServer(t, env);
  const after = (await (await fetch(`${again.url}/v1/streams/${sid}`)).json()) as StreamBody;
  assert.equal(after.status, 'interrupted');
  assert.equal(after.error?.code, 'SERVER_RESTARTED');
  // Stopped with SIGTERM, the server ends its streams itself and says so.
  const third = await fetch(`${again.url}/v1/streams`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ config: CONFIG, sinks, speed: 1 }) });
  const tid = ((await third.json()) as StreamBody).id;
  // A listener connected at that moment hears the end, and does not hold the server up.
  const listening = fetch(`${again.url}/v1/streams/${tid}/events`).then(readEvents);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await again.stop('SIGTERM'), 0);
  const heard = (await listening).at(-1);
  assert.equal(heard?.event, 'end');
  assert.equal((heard?.data as StreamBody).error?.code, 'SERVER_STOPPED');
  const last = await startServer(t, env);
  const ended = (await (await fetch(`${last.url}/v1/streams/${tid}`)).json()) as StreamBody;
  assert.equal(ended.status, 'interrupted');
  assert.equal(ended.error?.code, 'SERVER_STOPPED');
});

test('ended streams are forgotten with their announcements after MELT_RETENTION_HOURS, as datasets are', async (t) => {
  const port = await acceptingDestination(t);
  const app = await build(t, { sinkAllowlist: parseAllowlist(`127.0.0.1:${port}`), limits: { retentionMs: 1500, sweepIntervalMs: 100 } });
  const res = await app.inject({ method: 'POST', url: '/v1/streams', payload: { config: { ...CONFIG, granularityMinutes: 240 }, sinks: [{ type: 'victoriametrics', url: `http://127.0.0.1:${port}` }], speed: 1e6, timeShift: 'none' } });
  assert.equal(res.statusCode, 202);
  const url = res.headers.location as string;
  let seen = 0;
  for (const until = Date.now() + 30_000; Date.now() < until; ) {
    const r = await app.inject({ url });
    if (r.statusCode === 404) break;
    const s = r.json<StreamBody>();
    if (s.status === 'succeeded') seen = s.announcements?.length ?? 0;
    await new Promise((ok) => setTimeout(ok, 50));
  }
  assert.ok(seen > 0, 'it ended with announcements');
  const gone = await app.inject({ url });
  assert.equal(gone.json<{ code: string }>().code, 'STREAM_NOT_FOUND');
  assert.deepEqual((await app.inject({ url: '/v1/streams' })).json<{ streams: unknown[] }>().streams, []);
});
