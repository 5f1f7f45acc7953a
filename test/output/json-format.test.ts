import fc from 'fast-check';
import { INCIDENT_TYPES } from '../../src/core/incident-types.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dayFormatter, isoMillis, isoSeconds } from '../../src/core/time.ts';
import { logJson, metricJson, num2, num3, spanJson } from '../../src/output/json-format.ts';

const cents = fc.integer({ min: 0, max: 10_000_000 }).map((c) => Math.round(c) / 100);
const micros = fc.integer({ min: 0, max: 100_000_000 }).map((us) => us / 1000);

test('numbers are written exactly as JSON.stringify writes them', () => {
  fc.assert(fc.property(cents, (v) => num2(v) === JSON.stringify(v)), { numRuns: 20_000 });
  fc.assert(fc.property(micros, (v) => num3(v) === JSON.stringify(v)), { numRuns: 20_000 });
  for (const v of [0, 0.01, 0.1, 1, 99.99, 100, 1234.5]) assert.equal(num2(v), JSON.stringify(v));
  // Values the generator never makes still come out right, through the generic path.
  for (const v of [-1.5, 1e20, 0.123456]) assert.equal(num3(v), JSON.stringify(v));
});

test('records are written exactly as JSON.stringify writes them', () => {
  // annotateRecords appends incident_id and incident_type to a row, or nothing.
  const label = fc.option(fc.record({ incident_id: fc.uuid(), incident_type: fc.constantFrom(...INCIDENT_TYPES) }), { nil: undefined });
  const labeled = <T extends object>(arb: fc.Arbitrary<T>): fc.Arbitrary<T> => fc.tuple(arb, label).map(([r, l]) => (l ? { ...r, ...l } : r));
  const name = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/);
  const metric = fc.record({
    timestamp: fc.constant('2024-06-14T00:15:00Z'),
    host_id: name,
    service: name,
    region: name,
    metrics: fc.record({
      'system.cpu.util': cents,
      'system.mem.util': cents,
      'net.latency.ms': cents,
      'app.error_rate': cents,
      'app.request_count': fc.integer({ min: 0, max: 100_000 }),
      'net.packet_loss.pct': cents,
      'db.connection_pool.util': cents,
      'resource.pool.util': cents,
    }),
  });
  fc.assert(fc.property(labeled(metric), (m) => metricJson(m) === JSON.stringify(m)), { numRuns: 2000 });
  const attrs = fc.record(
    { 'http.method': fc.constantFrom('GET', 'POST'), 'host.name': name, 'cloud.region': name, 'peer.service': name, 'error.type': fc.string() },
    { requiredKeys: ['http.method', 'host.name', 'cloud.region'] },
  );
  const span = fc.record({
    trace_id: fc.stringMatching(/^[0-9a-f]{32}$/),
    span_id: fc.stringMatching(/^[0-9a-f]{16}$/),
    parent_span_id: fc.option(fc.stringMatching(/^[0-9a-f]{16}$/), { nil: null }),
    timestamp: fc.constant('2024-06-14T00:15:00.123Z'),
    service_name: name,
    operation: fc.string(),
    duration_ms: micros,
    status_code: fc.constantFrom(200, 500, 502, 503, 504),
    attributes: attrs,
  });
  fc.assert(fc.property(labeled(span), (s) => spanJson(s) === JSON.stringify(s)), { numRuns: 2000 });
  const log = fc.record({
    timestamp: fc.constant('2024-06-14T00:15:00.123Z'),
    level: fc.constantFrom('INFO' as const, 'WARNING' as const, 'ERROR' as const),
    service: name,
    host: name,
    trace_id: fc.stringMatching(/^[0-9a-f]{32}$/),
    span_id: fc.stringMatching(/^[0-9a-f]{16}$/),
    message: fc.string({ unit: 'binary' }),
  });
  fc.assert(fc.property(labeled(log), (l) => logJson(l) === JSON.stringify(l)), { numRuns: 2000 });
});

test('the day formatter writes what toISOString writes', () => {
  const day = Date.UTC(2024, 5, 14);
  const f = dayFormatter(day);
  fc.assert(
    fc.property(fc.integer({ min: -86_400_000, max: 2 * 86_400_000 }), (offset) => f.millis(day + offset) === isoMillis(day + offset) && f.seconds(day + offset) === isoSeconds(day + offset)),
    { numRuns: 20_000 },
  );
});
