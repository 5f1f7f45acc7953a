import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { CatalogIncident } from '../../src/core/catalog.ts';
import type { IncidentType } from '../../src/core/incident-types.ts';
import type { EventRecord, MetricRecord, SpanRecord } from '../../src/core/records.ts';
import { generate, readAll } from '../helpers/dataset.ts';

type Metrics = MetricRecord['metrics'];
const G = 15 * 60_000;

/** A dataset whose primaries are all of one type, with lookups of a host's metrics at a time. */
async function dataset(t: TestContext, type: IncidentType) {
  const { dir, sim, catalog } = await generate(t, { days: 6, hostsPerService: 3, incidentRate: 1.5, seed: 3, incidentMix: { [type]: 1 } });
  const metrics = await readAll<MetricRecord>(dir, sim, 'metrics');
  const rows = new Map(metrics.map((m) => [`${m.host_id}|${m.timestamp}`, m.metrics]));
  const at = (host: string, ms: number): Metrics | undefined => rows.get(`${host}|${new Date(Math.floor(ms / G) * G).toISOString().slice(0, 19)}Z`);
  const endMs = sim.endMs;
  // Incidents wholly inside the dataset, without another cascade on the same hosts at the same time.
  const primaries = catalog.incidents.filter((i) => i.is_primary && Date.parse(i.end_time) <= endMs && i.overlapping_incidents.length === 0);
  assert.ok(primaries.length > 0, `some ${type} incidents to check`);
  const point = (inc: CatalogIncident, frac: number): number => Date.parse(inc.start_time) + frac * (Date.parse(inc.end_time) - Date.parse(inc.start_time));
  return { dir, sim, catalog, metrics, at, primaries, point };
}

test('MEMORY_LEAK: memory ramps for hours, the process is OOM-killed and memory drops', async (t) => {
  const { dir, sim, at, primaries, point } = await dataset(t, 'MEMORY_LEAK');
  const events = await readAll<EventRecord>(dir, sim, 'events');
  for (const inc of primaries) {
    const oom = Date.parse(inc.oom_kill_time as string);
    for (const host of inc.affected_hosts) {
      const early = at(host, point(inc, 0.15))?.['system.mem.util'] as number;
      const late = at(host, oom - G)?.['system.mem.util'] as number;
      const after = at(host, oom + G)?.['system.mem.util'] as number;
      assert.ok(late > 85, `memory near full before the kill (${late})`);
      assert.ok(late > early + 20, `memory ramps (${early} -> ${late})`);
      assert.ok(after < late - 30, `memory drops after the restart (${late} -> ${after})`);
      assert.ok(events.some((e) => e.type === 'SERVICE_RESTART' && e.host === host && e.reason === 'OOMKilled' && e.timestamp === inc.oom_kill_time));
    }
  }
});

test('CPU_SATURATION: CPU ramps in, plateaus near 100 %, and recovers', async (t) => {
  const { at, primaries, point } = await dataset(t, 'CPU_SATURATION');
  for (const inc of primaries) {
    for (const host of inc.affected_hosts) {
      const mid = at(host, point(inc, 0.5))?.['system.cpu.util'] as number;
      const first = at(host, point(inc, 0))?.['system.cpu.util'] as number;
      const afterEnd = at(host, Date.parse(inc.end_time) + G)?.['system.cpu.util'] as number;
      assert.ok(mid > 90, `plateau ${mid}`);
      assert.ok(first < mid, `ramps in (${first} < ${mid})`);
      assert.ok(afterEnd < 70, `recovers (${afterEnd})`);
    }
  }
});

test('NETWORK_PACKET_LOSS: packet loss on the affected hosts only', async (t) => {
  const { sim, at, primaries, point } = await dataset(t, 'NETWORK_PACKET_LOSS');
  for (const inc of primaries) {
    const mid = point(inc, 0.5);
    for (const host of inc.affected_hosts) assert.ok((at(host, mid)?.['net.packet_loss.pct'] as number) > 2);
    const spared = sim.topology.hosts.filter((h) => h.service === inc.target_service && !inc.affected_hosts.includes(h.id));
    assert.ok(spared.length > 0, 'a partial outage spares some hosts');
    // A healthy network drops a few hundredths of a percent at most.
    for (const h of spared) assert.ok((at(h.id, mid)?.['net.packet_loss.pct'] as number) <= 0.05);
  }
});

