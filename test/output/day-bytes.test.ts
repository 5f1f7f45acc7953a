import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { GenerationConfigInput } from '../../src/core/config.ts';
import { generateDay } from '../../src/core/day.ts';
import { createSimulation, dayRng } from '../../src/core/simulation.ts';
import { ByteWriter } from '../../src/output/byte-writer.ts';
import { dayFiles, renderDayFiles } from '../../src/output/json-writer.ts';
import { dayFormatFiles } from '../../src/output/formats.ts';
import { config } from '../helpers/dataset.ts';

const text = (w: ByteWriter): string => Buffer.from(w.bytes()).toString('utf8');

test('the byte writer writes numbers, ids and strings as JSON.stringify does', () => {
  const cents = fc.integer({ min: 0, max: 10_000_000_000 }).map((c) => c / 100);
  fc.assert(
    fc.property(cents, (v) => {
      const w = new ByteWriter(64);
      w.num2(v);
      return text(w) === JSON.stringify(Math.round(v * 100) / 100);
    }),
    { numRuns: 20_000 },
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (us) => {
      const w = new ByteWriter(64);
      w.micros(us);
      return text(w) === JSON.stringify(us / 1000);
    }),
    { numRuns: 20_000 },
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => {
      const w = new ByteWriter(64);
      w.int(n);
      return text(w) === String(n);
    }),
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (n) => {
      const w = new ByteWriter(64);
      w.hex8(n);
      return text(w) === n.toString(16).padStart(8, '0');
    }),
  );
  // Free text: plain ASCII fast, anything else (quotes, controls, non-ASCII) as JSON.stringify does.
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (s) => {
      const w = new ByteWriter(8);
      w.str(s);
      return text(w) === JSON.stringify(s);
    }),
    { numRuns: 5000 },
  );
  // Values no incident produces still come out as JSON.stringify writes them.
  for (const v of [-1.5, 1e20]) {
    const w = new ByteWriter(64);
    w.num2(v);
    assert.equal(text(w), JSON.stringify(v));
  }
});

/** Every day of the config rendered both ways: bytes straight from the simulation, and records through JSON.stringify. */
function assertSameBytes(input: GenerationConfigInput): void {
  const sim = createSimulation(config(input));
  for (let d = 0; d < sim.config.days; d++) {
    const reference = dayFiles(sim, generateDay(dayRng(sim, d), sim, d));
    const fast = renderDayFiles(sim, d);
    assert.deepEqual([...fast.keys()].sort(), [...reference.keys()].sort());
    for (const [path, expected] of reference) {
      const got = Buffer.from(fast.get(path) as Uint8Array).toString('utf8');
      assert.ok(got === expected, `${JSON.stringify(input)}: ${path} differs from the records' JSON`);
    }
  }
}

test('day files rendered as bytes are exactly the records serialized by JSON.stringify', () => {
  assertSameBytes({ days: 3, hostsPerService: 2, incidentRate: 4, seed: 3 });
  assertSameBytes({ days: 2, hostsPerService: 2, incidentRate: 4, seed: 4, annotateRecords: true });
  assertSameBytes({ days: 2, granularityMinutes: 5, hostsPerService: 1, incidentRate: 3, seed: 5, tracesPerEntryHost: 3 });
  assertSameBytes({ days: 2, granularityMinutes: 60, incidentRate: 6, seed: 6, incidentMix: { NETWORK_PARTITION: 1, MEMORY_LEAK: 1 } });
  assertSameBytes({ days: 1, seed: 7, signals: ['logs', 'events'] });
  assertSameBytes({ days: 1, seed: 8, tracesPerEntryHost: 0 });
  assertSameBytes({
    days: 2,
    seed: 9,
    incidentRate: 5,
    startDate: '2024-02-28',
    regions: ['r1'],
    services: [{ name: 'edge', calls: ['a', 'b'] }, { name: 'a', calls: ['c'] }, { name: 'b', calls: ['c'] }, { name: 'c' }, { name: 'batch' }],
  });
});

test('a generation thread may reuse its buffers from day to day: the same bytes, and kept bytes stay intact', () => {
  const sim = createSimulation(config({ days: 3, hostsPerService: 2, incidentRate: 4, seed: 11 }));
  const kept = [0, 1, 2].map((d) => renderDayFiles(sim, d));
  const copies = [0, 1, 2].map((d) => new Map([...dayFormatFiles(sim, d, true)].map(([path, bytes]) => [path, Buffer.from(bytes)])));
  // A reused buffer is overwritten by the next day: the caller copies (or writes) before going on.
  const views = [...dayFormatFiles(sim, 0, true)];
  [...dayFormatFiles(sim, 1, true)];
  assert.ok(views.some(([path, bytes]) => !Buffer.from(bytes).equals(kept[0]?.get(path) as Uint8Array)), 'day 0 views were overwritten by day 1');
  for (const d of [0, 1, 2]) {
    const own = kept[d] as Map<string, Uint8Array>;
    assert.deepEqual([...(copies[d] as Map<string, Buffer>).keys()], [...own.keys()]);
    for (const [path, bytes] of own) assert.ok((copies[d] as Map<string, Buffer>).get(path)?.equals(bytes), `day ${d} ${path}`);
  }
  // Bytes rendered without reuse belong to their caller: later renders leave them as they were.
  assert.deepEqual(kept[0], renderDayFiles(sim, 0));
});
