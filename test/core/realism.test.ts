import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventRecord, MetricRecord } from '../../src/core/records.ts';
import { generate, readAll } from '../helpers/dataset.ts';

// Two quiet weeks (no incidents): what "normal" looks like.
const QUIET = { days: 14, hostsPerService: 3, incidentRate: 0, seed: 21, signals: ['metrics', 'events'] as ('metrics' | 'events')[] };

function mean(xs: readonly number[]): number {
  return xs.reduce((a, x) => a + x, 0) / xs.length;
}

function pearson(xs: readonly number[], ys: readonly number[]): number {
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * ((ys[i] as number) - my);
    sxx += (x - mx) ** 2;
    syy += ((ys[i] as number) - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

test('normal behaviour: per-host baselines, business hours, quieter weekends, CPU and latency follow load', async (t) => {
  const { dir, sim } = await generate(t, QUIET);
  const metrics = await readAll<MetricRecord>(dir, sim, 'metrics');
  const byHost = new Map<string, MetricRecord[]>();
  for (const m of metrics) byHost.set(m.host_id, [...(byHost.get(m.host_id) ?? []), m]);

  // Each host has its own level: the hosts of one service differ in mean CPU by more than noise.
  const cpuMeans = [...byHost.values()].map((rows) => mean(rows.map((r) => r.metrics['system.cpu.util'])));
  assert.ok(Math.max(...cpuMeans) - Math.min(...cpuMeans) > 5, `host CPU levels ${Math.min(...cpuMeans).toFixed(1)}..${Math.max(...cpuMeans).toFixed(1)}`);

  const hourOf = (r: MetricRecord): number => Number(r.timestamp.slice(11, 13));
  const weekend = (r: MetricRecord): boolean => [0, 6].includes(new Date(r.timestamp).getUTCDay());
  for (const [host, rows] of byHost) {
    const requests = (pred: (r: MetricRecord) => boolean): number => mean(rows.filter(pred).map((r) => r.metrics['app.request_count']));
    // Business hours: the afternoon peak is well above the night trough (weekdays).
    const peak = requests((r) => !weekend(r) && hourOf(r) >= 13 && hourOf(r) < 17);
    const night = requests((r) => !weekend(r) && hourOf(r) >= 1 && hourOf(r) < 5);
    assert.ok(peak > 1.8 * night, `${host}: ${night.toFixed(0)} at night, ${peak.toFixed(0)} in the afternoon`);
    // Weekends are quieter than weekdays at the same hours.
    const weekendPeak = requests((r) => weekend(r) && hourOf(r) >= 13 && hourOf(r) < 17);
    assert.ok(weekendPeak < 0.8 * peak, `${host}: weekend ${weekendPeak.toFixed(0)} vs weekday ${peak.toFixed(0)}`);
    // CPU and latency follow load.
    const load = rows.map((r) => r.metrics['app.request_count']);
    assert.ok(pearson(load, rows.map((r) => r.metrics['system.cpu.util'])) > 0.5, `${host}: CPU follows load`);
    assert.ok(pearson(load, rows.map((r) => r.metrics['net.latency.ms'])) > 0.3, `${host}: latency follows load`);
    // Noise: the values vary from interval to interval.
    const cpu = rows.map((r) => r.metrics['system.cpu.util']);
    assert.ok(new Set(cpu).size > rows.length / 2, `${host}: CPU varies`);
  }
});

test('maintenance windows: weekly per service, traffic drops inside, and the events bracket them', async (t) => {
  const { dir, sim } = await generate(t, QUIET);
  const metrics = await readAll<MetricRecord>(dir, sim, 'metrics');
  const events = (await readAll<EventRecord>(dir, sim, 'events')).filter((e) => e.type === 'MAINTENANCE_WINDOW');
  const started = events.filter((e) => e.status === 'STARTED');
  assert.ok(started.length > 0);
  for (const service of sim.topology.services) {
    const windows = started.filter((e) => (e.affected_services as string[]).includes(service.name));
    // Once a week: two windows in two weeks, not every night.
    assert.equal(windows.length, 2, `${service.name}: ${windows.length} windows in 14 days`);
    for (const w of windows) {
      const from = Date.parse(w.timestamp);
      const done = events.find((e) => e.status === 'COMPLETED' && (e.affected_services as string[]).includes(service.name) && Date.parse(e.timestamp) > from);
      assert.ok(done, 'a COMPLETED event closes it');
      const to = Date.parse(done.timestamp);
      const rows = (a: number, b: number): MetricRecord[] => metrics.filter((m) => m.service === service.name && Date.parse(m.timestamp) >= a && Date.parse(m.timestamp) < b);
      const inside = mean(rows(from, to).map((m) => m.metrics['app.request_count']));
      // The same hours a day earlier, outside any window.
      const dayBefore = mean(rows(from - 86_400_000, to - 86_400_000).map((m) => m.metrics['app.request_count']));
      assert.ok(inside < 0.5 * dayBefore, `${service.name}: ${inside.toFixed(0)} requests in maintenance vs ${dayBefore.toFixed(0)} the day before`);
    }
  }
});
