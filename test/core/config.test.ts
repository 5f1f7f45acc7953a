import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, DEFAULT_SERVICES, normalizeConfig } from '../../src/core/config.ts';

function issuesOf(input: unknown): { field: string; message: string }[] {
  try {
    normalizeConfig(input, 1);
  } catch (e) {
    assert.ok(e instanceof ConfigError, 'throws ConfigError');
    assert.equal(e.code, 'INVALID_CONFIG');
    return [...e.issues];
  }
  assert.fail('config was accepted');
}

test('an empty config gets the original defaults and the fallback seed', () => {
  const c = normalizeConfig({}, 1234);
  assert.equal(c.startDate, '2024-06-01');
  assert.equal(c.days, 365);
  assert.equal(c.granularityMinutes, 15);
  assert.deepEqual(c.regions, ['us-east-1', 'eu-west-1', 'on-prem-dc1']);
  assert.deepEqual(c.services, DEFAULT_SERVICES);
  assert.equal(c.hostsPerService, 5);
  assert.equal(c.seed, 1234);
  assert.deepEqual(c.signals, ['metrics', 'events', 'logs', 'traces']);
});

test('the original call graph: web-frontend calls three services, which all call inventory-db', () => {
  const calls = Object.fromEntries(normalizeConfig({}, 0).services.map((s) => [s.name, s.calls]));
  assert.deepEqual(calls, {
    'web-frontend': ['auth-service', 'payment-gateway', 'recommendation-engine'],
    'auth-service': ['inventory-db'],
    'payment-gateway': ['inventory-db'],
    'inventory-db': [],
    'recommendation-engine': ['inventory-db'],
  });
});

test('a given seed wins over the fallback; signals come out in canonical order', () => {
  const c = normalizeConfig({ seed: 7, signals: ['traces', 'metrics'] }, 99);
  assert.equal(c.seed, 7);
  assert.deepEqual(c.signals, ['metrics', 'traces']);
});

test('a partial incident mix gives the other types weight zero', () => {
  const c = normalizeConfig({ incidentMix: { DB_CONTENTION: 2 } }, 0);
  assert.equal(c.incidentMix.DB_CONTENTION, 2);
  assert.equal(c.incidentMix.MEMORY_LEAK, 0);
});

test('every bad field is named at once, unknown fields with what is allowed', () => {
  const issues = issuesOf({ days: 0, colour: 'red', signals: ['metrics', 'bogus'], granularityMinutes: 7, startDate: '2024-02-30', hostsPerService: 1.5 });
  const fields = issues.map((i) => i.field).sort();
  assert.deepEqual(fields, ['/colour', '/days', '/granularityMinutes', '/hostsPerService', '/signals/1', '/startDate']);
  const byField = new Map(issues.map((i) => [i.field, i.message]));
  assert.match(byField.get('/colour') as string, /not a known field; allowed: startDate, days/);
  assert.match(byField.get('/days') as string, />= 1/);
  assert.match(byField.get('/signals/1') as string, /metrics, events, logs, traces/);
  assert.match(byField.get('/granularityMinutes') as string, /divide a day/);
  assert.match(byField.get('/startDate') as string, /calendar date/);
  assert.match(byField.get('/hostsPerService') as string, /integer/);
});

test('a config that is not an object is rejected', () => {
  assert.deepEqual(issuesOf('days=3').map((i) => i.field), ['/']);
  assert.deepEqual(issuesOf(null).map((i) => i.field), ['/']);
  assert.deepEqual(issuesOf([1]).map((i) => i.field), ['/']);
});

test('bounds: days up to 3660, granularity that divides 1440, seed a uint32', () => {
  assert.deepEqual(issuesOf({ days: 3661 }).map((i) => i.field), ['/days']);
  assert.deepEqual(issuesOf({ seed: -1 }).map((i) => i.field), ['/seed']);
  assert.deepEqual(issuesOf({ seed: 2 ** 32 }).map((i) => i.field), ['/seed']);
  assert.deepEqual(issuesOf({ granularityMinutes: 0 }).map((i) => i.field), ['/granularityMinutes']);
  for (const g of [1, 5, 10, 15, 30, 60, 1440]) assert.equal(normalizeConfig({ granularityMinutes: g }, 0).granularityMinutes, g);
});

test('a call graph with a cycle is rejected with the cycle spelled out', () => {
  const issues = issuesOf({
    services: [
      { name: 'a', calls: ['b'] },
      { name: 'b', calls: ['c'] },
      { name: 'c', calls: ['a'] },
    ],
  });
  assert.equal(issues.length, 1);
  assert.equal(issues[0]?.field, '/services');
  assert.match(issues[0]?.message as string, /cycle: a -> b -> c -> a/);
});

test('unknown callees, self-calls, duplicate names and unknown service fields are rejected', () => {
  const issues = issuesOf({
    services: [
      { name: 'a', calls: ['ghost', 'a'] },
      { name: 'a', calls: [] },
    ],
  });
  const byField = new Map(issues.map((i) => [i.field, i.message]));
  assert.match(byField.get('/services/0/calls/0') as string, /unknown service "ghost"/);
  assert.match(byField.get('/services/0/calls/1') as string, /cannot call itself/);
  assert.match(byField.get('/services/1/name') as string, /duplicates/);
  const extra = issuesOf({ services: [{ name: 'a', replicas: 3 }] });
  assert.deepEqual(extra.map((i) => i.field), ['/services/0/replicas']);
  assert.match(extra[0]?.message as string, /allowed: name, calls, kind, hosts/);
  const kind = issuesOf({ services: [{ name: 'a', kind: 'db' }] });
  assert.deepEqual(kind.map((i) => [i.field, i.message]), [['/services/0/kind', 'must be one of: app, database, cache, queue']]);
});

test('an incident mix without any weight is rejected while incidents are wanted', () => {
  assert.deepEqual(issuesOf({ incidentMix: { DB_CONTENTION: 0 } }).map((i) => i.field), ['/incidentMix']);
  assert.deepEqual(issuesOf({ incidentMix: { NOT_A_TYPE: 1 } }).map((i) => i.field), ['/incidentMix/NOT_A_TYPE']);
  assert.equal(normalizeConfig({ incidentMix: { DB_CONTENTION: 0 }, incidentRate: 0 }, 0).incidentRate, 0);
});
