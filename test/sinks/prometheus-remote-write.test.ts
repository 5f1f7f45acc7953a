import assert from 'node:assert/strict';
import { test } from 'node:test';
import { METRIC_KEYS } from '../../src/core/incident-types.ts';
import type { MetricRecord } from '../../src/core/records.ts';
import { OPENMETRICS_NAMES } from '../../src/output/openmetrics.ts';
import { createRemoteWriteSink, writeRequestBytes, writeRequestMessage } from '../../src/sinks/prometheus-remote-write.ts';
import { generate, readDay } from '../helpers/dataset.ts';
import { promql, startPrometheus } from '../helpers/servers.ts';

// The remote-write sink against the real Prometheus (Debian's `prometheus`, 2.42) started with its
// remote-write receiver and an out-of-order window wide enough for replayed history.

test('remote write into Prometheus: every sample stored, an incident host’s values as in the JSON', async (t) => {
  const { dir, catalog } = await generate(t, { startDate: '2024-06-30', days: 2, hostsPerService: 1, granularityMinutes: 60, incidentRate: 2, seed: 20240601 });
  const base = await startPrometheus(t);
  if (base === null) return;

  const rows: MetricRecord[] = [];
  for (const date of ['2024-06-30', '2024-07-01']) rows.push(...(await readDay<MetricRecord>(dir, 'metrics', date)));
  // What goes on the wire decodes with the same messages, series by series.
  const decoded = writeRequestMessage().toObject(writeRequestMessage().decode(writeRequestBytes(rows.slice(0, 5))), { longs: String }) as { timeseries: { labels: { name: string }[]; samples: { timestamp: string }[] }[] };
  assert.equal(decoded.timeseries.length, 5 * METRIC_KEYS.length);
  assert.deepEqual(decoded.timeseries[0]?.labels.map((l) => l.name), ['__name__', 'host_id', 'region', 'service']);
  assert.equal(decoded.timeseries[0]?.samples[0]?.timestamp, String(Date.parse(rows[0]?.timestamp ?? '')));

  const sink = createRemoteWriteSink({ url: `${base}/api/v1/write`, batchRows: 30 });
  await sink.send({ metrics: rows });
  await sink.flush();
  assert.deepEqual(sink.stats(), { samplesSent: rows.length * METRIC_KEYS.length, spansSent: 0, logsSent: 0, requestsRefused: 0, retries: 0, lastError: null });

  const end = '2024-07-02T00:00:00Z';
  let stored = 0;
  for (const k of METRIC_KEYS) stored += Number((await promql(base, `sum(count_over_time(${OPENMETRICS_NAMES[k]}[49h]))`, end))[0]?.value[1]);
  assert.equal(stored, rows.length * METRIC_KEYS.length, 'every sample');

  const inc = catalog.incidents.find((i) => i.is_primary && i.target_host !== null);
  assert.ok(inc);
  const row = rows.find((r) => r.host_id === inc.target_host && r.timestamp === inc.start_time);
  assert.ok(row);
  for (const k of METRIC_KEYS) {
    const [v] = await promql(base, `${OPENMETRICS_NAMES[k]}{host_id="${row.host_id}"}`, row.timestamp);
    assert.equal(Number(v?.value[1]), row.metrics[k], k);
    assert.equal(v?.metric.service, row.service);
  }
  // The incident's peak of its signature metric over its window, as PromQL sees it, is the JSON's.
  const metric = inc.root_cause.metric;
  const window = rows.filter((r) => r.host_id === inc.target_host && r.timestamp >= inc.start_time && r.timestamp < inc.end_time);
  const last = window.at(-1) as MetricRecord;
  const hours = (Date.parse(last.timestamp) - Date.parse(inc.start_time)) / 3_600_000 + 1;
  const [peak] = await promql(base, `max_over_time(${OPENMETRICS_NAMES[metric]}{host_id="${inc.target_host}"}[${hours}h])`, last.timestamp);
  assert.equal(Number(peak?.value[1]), Math.max(...window.map((r) => r.metrics[metric])), `${metric} peak of ${inc.type}`);
});
