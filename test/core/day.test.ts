import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventRecord, LogRecord, MetricRecord, SpanRecord } from '../../src/core/records.ts';
import { EVENT_TYPES } from '../../src/core/records.ts';
import { generate, readAll, readDay } from '../helpers/dataset.ts';

const BUSY = { days: 4, hostsPerService: 3, incidentRate: 4, seed: 5 } as const;
const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const ISO_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

test('every trace is a tree of spans that follows the call graph', async (t) => {
  const { dir, sim } = await generate(t, BUSY);
  const spans = await readAll<SpanRecord>(dir, sim, 'traces');
  assert.ok(spans.length > 1000);
  const traces = new Map<string, SpanRecord[]>();
  for (const s of spans) traces.set(s.trace_id, [...(traces.get(s.trace_id) ?? []), s]);
  let multiSpan = 0;
  let failedRoots = 0;
  for (const [traceId, group] of traces) {
    assert.match(traceId, /^[0-9a-f]{32}$/);
    const byId = new Map(group.map((s) => [s.span_id, s]));
    assert.equal(byId.size, group.length, 'span ids unique within a trace');
    const roots = group.filter((s) => s.parent_span_id === null);
    assert.equal(roots.length, 1, 'exactly one root');
    const root = roots[0] as SpanRecord;
    assert.ok(sim.topology.entryServices.some((e) => e.name === root.service_name), 'requests enter at an entry service');
    if (group.length > 1) multiSpan++;
    if (root.status_code >= 500) failedRoots++;
    for (const s of group) {
      assert.match(s.span_id, /^[0-9a-f]{16}$/);
      assert.match(s.timestamp, ISO_MILLIS);
      if (s.parent_span_id === null) continue;
      const parent = byId.get(s.parent_span_id);
      assert.ok(parent, 'parent is in the same trace');
      // The edge parent -> child is a call of the graph.
      assert.ok(sim.topology.serviceByName.get(parent.service_name)?.calls.includes(s.service_name), `${parent.service_name} -> ${s.service_name}`);
      assert.equal(s.attributes['peer.service'], parent.service_name);
      const start = Date.parse(s.timestamp);
      const pStart = Date.parse(parent.timestamp);
      assert.ok(start >= pStart, 'child starts inside its parent');
      assert.ok(start + s.duration_ms <= pStart + parent.duration_ms + 1e-6, 'child ends inside its parent');
    }
    // Walk up from every span: reaches the root without a cycle.
    for (const s of group) {
      let cur: SpanRecord | undefined = s;
      for (let hops = 0; cur && cur.parent_span_id !== null; hops++) {
        assert.ok(hops < group.length);
        cur = byId.get(cur.parent_span_id);
      }
      assert.equal(cur, root);
    }
  }
  assert.ok(multiSpan / traces.size > 0.9, 'requests fan out over several services');
  assert.ok(failedRoots > 0, 'some requests fail in a busy dataset');
});

test('a failed callee that is not recovered by the retry fails its caller', async (t) => {
  const { dir, sim } = await generate(t, { ...BUSY, incidentMix: { CASCADING_FAILURE: 1, DB_CONTENTION: 1 } });
  const spans = await readAll<SpanRecord>(dir, sim, 'traces');
  const children = new Map<string, SpanRecord[]>();
  for (const s of spans) if (s.parent_span_id) children.set(s.parent_span_id, [...(children.get(s.parent_span_id) ?? []), s]);
  let checked = 0;
  for (const s of spans) {
    const kids = children.get(s.span_id) ?? [];
    const byService = new Map<string, SpanRecord[]>();
    for (const k of kids) byService.set(k.service_name, [...(byService.get(k.service_name) ?? []), k]);
    for (const calls of byService.values()) {
      const last = calls[calls.length - 1] as SpanRecord;
      assert.ok(calls.length <= 2, 'one call and at most one retry');
      if (calls.length === 2) assert.ok((calls[0] as SpanRecord).status_code >= 500, 'a retry follows a failure only');
      if (last.status_code >= 500) {
        assert.ok(s.status_code >= 500, 'the caller fails when its callee failed twice');
        checked++;
      }
    }
  }
  assert.ok(checked > 0, 'unrecovered callee failures occur');
});

