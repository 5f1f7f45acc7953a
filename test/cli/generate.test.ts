import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { joinNegativeNumbers } from '../../src/cli/main.ts';
import { progressPrinter, runCli } from '../../src/cli/generate.ts';
import { DIFFICULTY_PRESETS } from '../../src/core/difficulty.ts';
import { runInProcess, runScript, type CliResult } from '../helpers/cli.ts';
import { generate, hashDir, listFiles, readCatalog, tempDir } from '../helpers/dataset.ts';

const CLI = fileURLToPath(new URL('../../src/cli/generate.ts', import.meta.url));

/** The command as a user runs it: a child process. */
function cli(args: string[]): Promise<CliResult> {
  return runScript(CLI, args);
}

/** The same command in this process, for the checks that end before any thread starts. */
function quick(args: string[]): Promise<CliResult> {
  return runInProcess(runCli, args);
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

test('unknown options and --help: examples that parse, exit codes and the validator, aligned', async () => {
  const bad = await cli(['--dayz', '3']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Unknown option '--dayz'/);
  const help = await cli(['--help']);
  assert.equal(help.code, 0);
  assert.equal(help.stderr, '');
  const text = help.stdout;
  assert.match(text, /^Usage: npm run generate -- \[options\]\n/);
  const examples = /\nExamples:\n((?: {2}npm run .+\n)+)/.exec(text)?.[1]?.trimEnd().split('\n') ?? [];
  assert.ok(examples.length >= 3 && examples.length <= 5, `3 to 5 examples: ${examples.length}`);
  const commands = examples.map((l) => l.replace(/\s+#.*$/, '').trim());
  // The brief's cases: a week with a fixed seed, a services config file, metrics+traces only, validate.
  assert.ok(commands.some((c) => /--days 7\b/.test(c) && /--seed \d+/.test(c)), 'a week with a fixed seed');
  assert.ok(commands.some((c) => /--config \S+\.json/.test(c)), 'a custom config file');
  assert.ok(commands.some((c) => /--signals metrics,traces\b/.test(c)), 'only metrics and traces');
  assert.ok(commands.some((c) => c.startsWith('npm run validate')), 'validate afterwards');
  // Every generate example is accepted by the parser (--help appended: checked, nothing written).
  for (const c of commands.filter((c) => c.startsWith('npm run generate -- '))) {
    const args = c.slice('npm run generate -- '.length).split(' ');
    const r = await quick([...args, '--help']);
    assert.equal(r.code, 0, `${c}: ${r.stderr}`);
  }
  // The exit codes runCli returns (each is exercised by a test in this file).
  assert.match(text, /\nExit codes: 0 written, 1 generation failed, 2 bad option or config/);
  assert.match(text, /npm run validate -- DIR` reads a\ndataset and reports/);
  // Aligned: the defaults in one column, the examples' comments in one column, at most 110 wide.
  const columns = (re: RegExp): Set<number> => new Set(text.split('\n').filter((l) => re.test(l)).map((l) => l.search(re)));
  assert.equal(columns(/ {2}\[(?!options)/).size, 1, 'one column of defaults');
  assert.equal(columns(/ # /).size, 1, 'one column of example comments');
  assert.ok(text.split('\n').every((l) => l.length <= 110));
  for (const name of ['--days', '--seed', '--granularity', '--hosts-per-service', '--incident-rate', '--cascade-delay', '--traces-per-entry-host', '--quiet-gap', '--threads', '--quiet', '--config']) {
    assert.match(text, new RegExp(`\n  ${name} `), name);
  }
});

test('a negative number after an option is that option’s value: the same range error as --opt=-N', async (t) => {
  const out = join(await tempDir(t), 'melt_data');
  const numeric = [
    ['--days', '/days: must be >= 1'],
    ['--seed', '/seed: must be >= 0'],
    ['--granularity', '/granularityMinutes: must be >= 1'],
    ['--hosts-per-service', '/hostsPerService: must be >= 1'],
    ['--incident-rate', '/incidentRate: must be >= 0'],
    ['--cascade-delay', '/cascadeDelayMinutes: must be >= 0'],
    ['--traces-per-entry-host', '/tracesPerEntryHost: must be >= 0'],
    ['--quiet-gap', '/quietGapMinutes: must be >= 0'],
  ] as const;
  for (const [flag, message] of numeric) {
    for (const value of ['-3', '-1', '-.5', '-2.5', '-1e3']) {
      const spaced = await quick([flag, value, '--out', out]);
      const joined = await quick([`${flag}=${value}`, '--out', out]);
      const label = `${flag} ${value}`;
      assert.equal(spaced.code, 2, label);
      assert.equal(spaced.stderr, joined.stderr, label);
      // A non-integer value for an integer field may also say so; the range error is there.
      assert.ok(spaced.stderr.includes(`  ${message}\n`), `${label}: ${spaced.stderr}`);
      assert.doesNotMatch(spaced.stderr, /ambiguous|Usage:/, label);
    }
  }
  for (const value of ['-1', '-4', '-0.5']) {
    const threads = await quick(['--threads', value, '--days', '1', '--out', out]);
    assert.equal(threads.code, 2);
    assert.equal(threads.stderr, '--threads must be a whole number from 1 to 64\n');
    assert.deepEqual(threads, await quick([`--threads=${value}`, '--days', '1', '--out', out]));
  }
  // As the user meets it: a child process, the exit code, nothing written.
  const spawned = await cli(['--days', '-3', '--seed', '-1', '--out', out]);
  assert.equal(spawned.code, 2);
  assert.equal(spawned.stderr, 'Invalid configuration:\n  /days: must be >= 1\n  /seed: must be >= 0\n');
  assert.deepEqual(await listFiles(join(out, '..')), []);
  // Still strict: a dash-number where no value is expected is no option, an unknown option is
  // refused, and a value that starts with a dash but is no number still needs --opt=VALUE.
  for (const args of [['-3'], ['--quiet', '-3'], ['--force', '-1'], ['--bogus', '-3'], ['--days', '-3', '--bogus'], ['--days', '-3', '-1']]) {
    const r = await quick(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /^Unknown option '(-3|-1|--bogus)'/, args.join(' '));
  }
  const dashed = await quick(['--out', '-data']);
  assert.equal(dashed.code, 2);
  assert.match(dashed.stderr, /^Option '--out' argument is ambiguous/);
  // Only options that take a value, only numbers, nothing after `--`.
  const options = { days: { type: 'string' }, quiet: { type: 'boolean' } } as const;
  assert.deepEqual(joinNegativeNumbers(['--days', '-3', '--quiet', '-3', '--days', '-x', '--', '--days', '-1'], options), ['--days=-3', '--quiet', '-3', '--days', '-x', '--', '--days', '-1']);
});

test('progress: each date goes with its own share however the threads finish', () => {
  const day = (dayIndex: number, daysDone: number) => ({ dayIndex, date: `2024-06-0${dayIndex + 1}`, daysDone, daysTotal: 4, bytes: 1000, primaryIncidents: dayIndex });
  let text = '';
  const onDay = progressPrinter(false, (t) => (text += t));
  // Days finish as 3rd, 1st, 4th, 2nd: a date is printed once it and every day before it are done.
  const seen: string[] = [];
  for (const [i, [dayIndex, done]] of ([[2, 1], [0, 2], [3, 3], [1, 4]] as const).entries()) {
    onDay(day(dayIndex, done));
    seen[i] = text;
    text = '';
  }
  assert.deepEqual(seen, [
    '',
    'Completed 2024-06-01 (25.0%) - 0 primary incident(s)\n',
    '',
    'Completed 2024-06-02 (50.0%) - 1 primary incident(s)\nCompleted 2024-06-03 (75.0%) - 2 primary incident(s)\nCompleted 2024-06-04 (100.0%) - 3 primary incident(s)\n',
  ]);
  // On a terminal: a bar that counts the days done, with no date to mismatch.
  const bar = progressPrinter(true, (t) => (text += t));
  bar(day(2, 1));
  assert.match(text, /^\r\[#{8}\.{22}\] 1\/4 days {2}1\.0 kB {2}ETA \d+s {2}$/);
  text = '';
  bar(day(0, 2));
  bar(day(3, 3));
  bar(day(1, 4));
  assert.match(text, /\] 4\/4 days {2}4\.0 kB {2}ETA 0s {2}\n$/);
  assert.doesNotMatch(text, /2024/);
});

test('refusals come before anything is written or removed; a folder that cannot be written exits 1', async (t) => {
  const dir = await tempDir(t);
  const out = join(dir, 'melt_data');
  await mkdir(join(out, 'metrics'), { recursive: true });
  await writeFile(join(out, 'metrics', 'keep.json'), '[]');
  for (const args of [['--threads', '0'], ['--days', '0'], ['--dayz', '1']]) {
    const r = await quick([...args, '--out', out, '--force']);
    assert.equal(r.code, 2, args.join(' '));
    assert.doesNotMatch(r.stderr, /Starting generation/);
    assert.deepEqual(await listFiles(out), ['metrics/keep.json'], args.join(' '));
  }
  const file = join(dir, 'a-file');
  await writeFile(file, 'x');
  const notDir = await cli(['--days', '1', '--out', file]);
  assert.equal(notDir.code, 2);
  assert.match(notDir.stderr, /^--out .*a-file is not a folder meltgen can use: ENOTDIR/);
  assert.doesNotMatch(notDir.stderr, /\n\s+at /, 'no stack trace');
  if (process.platform !== 'win32') {
    // A dangling symlink looks like a missing folder, so the checks pass, but nothing can be made there.
    const dangling = join(dir, 'dangling');
    await symlink(join(dir, 'missing-target'), dangling);
    const r = await quick(['--days', '1', '--hosts-per-service', '1', '--out', dangling, '--quiet']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^cannot write to .*dangling: ENOTDIR/);
    assert.equal(r.stdout, '');
  }
});

test('--quiet prints nothing on success, and errors still reach stderr', async (t) => {
  const out = join(await tempDir(t), 'melt_data');
  const ok = await cli(['--days', '2', '--hosts-per-service', '1', '--seed', '5', '--threads', '2', '--out', out, '--quiet']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, '');
  assert.equal(ok.stderr, '');
  assert.equal((await readCatalog(out)).generation_config.seed, 5, 'written all the same');
  // Without --quiet the same run prints the header, progress and summary (what --quiet hides).
  const loud = await cli(['--days', '2', '--hosts-per-service', '1', '--seed', '5', '--out', out, '--force']);
  assert.match(loud.stderr, /Seed: 5\n[\s\S]*Completed 2024-06-02/);
  assert.match(loud.stdout, /Wrote .* \(seed 5\)[\s\S]*Incident summary/);
  for (const args of [['--days', '0'], ['--days', '-3'], ['--out', out], ['--dayz', '1']]) {
    const bad = await cli([...args, '--quiet', ...(args.includes('--out') ? [] : ['--out', out])]);
    assert.equal(bad.code, 2, args.join(' '));
    assert.equal(bad.stdout, '', args.join(' '));
    assert.notEqual(bad.stderr, '', args.join(' '));
  }
});

test('--topology and --difficulty pick the presets; a bad one exits 2 and names the field', async (t) => {
  const out = join(await tempDir(t), 'tt');
  const r = await quick(['--out', out, '--days', '1', '--seed', '3', '--topology', 'train-ticket', '--difficulty', 'hard', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const catalog = await readCatalog(out);
  assert.equal(catalog.generation_config.topology, 'train-ticket');
  assert.equal(catalog.generation_config.difficulty, 'hard');
  assert.equal(catalog.generation_config.services.length, 69);
  assert.deepEqual(catalog.generation_config.knobs, DIFFICULTY_PRESETS.hard);
  const bad = await quick(['--out', join(out, 'x'), '--difficulty', 'extreme', '--topology', 'nowhere']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /\/difficulty: must be one of: easy, realistic, hard/);
  assert.match(bad.stderr, /\/topology: must be one of: default, online-boutique, sock-shop, train-ticket/);
});
