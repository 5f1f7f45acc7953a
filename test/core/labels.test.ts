import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CatalogIncident } from '../../src/core/catalog.ts';
import type { EventRecord, LabelRecord, LogRecord, MetricRecord, SpanRecord } from '../../src/core/records.ts';
import type { Simulation } from '../../src/core/simulation.ts';
import { labelFilePath } from '../../src/output/json-writer.ts';
import { generate, readAll, readJson } from '../helpers/dataset.ts';

const BUSY = { days: 6, hostsPerService: 3, incidentRate: 3, seed: 12 } as const;

async function readLabels(dir: string, sim: Simulation): Promise<LabelRecord[]> {
  const out: LabelRecord[] = [];
  for (let d = 0; d < sim.config.days; d++) {
    const date = new Date(sim.startMs + d * 86_400_000).toISOString().slice(0, 10);
    out.push(...(await readJson<LabelRecord[]>(join(dir, labelFilePath(date)))));
  }
  return out;
}

/** Services that call `service`, directly or through others. */
function upstreamOf(sim: Simulation, service: string): Set<string> {
  const out = new Set<string>();
  const walk = (s: string): void => {
    for (const caller of sim.topology.serviceByName.get(s)?.callers ?? []) {
      if (!out.has(caller)) {
        out.add(caller);
        walk(caller);
      }
    }
  };
  walk(service);
  return out;
}

test('labels: root causes on the incident’s own hosts in its window, symptoms on cascades or upstream callers', async (t) => {
  const { dir, sim, catalog } = await generate(t, BUSY);
  const labels = await readLabels(dir, sim);
  assert.ok(labels.length > 0);
  const byId = new Map(catalog.incidents.map((i) => [i.id, i]));
  const g = sim.config.granularityMinutes * 60_000;
  const seen = new Set<string>();
  let propagated = 0;
  for (const row of labels) {
    assert.equal(sim.topology.hostById.get(row.host_id)?.service, row.service);
    const t0 = Date.parse(row.timestamp);
    for (const l of row.incidents) {
      const inc = byId.get(l.incident_id) as CatalogIncident;
      assert.ok(inc, 'a catalog incident');
      assert.equal(l.incident_type, inc.type);
      assert.equal(l.primary_incident_id, inc.primary_incident_id);
      seen.add(inc.id);
      const direct = inc.affected_hosts.includes(row.host_id);
      if (l.role === 'root_cause') {
        assert.ok(inc.is_primary && direct, 'a root cause is a primary on its own hosts');
      } else if (direct) {
        assert.ok(!inc.is_primary, 'a direct symptom is a cascaded incident');
      } else {
        // Failures passed up the call graph: only callers, never callees (a partition's services are
        // those of its region's hosts).
        propagated++;
        assert.ok(
          inc.affected_services.some((s) => upstreamOf(sim, s).has(row.service)),
          `${row.service} calls one of ${inc.affected_services.join(', ')}`,
        );
      }
      if (direct) assert.ok(t0 < Date.parse(inc.end_time) && t0 + g > Date.parse(inc.start_time), 'inside the window');
    }
  }
  assert.ok(propagated > 0, 'some callers are labeled as symptoms of a callee’s incident');
  for (const inc of catalog.incidents) if (Date.parse(inc.start_time) < sim.endMs) assert.ok(seen.has(inc.id), `${inc.id} has label rows`);
});