test('every log line belongs to a span of the same day and carries its trace and span ids', async (t) => {
  const { dir, sim } = await generate(t, BUSY);
  for (let d = 0; d < sim.config.days; d++) {
    const date = new Date(sim.startMs + d * 86_400_000).toISOString().slice(0, 10);
    const spans = await readDay<SpanRecord>(dir, 'traces', date);
    const logs = await readDay<LogRecord>(dir, 'logs', date);
    const byId = new Map(spans.map((s) => [s.span_id, s]));
    assert.equal(logs.length, spans.length, 'one log line per span');
    let prev = '';
    for (const l of logs) {
      const span = byId.get(l.span_id);
      assert.ok(span, 'span exists');
      assert.equal(l.trace_id, span.trace_id);
      assert.equal(l.host, span.attributes['host.name']);
      assert.equal(l.service, span.service_name);
      assert.equal(l.level === 'ERROR', span.status_code >= 500, 'ERROR lines are exactly the failed spans');
      assert.match(l.timestamp, ISO_MILLIS);
      assert.equal(l.timestamp.slice(0, 10), date);
      assert.ok(l.timestamp >= prev, 'logs in time order');
      prev = l.timestamp;
    }
  }
});

test('metrics: one record per host and interval, ISO UTC timestamps, values in range', async (t) => {
  const { dir, sim } = await generate(t, { ...BUSY, days: 2, granularityMinutes: 30 });
  const metrics = await readAll<MetricRecord>(dir, sim, 'metrics');
  assert.equal(metrics.length, 2 * 48 * sim.topology.hosts.length);
  for (const m of metrics) {
    assert.match(m.timestamp, ISO_SECONDS);
    assert.equal(sim.topology.hostById.get(m.host_id)?.service, m.service);
    for (const key of ['system.cpu.util', 'system.mem.util', 'app.error_rate', 'net.packet_loss.pct', 'db.connection_pool.util', 'resource.pool.util'] as const) {
      assert.ok(m.metrics[key] >= 0 && m.metrics[key] <= 100, `${key} = ${m.metrics[key]}`);
    }
    assert.ok(Number.isInteger(m.metrics['app.request_count']));
    assert.ok(m.metrics['net.latency.ms'] > 0);
  }
});

test('events: all eleven types, ISO UTC, in time order, one INCIDENT_RESOLVED per incident that ends in range', async (t) => {
  const { dir, sim, catalog } = await generate(t, { ...BUSY, days: 8, incidentMix: { MEMORY_LEAK: 3, DB_CONTENTION: 1, CASCADING_FAILURE: 1 }, annotateRecords: true });
  const events = await readAll<EventRecord>(dir, sim, 'events');
  const types = new Set(events.map((e) => e.type));
  for (const type of EVENT_TYPES) assert.ok(types.has(type), `${type} present`);
  for (let i = 1; i < events.length; i++) assert.ok((events[i] as EventRecord).timestamp >= (events[i - 1] as EventRecord).timestamp);
  for (const e of events) assert.match(e.timestamp, ISO_SECONDS);
  const resolved = events.filter((e) => e.type === 'INCIDENT_RESOLVED');
  const ended = catalog.incidents.filter((i) => i.status === 'RESOLVED');
  assert.deepEqual(resolved.map((e) => e.incident_id).sort(), ended.map((i) => i.id).sort());
  for (const e of resolved) assert.equal(e.timestamp, catalog.incidents.find((i) => i.id === e.incident_id)?.end_time);
  for (const inc of catalog.incidents.filter((i) => i.status === 'ONGOING')) assert.ok(inc.end_time > new Date(sim.endMs).toISOString());
});

