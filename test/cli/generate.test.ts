import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runScript } from '../helpers/cli.ts';
import { generate, hashDir, listFiles, readCatalog, tempDir } from '../helpers/dataset.ts';

const CLI = fileURLToPath(new URL('../../src/cli/generate.ts', import.meta.url));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runScript(CLI, args);
}

test('generate writes the dataset the library writes, with progress and the summary', async (t) => {
  const out = join(await tempDir(t), 'melt_data');
  const r = await cli(['--days', '2', '--seed', '42', '--hosts-per-service', '2', '--incident-rate', '2', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Starting generation for 2 days/);
  // Days finish in any order on several threads; each is reported once, the share counts up.
  assert.match(r.stderr, /Completed 2024-06-0[12] \(50\.0%\) - \d+ primary incident\(s\)/);
  assert.match(r.stderr, /Completed 2024-06-0[12] \(100\.0%\) - \d+ primary incident\(s\)/);
  assert.equal((r.stderr.match(/Completed 2024-06-01 /g) ?? []).length, 1);
  assert.equal((r.stderr.match(/Completed 2024-06-02 /g) ?? []).length, 1);
  assert.match(r.stdout, /Incident summary/);
  assert.match(r.stdout, /root cause type\s+incidents\s+cascaded/);
  const lib = await generate(t, { days: 2, seed: 42, hostsPerService: 2, incidentRate: 2 });
  assert.equal(await hashDir(out), await hashDir(lib.dir), 'CLI and library agree byte for byte');
});

test('without --seed a seed is drawn, printed and recorded', async (t) => {
  const out = join(await tempDir(t), 'melt_data');
  const r = await cli(['--days', '1', '--hosts-per-service', '1', '--signals', 'metrics', '--out', out, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const seed = Number(/seed (\d+)\)/.exec(r.stdout)?.[1]);
  assert.ok(Number.isInteger(seed));
  assert.equal((await readCatalog(out)).generation_config.seed, seed);
  assert.deepEqual(await listFiles(out), [
    'metadata/incident_catalog.json',
    'metadata/labels/2024-06/labels_2024-06-01.json',
    'metadata/root_cause.txt',
    'metrics/2024-06/metrics_2024-06-01.json',
  ]);
});

test('a bad config exits 2, names each bad field and writes nothing', async (t) => {
  const out = join(await tempDir(t), 'melt_data');
  const r = await cli(['--days', '0', '--granularity', '7', '--signals', 'metrics,smells', '--out', out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /\/days: must be >= 1/);
  assert.match(r.stderr, /\/granularityMinutes: must divide a day/);
  assert.match(r.stderr, /\/signals\/1: must be one of/);
  assert.deepEqual(await listFiles(join(out, '..')), []);
});

test('--config takes a JSON config (a custom call graph); flags override it', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'config.json');
  await writeFile(file, JSON.stringify({ days: 5, services: [{ name: 'api', calls: ['db'] }, { name: 'db' }], regions: ['r1'] }));
  const out = join(dir, 'melt_data');
  const r = await cli(['--config', file, '--days', '1', '--seed', '1', '--out', out, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const catalog = await readCatalog(out);
  assert.equal(catalog.generation_config.days_generated, 1);
  assert.deepEqual(catalog.generation_config.service_dependencies, { api: ['db'], db: [] });
  await writeFile(file, JSON.stringify({ services: [{ name: 'api', calls: ['db'] }, { name: 'db', calls: ['api'] }] }));
  const cycle = await cli(['--config', file, '--out', join(dir, 'x')]);
  assert.equal(cycle.code, 2);
  assert.match(cycle.stderr, /\/services: the call graph has a cycle: api -> db -> api/);
});

test('an existing dataset is replaced only with --force, and other files stay', async (t) => {
  const out = join(await tempDir(t), 'melt_data');
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'notes.txt'), 'mine');
  await mkdir(join(out, 'metrics'), { recursive: true });
  await writeFile(join(out, 'metrics', 'stale.json'), '[]');
  const refused = await cli(['--days', '1', '--hosts-per-service', '1', '--out', out]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--force/);
  const forced = await cli(['--days', '1', '--hosts-per-service', '1', '--seed', '3', '--out', out, '--force', '--quiet']);
  assert.equal(forced.code, 0, forced.stderr);
  const files = await listFiles(out);
  assert.ok(files.includes('notes.txt'));
  assert.ok(!files.includes('metrics/stale.json'));
});

test('unknown options and --help', async () => {
  const bad = await cli(['--dayz', '3']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Unknown option '--dayz'/);
  const help = await cli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: npm run generate/);
});
