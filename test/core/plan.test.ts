import assert from 'node:assert/strict';
import { test } from 'node:test';
import { INCIDENT_TYPES } from '../../src/core/incident-types.ts';
import { createSimulation } from '../../src/core/simulation.ts';
import { MINUTE_MS } from '../../src/core/time.ts';
import { config } from '../helpers/dataset.ts';

const BUSY = { days: 30, hostsPerService: 4, incidentRate: 4, seed: 11 } as const;

test('a cascade goes from the failing service to its callers, one hop per configured delay', () => {
  const sim = createSimulation(config({ ...BUSY, cascadeDelayMinutes: 20 }));
  const cascaded = sim.plan.incidents.filter((i) => !i.isPrimary);
  assert.ok(cascaded.length > 20, `enough cascades to judge (${cascaded.length})`);
  for (const inc of cascaded) {
    const parent = sim.plan.byId.get(inc.parentId as string);
    assert.ok(parent, 'parent exists');
    const caller = sim.topology.serviceByName.get(inc.targetService as string);
    // The child's service calls the parent's service: failures travel callee -> caller.
    assert.ok(caller?.calls.includes(parent.targetService as string), `${inc.targetService} calls ${parent.targetService}`);
    assert.equal(inc.startMs - parent.startMs, 20 * MINUTE_MS);
    assert.equal(inc.endMs - parent.endMs, 20 * MINUTE_MS);
    assert.deepEqual(inc.propagationPath, [...parent.propagationPath, inc.targetService]);
    assert.equal(inc.hop, parent.hop + 1);
    assert.ok(parent.children.includes(inc.id));
    const primary = sim.plan.byId.get(inc.primaryId);
    assert.ok(primary?.isPrimary);
    assert.equal(inc.propagationPath[0], primary.targetService);
  }
});

test('a failing inventory-db cascades to the services that call it, then to web-frontend', () => {
  const sim = createSimulation(config({ ...BUSY, incidentMix: { DB_CONTENTION: 1 } }));
  const primaries = sim.plan.incidents.filter((i) => i.isPrimary);
  assert.ok(primaries.length > 0);
  for (const p of primaries) assert.equal(p.targetService, 'inventory-db', 'DB contention starts on the database');
  const hop1 = new Set(sim.plan.incidents.filter((i) => i.hop === 1).map((i) => i.targetService));
  const hop2 = new Set(sim.plan.incidents.filter((i) => i.hop === 2).map((i) => i.targetService));
  assert.deepEqual([...hop1].sort(), ['auth-service', 'payment-gateway', 'recommendation-engine']);
  assert.deepEqual([...hop2], ['web-frontend']);
  assert.ok(!sim.plan.incidents.some((i) => !i.isPrimary && i.targetService === 'inventory-db'), 'nothing cascades down to the callee');
});

test('a service is reached once per cascade, by its shortest path', () => {
  const sim = createSimulation(config({ ...BUSY, incidentMix: { CASCADING_FAILURE: 1 } }));
  const families = new Map<string, string[]>();
  for (const inc of sim.plan.incidents) families.set(inc.primaryId, [...(families.get(inc.primaryId) ?? []), inc.targetService as string]);
  for (const services of families.values()) assert.equal(new Set(services).size, services.length);
});

test('a partial outage hits a fixed strict subset of the service, for the whole incident', () => {
  const sim = createSimulation(config({ ...BUSY, incidentMix: { CPU_SATURATION: 1, MEMORY_LEAK: 1, NETWORK_PACKET_LOSS: 1 } }));
  for (const inc of sim.plan.incidents.filter((i) => i.isPrimary)) {
    const service = sim.topology.serviceByName.get(inc.targetService as string);
    assert.ok(service);
    assert.ok(inc.hosts.length >= 1 && inc.hosts.length < service.hosts.length, `${inc.hosts.length} of ${service.hosts.length}`);
    for (const h of inc.hosts) assert.equal(sim.topology.hostById.get(h)?.service, service.name);
  }
});

test('a network partition takes every host of one region', () => {
  const sim = createSimulation(config({ ...BUSY, incidentMix: { NETWORK_PARTITION: 1 } }));
  const primaries = sim.plan.incidents.filter((i) => i.isPrimary);
  assert.ok(primaries.length > 0);
  for (const inc of primaries) {
    assert.equal(inc.targetService, null);
    const region = inc.targetRegion as string;
    assert.deepEqual(inc.hosts, sim.topology.hosts.filter((h) => h.region === region).map((h) => h.id));
  }
});

test('incident types land where they make sense', () => {
  const sim = createSimulation(config({ ...BUSY, days: 60 }));
  const seen = new Set(sim.plan.incidents.map((i) => i.type));
  for (const t of INCIDENT_TYPES) assert.ok(seen.has(t), `${t} occurs in 60 busy days`);
  for (const inc of sim.plan.incidents.filter((i) => i.isPrimary)) {
    if (inc.type === 'DB_CONTENTION') assert.equal(inc.targetService, 'inventory-db');
    if (inc.type === 'DEPENDENCY_DEGRADATION' || inc.type === 'CASCADING_FAILURE') assert.notEqual(inc.targetService, 'web-frontend', 'has callers to degrade');
    if (inc.type === 'MEMORY_LEAK') assert.ok((inc.oomMs as number) > inc.startMs && (inc.oomMs as number) < inc.endMs);
  }
});

test('overlapping incidents of different cascades name each other', () => {
  const sim = createSimulation(config(BUSY));
  const withOverlap = sim.plan.incidents.filter((i) => i.overlaps.length > 0);
  assert.ok(withOverlap.length > 0, 'a busy month has overlaps');
  for (const a of sim.plan.incidents) {
    for (const b of sim.plan.incidents) {
      if (a === b) continue;
      const intersect = a.startMs < b.endMs && b.startMs < a.endMs && a.primaryId !== b.primaryId;
      assert.equal(a.overlaps.includes(b.id), intersect, `${a.id} / ${b.id}`);
    }
  }
});

test('the plan indexes each incident under every day it touches', () => {
  const sim = createSimulation(config(BUSY));
  const crossing = sim.plan.incidents.filter((i) => Math.floor((i.startMs - sim.startMs) / 86_400_000) !== Math.floor((i.endMs - 1 - sim.startMs) / 86_400_000));
  assert.ok(crossing.length > 0, 'some incidents cross midnight');
  for (const inc of crossing) {
    const first = Math.floor((inc.startMs - sim.startMs) / 86_400_000);
    if (first + 1 >= sim.config.days) continue;
    assert.ok(sim.plan.byDay[first]?.includes(inc));
    assert.ok(sim.plan.byDay[first + 1]?.includes(inc));
  }
});