test('CASCADE_TRIGGER names the failing dependency; ALERT_TRIGGER reports the metric above its threshold', async (t) => {
  const { dir, sim, catalog } = await generate(t, { ...BUSY, annotateRecords: true });
  const events = await readAll<EventRecord>(dir, sim, 'events');
  const metrics = await readAll<MetricRecord>(dir, sim, 'metrics');
  const byId = new Map(catalog.incidents.map((i) => [i.id, i]));
  const cascades = events.filter((e) => e.type === 'CASCADE_TRIGGER');
  assert.ok(cascades.length > 0);
  for (const e of cascades) {
    const inc = byId.get(e.incident_id as string);
    const parent = byId.get(inc?.parent_incident_id as string);
    assert.ok(inc && parent);
    assert.equal(e.service, inc.target_service);
    assert.equal(e.upstream_service, parent.target_service);
    assert.equal(e.timestamp, inc.start_time);
  }
  const alerts = events.filter((e) => e.type === 'ALERT_TRIGGER');
  assert.ok(alerts.length > 0);
  const metricAt = new Map(metrics.map((m) => [`${m.timestamp}|${m.host_id}`, m.metrics]));
  for (const a of alerts) {
    assert.ok((a.current_value as number) > (a.threshold_value as number), 'above threshold');
    const row = metricAt.get(`${a.timestamp}|${a.source as string}`) as Record<string, number> | undefined;
    assert.ok(row, 'the alerting host has a metric at the alert time');
    assert.equal(row[a.metric as string], a.current_value, 'the alert reports the metric as recorded');
    const inc = byId.get(a.incident_id as string);
    assert.ok(inc && a.timestamp >= inc.start_time && a.timestamp < inc.end_time, 'alert inside the incident window');
  }
});

test('an incident that runs past midnight shows in both days and stays whole in the catalog', async (t) => {
  const { dir, catalog } = await generate(t, { days: 6, hostsPerService: 2, incidentRate: 3, seed: 8, incidentMix: { CPU_SATURATION: 1 }, annotateRecords: true });
  const crossing = catalog.incidents.filter((i) => i.is_primary && i.crosses_midnight && i.end_time.slice(0, 10) <= '2024-06-06');
  assert.ok(crossing.length > 0, 'a midnight-crossing incident exists');
  let plateaus = 0;
  for (const inc of crossing) {
    assert.ok(inc.start_time.slice(0, 10) < inc.end_time.slice(0, 10), 'catalog keeps the real end');
    const first = inc.start_time.slice(0, 10);
    const next = inc.end_time.slice(0, 10);
    const before = (await readDay<MetricRecord>(dir, 'metrics', first)).find((m) => m.host_id === inc.target_host && m.timestamp === `${first}T23:45:00Z`);
    const after = (await readDay<MetricRecord>(dir, 'metrics', next)).find((m) => m.host_id === inc.target_host && m.timestamp === `${next}T00:00:00Z`);
    const startMs = Date.parse(inc.start_time);
    const endMs = Date.parse(inc.end_time);
    const midnight = Date.parse(`${next}T00:00:00Z`);
    // Only where the ramps are done on both sides of midnight is the plateau guaranteed.
    if (midnight - startMs >= 3_600_000 && endMs - midnight >= 3_600_000) {
      assert.ok((before?.metrics['system.cpu.util'] ?? 0) > 85, `CPU saturated before midnight (${before?.metrics['system.cpu.util']})`);
      assert.ok((after?.metrics['system.cpu.util'] ?? 0) > 85, `CPU saturated after midnight (${after?.metrics['system.cpu.util']})`);
      plateaus++;
    }
    const events = await readDay<EventRecord>(dir, 'events', next);
    assert.ok(events.some((e) => e.type === 'INCIDENT_RESOLVED' && e.incident_id === inc.id), 'resolved on the next day');
  }
  assert.ok(plateaus > 0, 'at least one incident is at full strength on both sides of midnight');
});