test('no label leaks into the data by default; annotateRecords puts the first label on each row', async (t) => {
  const plain = await generate(t, BUSY);
  for (const signal of ['metrics', 'traces', 'logs', 'events'] as const) {
    for (const r of await readAll<Record<string, unknown>>(plain.dir, plain.sim, signal)) {
      for (const f of ['incident_id', 'incident_type', 'primary_incident_id', 'parent_incident_id']) assert.ok(!(f in r), `${signal} row has ${f}`);
    }
  }
  const annotated = await generate(t, { ...BUSY, annotateRecords: true });
  const labels = await readLabels(annotated.dir, annotated.sim);
  const first = new Map(labels.map((l) => [`${l.host_id}|${l.timestamp}`, l.incidents[0]]));
  const metrics = await readAll<MetricRecord>(annotated.dir, annotated.sim, 'metrics');
  let tagged = 0;
  for (const m of metrics) {
    const l = first.get(`${m.host_id}|${m.timestamp}`);
    assert.equal(m.incident_id, l?.incident_id);
    assert.equal(m.incident_type, l?.incident_type);
    if (l) tagged++;
  }
  assert.ok(tagged > 0);
  const spans = await readAll<SpanRecord>(annotated.dir, annotated.sim, 'traces');
  const logs = await readAll<LogRecord>(annotated.dir, annotated.sim, 'logs');
  assert.ok(spans.some((s) => s.incident_id) && logs.some((l) => l.incident_id));
  const events = await readAll<EventRecord>(annotated.dir, annotated.sim, 'events');
  assert.ok(events.filter((e) => e.type === 'ALERT_TRIGGER').every((e) => typeof e.incident_id === 'string'));
  // The annotation adds fields and changes nothing else.
  const plainMetrics = await readAll<MetricRecord>(plain.dir, plain.sim, 'metrics');
  assert.deepEqual(
    metrics.map(({ incident_id: _i, incident_type: _t, ...rest }) => rest),
    plainMetrics,
  );
});

test('a quiet gap precedes every primary on its hosts, and none starts before the gap after the dataset’s start', async (t) => {
  for (const quietGapMinutes of [120, 360]) {
    const { dir, sim, catalog } = await generate(t, { ...BUSY, quietGapMinutes });
    const labels = await readLabels(dir, sim);
    const gap = quietGapMinutes * 60_000;
    const primaries = catalog.incidents.filter((i) => i.is_primary);
    assert.ok(primaries.length > 5);
    for (const inc of primaries) {
      const start = Date.parse(inc.start_time);
      assert.ok(start >= sim.startMs + gap);
      const before = labels.filter((l) => inc.affected_hosts.includes(l.host_id) && Date.parse(l.timestamp) >= start - gap && Date.parse(l.timestamp) < start);
      assert.deepEqual(before, [], `${inc.type} at ${inc.start_time}: its hosts are quiet for ${quietGapMinutes} minutes before`);
    }
  }
});

test('changes as causes: config mismatches always follow a change, others sometimes; harmless changes keep happening', async (t) => {
  const { dir, sim, catalog } = await generate(t, { days: 10, hostsPerService: 2, incidentRate: 2, seed: 4, incidentMix: { CONFIG_MISMATCH: 1, CPU_SATURATION: 1, MEMORY_LEAK: 1, NETWORK_PACKET_LOSS: 1 } });
  const events = await readAll<EventRecord>(dir, sim, 'events');
  const byEventId = new Map(events.map((e) => [e.event_id as string, e]));
  assert.equal(byEventId.size, events.length, 'every event has its own id');
  const primaries = catalog.incidents.filter((i) => i.is_primary);
  for (const inc of primaries.filter((i) => i.type === 'CONFIG_MISMATCH')) assert.ok(inc.caused_by_event_id, 'a config mismatch has a cause');
  for (const inc of primaries.filter((i) => i.type === 'NETWORK_PACKET_LOSS')) assert.equal(inc.caused_by_event_id, null);
  assert.ok(primaries.some((i) => i.type !== 'CONFIG_MISMATCH' && i.caused_by_event_id), 'some CPU or memory incidents follow a deployment');
  const caused = catalog.incidents.filter((i) => i.caused_by_event_id);
  for (const inc of caused) {
    const e = byEventId.get(inc.caused_by_event_id as string);
    assert.ok(e, 'the cause is in the events');
    assert.equal(e.type, inc.caused_by_event_type);
    assert.equal(e.service, inc.target_service);
    const lead = (Date.parse(inc.start_time) - Date.parse(e.timestamp)) / 60_000;
    assert.ok(lead >= 2 && lead <= 20, `the change comes ${lead} minutes before`);
    // It looks like any other change: no field says it caused anything.
    assert.ok(!('incident_id' in e));
  }
  const changes = events.filter((e) => e.type === 'DEPLOYMENT' || e.type === 'CONFIG_CHANGE');
  assert.ok(changes.length > 2 * caused.length, `${changes.length} changes, ${caused.length} of them causes: the rest are distractors`);
});
