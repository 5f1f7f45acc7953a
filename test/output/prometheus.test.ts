import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import type { MetricKey } from '../../src/core/incident-types.ts';
import type { MetricRecord } from '../../src/core/records.ts';
import { dayPath } from '../../src/output/layout.ts';
import { OPENMETRICS_NAMES } from '../../src/output/openmetrics.ts';
import { generate, tempDir } from '../helpers/dataset.ts';
import { freePort, have } from '../helpers/servers.ts';

// The OpenMetrics files with the real Prometheus (Debian's `prometheus` package, 2.42; .ci/run
// installs it): promtool turns each day into TSDB blocks, a Prometheus started on them answers
// PromQL at an incident's host and time with the JSON file's value.

const run = promisify(execFile);

test('promtool backfills the OpenMetrics days and Prometheus answers PromQL with the JSON values', async (t) => {
  if (!(await have('promtool')) || !(await have('prometheus'))) {
    // CI installs the package (.ci/run); a developer machine without it skips, saying so.
    if (process.env.CI) assert.fail('promtool and prometheus must be installed in CI (apt-get install prometheus)');
    t.skip('Debian package prometheus is not installed');
    return;
  }
  const { dir, sim, catalog } = await generate(t, { startDate: '2024-06-30', days: 2, hostsPerService: 1, granularityMinutes: 60, incidentRate: 2, seed: 20240601, formats: ['json', 'openmetrics'] });
  const tsdb = await tempDir(t, 'meltgen-tsdb-');
  for (let d = 0; d < sim.config.days; d++) {
    const date = new Date(sim.startMs + d * 86_400_000).toISOString().slice(0, 10);
    const file = join(dir, dayPath('metrics', date, 'openmetrics', 'none'));
    const text = await readFile(file, 'utf8');
    assert.ok(text.endsWith('# EOF\n'));
    const out = await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', file, tsdb]);
    assert.doesNotMatch(`${out.stdout}${out.stderr}`, /error/i, 'promtool accepts the day');
  }

  const port = await freePort();
  const config = join(tsdb, '..', `prometheus-${port}.yml`);
  await writeFile(config, 'global:\n  scrape_interval: 1h\nscrape_configs: []\n');
  t.after(() => run('rm', ['-f', config]));
  const prom = spawn('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${tsdb}`, '--storage.tsdb.retention.time=100y', `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  prom.stdout.on('data', (c: Buffer) => (log += c.toString()));
  prom.stderr.on('data', (c: Buffer) => (log += c.toString()));
  const exited = new Promise((r) => prom.once('exit', r));
  t.after(async () => {
    prom.kill('SIGTERM');
    await exited;
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ready = await fetch(`${base}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (i > 300) assert.fail(`prometheus did not get ready:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }

  // At every primary incident's host and start, its signature metric; and one quiet host-interval.
  const primaries = catalog.incidents.filter((i) => i.is_primary && i.target_host !== null);
  assert.ok(primaries.length > 0);
  const checks: { host: string; time: string; metric: MetricKey }[] = primaries.map((i) => ({ host: i.target_host as string, time: i.start_time, metric: i.root_cause.metric as MetricKey }));
  const hosts = catalog.generation_config.hosts as { host_id: string }[];
  checks.push({ host: hosts[0]?.host_id as string, time: '2024-06-30T03:00:00Z', metric: 'system.cpu.util' });
  let answered = 0;
  for (const c of checks) {
    const g = sim.config.granularityMinutes * 60_000;
    const at = new Date(Math.floor(Date.parse(c.time) / g) * g).toISOString().replace('.000Z', 'Z');
    const date = at.slice(0, 10);
    if (Date.parse(at) >= sim.endMs) continue;
    const rows = JSON.parse(await readFile(join(dir, dayPath('metrics', date, 'json', 'none')), 'utf8')) as MetricRecord[];
    const row = rows.find((r) => r.host_id === c.host && r.timestamp === at);
    assert.ok(row, `${c.host} at ${at}`);
    const query = `${OPENMETRICS_NAMES[c.metric]}{host_id="${c.host}"}`;
    const res = (await (await fetch(`${base}/api/v1/query?query=${encodeURIComponent(query)}&time=${Date.parse(at) / 1000}`)).json()) as {
      status: string;
      data: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    assert.equal(res.status, 'success');
    assert.equal(res.data.result.length, 1, `${query} at ${at}: ${JSON.stringify(res)}`);
    const [series] = res.data.result;
    assert.equal(series?.metric.service, row.service);
    assert.equal(series?.metric.region, row.region);
    assert.equal(series?.value[0], Date.parse(at) / 1000);
    assert.equal(Number(series?.value[1]), row.metrics[c.metric], `${query} at ${at}`);
    answered++;
  }
  assert.ok(answered >= 2, `${answered} PromQL answers checked`);
});