test('DB_CONTENTION: the database pool fills up and its callers slow down', async (t) => {
  const { dir, sim, at, primaries, point } = await dataset(t, 'DB_CONTENTION');
  const spans = await readAll<SpanRecord>(dir, sim, 'traces');
  for (const inc of primaries) {
    for (const host of inc.affected_hosts) assert.ok((at(host, point(inc, 0.5))?.['db.connection_pool.util'] as number) > 90);
    const from = point(inc, 0.25);
    const to = point(inc, 0.75);
    const callerSpans = spans.filter((s) => s.service_name === 'payment-gateway');
    const during = callerSpans.filter((s) => Date.parse(s.timestamp) >= from && Date.parse(s.timestamp) < to);
    const before = callerSpans.filter((s) => Date.parse(s.timestamp) < Date.parse(inc.start_time) - 3_600_000);
    const mean = (xs: SpanRecord[]): number => xs.reduce((a, s) => a + s.duration_ms, 0) / xs.length;
    assert.ok(during.length > 0 && before.length > 0);
    assert.ok(mean(during) > 1.5 * mean(before), `callers slower: ${mean(before).toFixed(1)} -> ${mean(during).toFixed(1)} ms`);
  }
});

test('NETWORK_PARTITION: every host of one region loses packets and fails requests', async (t) => {
  const { sim, at, primaries, point } = await dataset(t, 'NETWORK_PARTITION');
  for (const inc of primaries) {
    const mid = point(inc, 0.5);
    for (const h of sim.topology.hosts) {
      const m = at(h.id, mid) as Metrics;
      if (h.region === inc.target_region) {
        assert.ok(m['net.packet_loss.pct'] > 20, `loss in ${h.region}`);
        assert.ok(m['app.error_rate'] > 15, `errors in ${h.region} on ${h.id}: ${m['app.error_rate']} at ${new Date(mid).toISOString()}`);
      } else assert.ok(m['net.packet_loss.pct'] <= 0.05, 'other regions are fine');
    }
  }
});

test('DEPENDENCY_DEGRADATION: latency of the service rises gradually', async (t) => {
  const { at, primaries, point } = await dataset(t, 'DEPENDENCY_DEGRADATION');
  for (const inc of primaries) {
    for (const host of inc.affected_hosts) {
      const before = at(host, point(inc, 0) - 2 * G)?.['net.latency.ms'] as number;
      const early = at(host, point(inc, 0.2))?.['net.latency.ms'] as number;
      const late = at(host, point(inc, 0.7))?.['net.latency.ms'] as number;
      assert.ok(early < late, `gradual (${early} < ${late})`);
      assert.ok(late > 4 * before, `well above normal (${before} -> ${late})`);
    }
  }
});

test('CONFIG_MISMATCH: intermittent errors, bad and good intervals alternate', async (t) => {
  const { at, primaries, point } = await dataset(t, 'CONFIG_MISMATCH');
  for (const inc of primaries) {
    for (const host of inc.affected_hosts) {
      const rates: number[] = [];
      for (let ms = point(inc, 0.2); ms < point(inc, 0.8); ms += G) rates.push(at(host, ms)?.['app.error_rate'] as number);
      assert.ok(rates.some((r) => r > 8), `bursts of errors: ${rates.join(' ')}`);
      assert.ok(rates.some((r) => r < 3), `and quiet spells: ${rates.join(' ')}`);
    }
  }
});

test('RESOURCE_EXHAUSTION: the shared pool fills up to exhaustion', async (t) => {
  const { at, primaries, point } = await dataset(t, 'RESOURCE_EXHAUSTION');
  for (const inc of primaries) {
    for (const host of inc.affected_hosts) {
      const early = at(host, point(inc, 0.1))?.['resource.pool.util'] as number;
      const full = at(host, point(inc, 0.6))?.['resource.pool.util'] as number;
      assert.ok(full > 95 && early < full, `${early} -> ${full}`);
    }
  }
});

test('CASCADING_FAILURE: errors on the root service first, then on its callers, hop by hop', async (t) => {
  const { catalog, at, primaries, point } = await dataset(t, 'CASCADING_FAILURE');
  const byId = new Map(catalog.incidents.map((i) => [i.id, i]));
  let hops = 0;
  for (const inc of primaries) {
    for (const host of inc.affected_hosts) assert.ok((at(host, point(inc, 0.5))?.['app.error_rate'] as number) > 20);
    for (const childId of inc.cascading_incidents) {
      const child = byId.get(childId) as CatalogIncident;
      const start = Date.parse(child.start_time);
      // Before the hop delay has passed the caller is far better off than the root.
      const rootAtStart = at(inc.target_host as string, start - G)?.['app.error_rate'] as number;
      const callerBefore = at(child.target_host as string, start - G)?.['app.error_rate'] as number;
      const callerMid = at(child.target_host as string, point(child, 0.5))?.['app.error_rate'] as number;
      assert.ok(callerBefore < rootAtStart, `root moves first (${rootAtStart} vs ${callerBefore})`);
      assert.ok(callerMid > 10, `caller fails later (${callerMid})`);
      hops++;
    }
  }
  assert.ok(hops > 0);
});
