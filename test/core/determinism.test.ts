import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateDay } from '../../src/core/day.ts';
import { createSimulation, dayRng } from '../../src/core/simulation.ts';
import { dayFiles, serializeRecords } from '../../src/output/json-writer.ts';
import { config, generate, hashDir, listFiles, readDay } from '../helpers/dataset.ts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const SMALL = { days: 3, hostsPerService: 2, incidentRate: 3, seed: 42 } as const;

test('the same config and seed give byte-identical files', async (t) => {
  const a = await generate(t, SMALL);
  const b = await generate(t, SMALL);
  assert.deepEqual(await listFiles(a.dir), await listFiles(b.dir));
  assert.equal(await hashDir(a.dir), await hashDir(b.dir));
});

test('a different seed gives different files, and every data file differs', async (t) => {
  const a = await generate(t, SMALL);
  const b = await generate(t, { ...SMALL, seed: 43 });
  assert.notEqual(await hashDir(a.dir), await hashDir(b.dir));
  for (const f of await listFiles(a.dir)) {
    assert.notEqual(await readFile(join(a.dir, f), 'utf8'), await readFile(join(b.dir, f), 'utf8'), f);
  }
});

test('any day generated alone equals that day of a full run, in any order', async (t) => {
  const full = await generate(t, SMALL);
  // A fresh simulation, days rendered backwards, as a parallel worker would see them.
  const sim = createSimulation(config(SMALL));
  for (let d = SMALL.days - 1; d >= 0; d--) {
    const day = generateDay(dayRng(sim, d), sim, d);
    for (const [path, data] of dayFiles(sim, day)) {
      assert.equal(data, await readFile(join(full.dir, path), 'utf8'), `${path} differs when rendered alone`);
    }
  }
});

test('extending a run keeps the days it already had', async (t) => {
  const short = await generate(t, { ...SMALL, days: 2 });
  const long = await generate(t, { ...SMALL, days: 3 });
  for (const date of ['2024-06-01', '2024-06-02']) {
    for (const signal of ['metrics', 'events', 'traces', 'logs'] as const) {
      assert.deepEqual(await readDay(short.dir, signal, date), await readDay(long.dir, signal, date), `${signal} ${date}`);
    }
  }
});

test('choosing fewer signals does not change the ones written', async (t) => {
  const all = await generate(t, SMALL);
  const some = await generate(t, { ...SMALL, signals: ['metrics', 'logs'] });
  assert.deepEqual(await listFiles(some.dir), (await listFiles(all.dir)).filter((f) => !f.startsWith('events/') && !f.startsWith('traces/')));
  for (const f of await listFiles(some.dir)) {
    if (f.startsWith('metadata/incident_catalog')) continue; // records the signals chosen
    assert.equal(await readFile(join(some.dir, f), 'utf8'), await readFile(join(all.dir, f), 'utf8'), f);
  }
});

test('the serializer writes one JSON array, one record per line', () => {
  assert.equal(serializeRecords([]), '[]\n');
  assert.equal(serializeRecords([{ a: 1 }, { b: 'x' }]), '[\n{"a":1},\n{"b":"x"}\n]\n');
});
