import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, normalizeConfig, TOPOLOGIES, totalHosts, type GenerationConfigInput } from '../../src/core/config.ts';
import { generateDay } from '../../src/core/day.ts';
import { DIFFICULTY_PRESETS } from '../../src/core/difficulty.ts';
import { createSimulation, dayRng } from '../../src/core/simulation.ts';
import { dayFiles } from '../../src/output/json-writer.ts';
import { config, generate, readDay } from '../helpers/dataset.ts';

test('each topology preset is a valid graph with its data stores, and the catalog records it', () => {
  const expect = { default: [5, 25], 'online-boutique': [11, 20], 'sock-shop': [15, 22], 'train-ticket': [69, 81] } as const;
  for (const topology of TOPOLOGIES) {
    const c = normalizeConfig({ topology }, 1);
    assert.equal(c.topology, topology);
    assert.deepEqual([c.services.length, totalHosts(c)], expect[topology], topology);
    assert.ok(c.services.some((s) => s.kind === 'database' || s.kind === 'cache'), `${topology} has a data store`);
  }
  const ob = normalizeConfig({ topology: 'online-boutique' }, 1);
  assert.deepEqual(ob.services.find((s) => s.name === 'cartservice')?.calls, ['redis-cart']);
  assert.equal(ob.services.find((s) => s.name === 'redis-cart')?.kind, 'cache');
  const tt = normalizeConfig({ topology: 'train-ticket' }, 1);
  assert.ok(tt.services.find((s) => s.name === 'ts-preserve-service')?.calls.includes('ts-seat-service'));
  // hostsPerService replaces the preset's counts; a config's own services replace the preset's.
  assert.equal(totalHosts(normalizeConfig({ topology: 'sock-shop', hostsPerService: 2 }, 1)), 30);
  const own = normalizeConfig({ topology: 'sock-shop', services: [{ name: 'a', calls: ['b'] }, { name: 'b', kind: 'database', hosts: 3 }] }, 1);
  assert.deepEqual(own.services, [{ name: 'a', calls: ['b'], kind: 'app', hosts: 5 }, { name: 'b', calls: [], kind: 'database', hosts: 3 }]);
  const sim = createSimulation(config({ topology: 'sock-shop', days: 1, seed: 3 }));
  assert.equal(sim.topology.hosts.length, 22);
});

test('difficulty presets fill the knobs, a knob can be set alone, and a bad knob is named', () => {
  assert.deepEqual(normalizeConfig({}, 1).knobs, DIFFICULTY_PRESETS.easy);
  assert.deepEqual(normalizeConfig({ difficulty: 'hard' }, 1).knobs, DIFFICULTY_PRESETS.hard);
  assert.deepEqual(normalizeConfig({ difficulty: 'hard', knobs: { decoysPerDay: 0 } }, 1).knobs, { ...DIFFICULTY_PRESETS.hard, decoysPerDay: 0 });
  assert.deepEqual(normalizeConfig({ knobs: { effectScale: 0.5 } }, 1).knobs, { ...DIFFICULTY_PRESETS.easy, effectScale: 0.5 });
  assert.throws(
    () => normalizeConfig({ knobs: { effectScale: 2, loud: 1 } }, 1),
    (e: unknown) => e instanceof ConfigError && e.issues.some((i) => i.field === '/knobs/effectScale') && e.issues.some((i) => i.field === '/knobs/loud' && /onsetMinutes/.test(i.message)),
  );
});

const HARD: GenerationConfigInput = { topology: 'sock-shop', difficulty: 'hard', days: 3, seed: 11, incidentRate: 2 };

test('at hard, every day rendered alone equals the written files (byte renderer = records)', async (t) => {
  const full = await generate(t, HARD);
  const sim = createSimulation(config(HARD));
  for (let d = HARD.days as number - 1; d >= 0; d--) {
    for (const [path, data] of dayFiles(sim, generateDay(dayRng(sim, d), sim, d))) {
      assert.equal(data, await readFile(join(full.dir, path), 'utf8'), `${path} differs when rendered alone`);
    }
  }
});

