import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { normalizeConfig } from '../../src/core/config.ts';
import { createSimulation } from '../../src/core/simulation.ts';
import { loadFormatWriters } from '../../src/output/formats.ts';
import { renderDayFiles } from '../../src/output/json-writer.ts';
import { ndjsonFromJsonArray } from '../../src/output/ndjson.ts';
import { runScript } from '../helpers/cli.ts';
import { config, generate, hashDir, listFiles, tempDir } from '../helpers/dataset.ts';
import { GOLDEN_DIR } from '../helpers/golden.ts';
import { formatHashes, GOLDEN_FORMATS_CONFIG, GOLDEN_FORMATS_MANIFEST } from '../helpers/golden-formats.ts';

const CLI = fileURLToPath(new URL('../../src/cli/generate.ts', import.meta.url));

test('the default is the original JSON alone', async (t) => {
  assert.deepEqual(normalizeConfig({}, 0).formats, ['json']);
  assert.equal(normalizeConfig({}, 0).compression, 'none');
  const { dir } = await generate(t, { days: 1, hostsPerService: 1, seed: 3 });
  for (const f of await listFiles(dir)) assert.match(f, /\.json$|root_cause\.txt$/, f);
});

// If this fails after a deliberate change of the output, run `npm run golden:update` and say why in the commit.
test('every format of the golden dataset: its JSON files are the golden ones, every other file has its pinned hash', async (t) => {
  const { dir } = await generate(t, GOLDEN_FORMATS_CONFIG);
  for (const f of await listFiles(GOLDEN_DIR)) assert.ok((await readFile(join(dir, f), 'utf8')) === (await readFile(join(GOLDEN_DIR, f), 'utf8')), `${f}: JSON unchanged by the other formats`);
  const pinned = JSON.parse(await readFile(GOLDEN_FORMATS_MANIFEST, 'utf8')) as Record<string, string>;
  assert.deepEqual(await formatHashes(dir), pinned);
  // One golden file per format at least, each format in its place.
  for (const ext of ['.ndjson', '.parquet', '.otlp.jsonl', '.om.txt']) assert.ok(Object.keys(pinned).some((p) => p.endsWith(ext)), ext);
  assert.ok('metadata/incident_catalog.parquet' in pinned);
});

test('every format, gzipped too: the same bytes on 1 or 2 threads, and any day rendered alone', async (t) => {
  const args = ['--start-date', '2024-06-30', '--days', '3', '--hosts-per-service', '1', '--granularity', '60', '--incident-rate', '2', '--seed', '7', '--formats', 'json,ndjson,parquet,otlp,openmetrics', '--compression', 'gzip', '--quiet'];
  const one = join(await tempDir(t), 'melt_data');
  const two = join(await tempDir(t), 'melt_data');
  assert.equal((await runScript(CLI, [...args, '--threads', '1', '--out', one])).code, 0);
  assert.equal((await runScript(CLI, [...args, '--threads', '2', '--out', two])).code, 0);
  assert.equal(await hashDir(one), await hashDir(two));
  const files = await listFiles(one);
  for (const ext of ['.ndjson.gz', '.parquet', '.otlp.jsonl.gz', '.om.txt.gz']) assert.ok(files.some((f) => f.endsWith(ext)), ext);
  // A fresh simulation, days backwards: each day's files alone are the run's.
  const sim = createSimulation(config({ startDate: '2024-06-30', days: 3, hostsPerService: 1, granularityMinutes: 60, incidentRate: 2, seed: 7, formats: ['json', 'ndjson', 'parquet', 'otlp', 'openmetrics'], compression: 'gzip' }));
  await loadFormatWriters(sim.config.formats);
  for (let d = 2; d >= 0; d--) {
    for (const [path, bytes] of renderDayFiles(sim, d)) assert.ok(Buffer.from(bytes).equals(await readFile(join(one, path))), `${path} alone`);
  }
});

test('NDJSON is the JSON file one record a line', () => {
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  assert.equal(dec.decode(ndjsonFromJsonArray(enc.encode('[]\n'))), '');
  assert.equal(dec.decode(ndjsonFromJsonArray(enc.encode('[\n{"a":1}\n]\n'))), '{"a":1}\n');
  assert.equal(dec.decode(ndjsonFromJsonArray(enc.encode('[\n{"a":"x,"},\n{"b":[1,2]}\n]\n'))), '{"a":"x,"}\n{"b":[1,2]}\n');
});

test('openmetrics needs the metrics signal; unknown formats and compressions are refused with the allowed values', () => {
  assert.throws(() => normalizeConfig({ signals: ['logs'], formats: ['openmetrics'] }, 0), /openmetrics carries metrics only/);
  assert.throws(() => normalizeConfig({ formats: ['csv'] }, 0), /must be one of: json, ndjson, parquet, otlp, openmetrics/);
  assert.throws(() => normalizeConfig({ compression: 'zstd' }, 0), /must be one of: none, gzip/);
});
