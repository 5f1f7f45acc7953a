import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { METRIC_KEYS } from '../../src/core/incident-types.ts';
import type { MetricRecord } from '../../src/core/records.ts';
import { OPENMETRICS_NAMES } from '../../src/output/openmetrics.ts';
import { createRemoteWriteSink, writeRequestBytes, writeRequestMessage } from '../../src/sinks/prometheus-remote-write.ts';
import { generate, readDay } from '../helpers/dataset.ts';
import { freePort, have, waitUntilUp } from '../helpers/servers.ts';

// The remote-write sink against the real Prometheus (Debian's `prometheus`, 2.42) started with its
// remote-write receiver and an out-of-order window wide enough for replayed history.

async function promql(base: string, query: string, time: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(query)}&time=${encodeURIComponent(time)}`);
  const body = (await res.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  assert.equal(body.status, 'success', JSON.stringify(body));
  return body.data.result;
}

test('remote write into Prometheus: every sample stored, an incident host’s values as in the JSON', async (t) => {
  if (!(await have('prometheus'))) {
    if (process.env.CI) assert.fail('prometheus must be installed in CI (apt-get install prometheus)');
    t.skip('Debian package prometheus is not installed');
    return;
  }
  const { dir, catalog } = await generate(t, { startDate: '2024-06-30', days: 2, hostsPerService: 1, granularityMinutes: 60, incidentRate: 2, seed: 20240601 });
  const tsdb = await mkdtemp(join(tmpdir(), 'meltgen-rw-'));
  const port = await freePort();
  const config = join(tsdb, 'prometheus.yml');
  // Replayed history is older than anything the head has seen: accepted within the out-of-order window.
  await writeFile(config, 'global:\n  scrape_interval: 1h\nstorage:\n  tsdb:\n    out_of_order_time_window: 10y\n');
  const prom = spawn('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${join(tsdb, 'data')}`, '--storage.tsdb.retention.time=100y', '--web.enable-remote-write-receiver', `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: 'ignore' });
  // Stopped and waited for before its temporary folder is removed (a Prometheus still writing makes rmdir fail).
  t.after(async () => {
    if (prom.exitCode === null) {
      prom.kill('SIGTERM');
      await once(prom, 'exit');
    }
    await rm(tsdb, { recursive: true, force: true });
  });
  const base = `http://127.0.0.1:${port}`;
  await waitUntilUp(`${base}/-/ready`);

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
});
