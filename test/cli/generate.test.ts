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
  const r = await cli(['--days', '4', '--seed', '42', '--hosts-per-service', '2', '--incident-rate', '2', '--threads', '2', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Starting generation for 4 days/);
  // Days finish in any order on several threads; the lines come in date order, so each date goes
  // with its own share of the run.
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('Completed'));
  assert.deepEqual(
    lines.map((l) => l.replace(/ - \d+ primary incident\(s\)$/, '')),
    ['Completed 2024-06-01 (25.0%)', 'Completed 2024-06-02 (50.0%)', 'Completed 2024-06-03 (75.0%)', 'Completed 2024-06-04 (100.0%)'],
  );
  assert.match(r.stdout, /Incident summary/);
  assert.match(r.stdout, /root cause type\s+incidents\s+cascaded/);
  const lib = await generate(t, { days: 4, seed: 42, hostsPerService: 2, incidentRate: 2 });
  assert.equal(await hashDir(out), await hashDir(lib.dir), 'CLI and library agree byte for byte');
});

test('without --seed a seed is drawn, printed and recorded', async (t) => {
  const out = join(await tempDir(t), 'melt_data');
  const r = await cli(['--days', '1', '--hosts-per-service', '1', '--signals', 'metrics', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const seed = Number(/seed (\d+)\)/.exec(r.stdout)?.[1]);
  assert.match(r.stderr, new RegExp(`Seed: ${seed}\n`));
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

test('unknown options and --help: examples, exit codes and the validator', async () => {
  const bad = await cli(['--dayz', '3']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Unknown option '--dayz'/);
  const help = await cli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: npm run generate/);
  assert.match(help.stdout, /Examples:\n(  npm run generate -- .+\n){3,}/);
  assert.match(help.stdout, /npm run validate/);
  assert.match(help.stdout, /Exit codes: 0 .*, 1 .*, 2 /);
});

test('a negative number after an option is that option’s value: the same range error as --opt=-N', async (t) => {
  const out = join(await tempDir(t), 'melt_data');
  for (const [flag, field] of [['--days', '/days'], ['--seed', '/seed'], ['--granularity', '/granularityMinutes'], ['--hosts-per-service', '/hostsPerService'], ['--incident-rate', '/incidentRate'], ['--cascade-delay', '/cascadeDelayMinutes'], ['--traces-per-entry-host', '/tracesPerEntryHost'], ['--quiet-gap', '/quietGapMinutes']] as const) {
    const spaced = await cli([flag, '-3', '--out', out]);
    const joined = await cli([`${flag}=-3`, '--out', out]);
    assert.equal(spaced.code, 2, flag);
    assert.equal(spaced.stderr, joined.stderr, flag);
    assert.match(spaced.stderr, new RegExp(`${field}: must be >= `), flag);
  }
  const threads = await cli(['--threads', '-1', '--days', '1', '--out', out]);
  assert.equal(threads.code, 2);
  assert.match(threads.stderr, /--threads must be a whole number/);
  // Still strict: a dash-number where no value is expected is no option.
  assert.equal((await cli(['-3'])).code, 2);
});

test('--quiet prints nothing on success, and errors still reach stderr', async (t) => {
  const out = join(await tempDir(t), 'melt_data');
  const ok = await cli(['--days', '1', '--hosts-per-service', '1', '--seed', '5', '--out', out, '--quiet']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, '');
  assert.equal(ok.stderr, '');
  const bad = await cli(['--days', '0', '--out', out, '--quiet']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /\/days: must be >= 1/);
});
