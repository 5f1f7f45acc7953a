import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { runReplayCli } from '../../src/cli/replay.ts';
import { METRIC_KEYS } from '../../src/core/incident-types.ts';
import { shiftToNow } from '../../src/sinks/replay.ts';
import { runInProcess } from '../helpers/cli.ts';
import { generate } from '../helpers/dataset.ts';
import { startVictoriaMetrics } from '../helpers/servers.ts';

test('replay --time-shift now: the dataset lands in VictoriaMetrics ending at the current interval', async (t) => {
  const { dir, sim } = await generate(t, { days: 2, hostsPerService: 1, granularityMinutes: 60, incidentRate: 1, seed: 4 });
  const base = await startVictoriaMetrics(t);
  if (base === null) return;
  const before = Date.now();
  const r = await runInProcess(runReplayCli, ['--sink', 'victoriametrics', '--url', base, '--dataset', dir, '--time-shift', 'now', '--header', 'X-Scope-OrgID: team-a']);
  assert.equal(r.code, 0, r.stderr);
  const samples = 2 * 24 * 5 * METRIC_KEYS.length;
  assert.match(r.stdout, new RegExp(`^${samples} samples of 2 days sent to victoriametrics in [\\d.]+ s, moved by \\d+ days; 0 retries\\n$`));
  await fetch(`${base}/internal/force_flush`);
  // Every sample is within the two days before now.
  const g = 3_600_000;
  const end = Math.floor(Date.now() / g) * g;
  const res = await fetch(`${base}/api/v1/export?match[]=${encodeURIComponent('{__name__=~"system_cpu_util|app_error_rate"}')}&start=${(end - 3 * 86_400_000) / 1000}&end=${end / 1000}`);
  const series = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as { timestamps: number[] });
  assert.equal(series.reduce((n, s) => n + s.timestamps.length, 0), 2 * 24 * 5 * 2);
  const times = series.flatMap((s) => s.timestamps);
  const shift = shiftToNow(sim.endMs, 60, before);
  assert.ok(Math.min(...times) >= sim.startMs + shift && Math.max(...times) < end, 'the last sample is in the last hour before now');
});

test('replay: bad usage exits 2, a destination that refuses exits 1 with its answer', async (t) => {
  const { dir } = await generate(t, { days: 1, hostsPerService: 1, granularityMinutes: 1440, incidentRate: 0, seed: 1 });
  assert.equal((await runInProcess(runReplayCli, ['--sink', 'kafka', '--url', 'http://x'])).code, 2);
  assert.equal((await runInProcess(runReplayCli, ['--sink', 'victoriametrics', '--url', 'ftp://x'])).code, 2);
  assert.equal((await runInProcess(runReplayCli, ['--sink', 'victoriametrics', '--url', 'http://127.0.0.1:1', '--header', 'nocolon'])).code, 2);
  assert.equal((await runInProcess(runReplayCli, ['--sink', 'victoriametrics', '--url', 'http://127.0.0.1:1', '--dataset', '/nonexistent'])).code, 2);
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(400).end('cannot parse'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const refused = await runInProcess(runReplayCli, ['--sink', 'prometheus-remote-write', '--url', `${url}/api/v1/write`, '--dataset', dir]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /replay: the destination refused the batch: 400 cannot parse/);
});