test('several root causes at once: both services are indicators, both are labeled root_cause', async (t) => {
  const { dir, catalog } = await generate(t, { topology: 'online-boutique', days: 2, seed: 5, incidentRate: 3, knobs: { multiRootShare: 1 } });
  const primaries = catalog.incidents.filter((i) => i.is_primary && i.target_service !== null);
  assert.ok(primaries.length > 2);
  for (const p of primaries) {
    const services = p.root_cause_indicators.map((r) => r.service);
    assert.equal(new Set(services).size, 2, `${p.id} names two services`);
    assert.ok(p.root_cause_indicators.every((r) => r.metric === p.root_cause.metric));
    assert.deepEqual(new Set(p.affected_services), new Set(services));
  }
  const roles = new Map<string, Set<string>>();
  for (const date of ['2024-06-01', '2024-06-02']) {
    const rows = JSON.parse(await readFile(join(dir, 'metadata/labels/2024-06', `labels_${date}.json`), 'utf8')) as { service: string; incidents: { incident_id: string; role: string }[] }[];
    for (const r of rows) for (const i of r.incidents) if (i.role === 'root_cause') (roles.get(i.incident_id) ?? roles.set(i.incident_id, new Set()).get(i.incident_id))?.add(r.service);
  }
  for (const p of primaries) if (roles.has(p.id)) assert.deepEqual(roles.get(p.id), new Set(p.root_cause_indicators.map((r) => r.service)));
});

test('decoys are listed in the catalog, move the metrics, and are in no label', async (t) => {
  const base: GenerationConfigInput = { days: 2, seed: 9, incidentRate: 0 };
  const quiet = await generate(t, base);
  const { dir, catalog } = await generate(t, { ...base, knobs: { decoysPerDay: 6 } });
  assert.ok(catalog.decoys.length >= 4, `${catalog.decoys.length} decoys`);
  assert.deepEqual(quiet.catalog.decoys, []);
  for (const date of ['2024-06-01', '2024-06-02']) {
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'metadata/labels/2024-06', `labels_${date}.json`), 'utf8')), [], 'no incident, so no label');
  }
  const events = [...(await readDay(dir, 'events', '2024-06-01')), ...(await readDay(dir, 'events', '2024-06-02'))];
  for (const d of catalog.decoys.filter((x) => x.kind === 'TRANSIENT_DEPLOYMENT')) {
    assert.ok(events.some((e) => e.event_id === d.event_id && e.type === 'DEPLOYMENT' && e.service === d.service && e.timestamp === d.start_time), `deployment ${d.event_id}`);
  }
  // A noisy neighbour's host runs hotter than without it, at the same seed.
  const n = catalog.decoys.find((x) => x.kind === 'NOISY_NEIGHBOUR' || x.kind === 'WORKLOAD_SHIFT');
  assert.ok(n);
  const date = n.start_time.slice(0, 10);
  const at = (rows: Record<string, unknown>[]): number => {
    const row = rows.find((r) => r.host_id === n.hosts[0] && r.timestamp === n.start_time) as { metrics: Record<string, number> };
    return row.metrics['system.cpu.util'] as number;
  };
  assert.ok(at(await readDay(dir, 'metrics', date)) > at(await readDay(quiet.dir, 'metrics', date)));
});

test('observability gaps: traces sampled, some services without logs', async (t) => {
  const base: GenerationConfigInput = { days: 1, seed: 4, topology: 'sock-shop' };
  const all = await generate(t, base);
  const gaps = await generate(t, { ...base, knobs: { traceSampling: 0.25, missingLogsShare: 0.4 } });
  const roots = (rows: Record<string, unknown>[]): number => rows.filter((s) => s.parent_span_id === null).length;
  const full = roots(await readDay(all.dir, 'traces', '2024-06-01'));
  const kept = roots(await readDay(gaps.dir, 'traces', '2024-06-01'));
  assert.ok(kept > 0.15 * full && kept < 0.35 * full, `${kept} of ${full} traces kept`);
  const logServices = new Set((await readDay(gaps.dir, 'logs', '2024-06-01')).map((l) => l.service));
  const spanServices = new Set((await readDay(gaps.dir, 'traces', '2024-06-01')).map((s) => s.service_name));
  assert.equal(spanServices.size - logServices.size, 6, 'round(0.4 × 15) services ship no logs');
});

test('detected_at is the first alert of the incident, never before its start', async (t) => {
  // The incident's own alert (its signature metric on its target host); storm alerts are symptoms'.
  const { dir, catalog } = await generate(t, { days: 3, seed: 21, incidentRate: 2, annotateRecords: true, difficulty: 'realistic', knobs: { alertStorms: false } });
  const alerts = new Map<string, string>();
  for (const date of ['2024-06-01', '2024-06-02', '2024-06-03']) {
    for (const e of await readDay(dir, 'events', date)) if (e.type === 'ALERT_TRIGGER' && !alerts.has(e.incident_id as string)) alerts.set(e.incident_id as string, e.timestamp as string);
  }
  assert.ok(alerts.size > 2);
  for (const inc of catalog.incidents) {
    assert.equal(inc.detected_at, alerts.get(inc.id) ?? null, inc.id);
    if (inc.detected_at) assert.ok(inc.detected_at >= inc.start_time);
  }
});

