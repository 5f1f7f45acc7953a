import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { test } from 'node:test';
import { METRIC_KEYS } from '../../src/core/incident-types.ts';
import type { MetricRecord } from '../../src/core/records.ts';
import { OPENMETRICS_NAMES } from '../../src/output/openmetrics.ts';
import { deliver, DeliveryError, retryAfterMs } from '../../src/sinks/http-delivery.ts';
import { emptyStats } from '../../src/sinks/sink.ts';
import { createVictoriaMetricsSink } from '../../src/sinks/victoriametrics.ts';
import { generate, readDay } from '../helpers/dataset.ts';
import { startVictoriaMetrics } from '../helpers/servers.ts';

// The VictoriaMetrics sink against the real server (Debian's `victoria-metrics`, 1.79; .ci/run
// installs it): two days imported, exported back, every sample and an incident's value equal.

test('a replayed dataset in VictoriaMetrics: every sample back, an incident host’s value as in the JSON', async (t) => {
  const { dir, catalog } = await generate(t, { startDate: '2024-06-30', days: 2, hostsPerService: 1, granularityMinutes: 60, incidentRate: 2, seed: 20240601 });
  const base = await startVictoriaMetrics(t);
  if (base === null) return;

  const rows: MetricRecord[] = [];
  for (const date of ['2024-06-30', '2024-07-01']) rows.push(...(await readDay<MetricRecord>(dir, 'metrics', date)));
  const sink = createVictoriaMetricsSink({ url: base, batchRows: 40 });
  await sink.send({ metrics: rows });
  await sink.flush();
  assert.deepEqual(sink.stats(), { samplesSent: rows.length * METRIC_KEYS.length, spansSent: 0, logsSent: 0, requestsRefused: 0, retries: 0, lastError: null });
  await fetch(`${base}/internal/force_flush`);

  // Everything back through the export API: one line per series, every sample.
  const names = Object.values(OPENMETRICS_NAMES).join('|');
  const exported = await (await fetch(`${base}/api/v1/export?match[]=${encodeURIComponent(`{__name__=~"${names}"}`)}&start=2024-06-29T00:00:00Z&end=2024-07-03T00:00:00Z`)).text();
  const series = exported.trim().split('\n').map((l) => JSON.parse(l) as { metric: Record<string, string>; values: number[]; timestamps: number[] });
  assert.equal(series.length, 5 * METRIC_KEYS.length, 'a series per host and metric');
  assert.equal(series.reduce((n, s) => n + s.values.length, 0), rows.length * METRIC_KEYS.length, 'every sample');

  // At an incident's host and start, each metric's value is the JSON file's.
  const inc = catalog.incidents.find((i) => i.is_primary && i.target_host !== null);
  assert.ok(inc);
  const row = rows.find((r) => r.host_id === inc.target_host && r.timestamp === inc.start_time);
  assert.ok(row, 'the incident starts on an interval boundary');
  for (const k of METRIC_KEYS) {
    const found: (typeof series)[number] | undefined = series.find((x) => x.metric.__name__ === OPENMETRICS_NAMES[k] && x.metric.host_id === row.host_id);
    assert.ok(found, `${k} of ${row.host_id}`);
    assert.equal(found.metric.service, row.service);
    assert.equal(found.metric.region, row.region);
    assert.equal(found.values[found.timestamps.indexOf(Date.parse(row.timestamp))], row.metrics[k], k);
  }
  // The incident's peak of its signature metric over its window, through the query API, is the JSON's.
  const metric = inc.root_cause.metric;
  const window = rows.filter((r) => r.host_id === inc.target_host && r.timestamp >= inc.start_time && r.timestamp < inc.end_time);
  const last = window.at(-1) as MetricRecord;
  const hours = (Date.parse(last.timestamp) - Date.parse(inc.start_time)) / 3_600_000 + 1;
  const query = `max_over_time(${OPENMETRICS_NAMES[metric]}{host_id="${inc.target_host}"}[${hours}h])`;
  const res = (await (await fetch(`${base}/api/v1/query?query=${encodeURIComponent(query)}&time=${encodeURIComponent(last.timestamp)}`)).json()) as { data: { result: { value: [number, string] }[] } };
  assert.equal(Number(res.data.result[0]?.value[1]), Math.max(...window.map((r) => r.metrics[metric])), `${metric} peak of ${inc.type}`);
});

/** A local destination answering each request with the next of `answers`. */
async function fakeDestination(t: { after: (fn: () => unknown) => void }, answers: ((res: ServerResponse) => void)[]): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => (answers[Math.min(hits++, answers.length - 1)] as (r: ServerResponse) => void)(res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, hits: () => hits };
}

test('delivery retries 429 and 5xx (honouring Retry-After), refuses other answers, never follows a redirect', async (t) => {
  const busy = await fakeDestination(t, [
    (r) => r.writeHead(503, { 'retry-after': '0' }).end('busy'),
    (r) => r.writeHead(429, { 'retry-after': '0' }).end('slow down'),
    (r) => r.writeHead(204).end(),
  ]);
  const stats = emptyStats();
  await deliver(busy.url, 'x', 'text/plain', stats, { backoffMs: 1 });
  assert.equal(busy.hits(), 3);
  assert.equal(stats.retries, 2);
  assert.equal(stats.requestsRefused, 0);

  const bad = await fakeDestination(t, [(r) => r.writeHead(400).end('bad sample')]);
  await assert.rejects(deliver(bad.url, 'x', 'text/plain', stats, { backoffMs: 1 }), (e: unknown) => e instanceof DeliveryError && e.status === 400);
  assert.equal(bad.hits(), 1, 'a 400 is not retried');
  assert.equal(stats.lastError, '400 bad sample');

  const elsewhere = await fakeDestination(t, [(r) => r.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data' }).end()]);
  await assert.rejects(deliver(elsewhere.url, 'x', 'text/plain', stats, { backoffMs: 1 }), (e: unknown) => e instanceof DeliveryError && e.status === 307);
  assert.equal(elsewhere.hits(), 1);

  const down = await fakeDestination(t, [(r) => r.writeHead(500).end('down')]);
  await assert.rejects(deliver(down.url, 'x', 'text/plain', stats, { backoffMs: 1, attempts: 3 }), /gave up after 3 attempts: 500 down/);
  assert.equal(down.hits(), 3);
  assert.equal(stats.requestsRefused, 3);

  assert.equal(retryAfterMs('2'), 2000);
  assert.equal(retryAfterMs(new Date(Date.now() + 5000).toUTCString(), Date.now()) !== null, true);
  assert.equal(retryAfterMs('soon'), null);
});