test('alert storms: the extra alerts come from symptom-only host-intervals above the rule', async (t) => {
  const base: GenerationConfigInput = { days: 2, seed: 8, incidentRate: 3, topology: 'sock-shop' };
  const calm = await generate(t, base);
  const storm = await generate(t, { ...base, knobs: { alertStorms: true } });
  let extra = 0;
  for (const date of ['2024-06-01', '2024-06-02']) {
    const ids = new Set((await readDay(calm.dir, 'events', date)).map((e) => e.event_id));
    const labels = JSON.parse(await readFile(join(storm.dir, 'metadata/labels/2024-06', `labels_${date}.json`), 'utf8')) as { timestamp: string; host_id: string; incidents: { role: string }[] }[];
    const metrics = await readDay<{ timestamp: string; host_id: string; metrics: Record<string, number> }>(storm.dir, 'metrics', date);
    for (const e of await readDay(storm.dir, 'events', date)) {
      if (ids.has(e.event_id)) continue;
      extra++;
      assert.equal(e.type, 'ALERT_TRIGGER');
      const label = labels.find((l) => l.timestamp === e.timestamp && l.host_id === e.source);
      assert.ok(label && label.incidents.every((i) => i.role === 'symptom'), `${String(e.source)} at ${String(e.timestamp)} is a symptom`);
      const m = metrics.find((r) => r.timestamp === e.timestamp && r.host_id === e.source);
      assert.equal(m?.metrics['app.error_rate'], e.current_value);
      assert.ok((e.current_value as number) > (e.threshold_value as number));
    }
  }
  assert.ok(extra > 0, 'the storm adds alerts');
});

/** Every string of every data row (labels and catalog excluded), with where it was found. */
async function* dataStrings(dir: string): AsyncGenerator<[string, string]> {
  for (const signal of ['metrics', 'events', 'logs', 'traces']) {
    for (const month of await readdir(join(dir, signal))) {
      for (const f of await readdir(join(dir, signal, month))) {
        const walk = function* (v: unknown, path: string): Generator<[string, string]> {
          if (typeof v === 'string') yield [v, path];
          else if (Array.isArray(v)) for (const [i, x] of v.entries()) yield* walk(x, `${path}[${i}]`);
          else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) yield* walk(x, `${path}.${k}`);
        };
        yield* walk(JSON.parse(await readFile(join(dir, signal, month, f), 'utf8')), f);
      }
    }
  }
}

/** The places a data string holds a catalog id or a prefix of one of 6 characters or more. */
async function leaks(dir: string, ids: readonly string[]): Promise<string[]> {
  const prefixes = new Set(ids.map((id) => id.slice(0, 6)));
  const found: string[] = [];
  for await (const [text, where] of dataStrings(dir)) {
    for (let i = 0; i + 6 <= text.length; i++) {
      const window = text.slice(i, i + 6);
      if (!prefixes.has(window)) continue;
      // Random ids of other things (trace, span, event ids) can share 6 hex digits by chance; a leak
      // goes on with the id's next characters, so a match must continue as far as the text does.
      const id = ids.find((x) => x.startsWith(window)) as string;
      let n = 6;
      while (i + n < text.length && n < id.length && text[i + n] === id[n]) n++;
      if (n >= 8 || i + n === text.length || !/[0-9a-f]/.test(text[i + n] as string) || n === id.length) found.push(`${where}: ${text}`);
    }
  }
  return found;
}

test('no data row carries a catalog id or a prefix of one, at any difficulty, unless annotateRecords', async (t) => {
  for (const difficulty of ['easy', 'hard'] as const) {
    const { dir, catalog } = await generate(t, { days: 3, seed: 31, incidentRate: 3, difficulty, topology: 'online-boutique' });
    const ids = catalog.incidents.map((i) => i.id);
    assert.ok(ids.length > 5);
    assert.deepEqual(await leaks(dir, ids), [], difficulty);
  }
  // The scan finds them when they are there.
  const annotated = await generate(t, { days: 1, seed: 31, incidentRate: 3, annotateRecords: true });
  assert.ok((await leaks(annotated.dir, annotated.catalog.incidents.map((i) => i.id))).length > 0);
});
