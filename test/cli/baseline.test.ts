import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runBaselineCli } from '../../src/cli/baseline.ts';
import { runBaseline } from '../../src/benchmark/baselines/index.ts';
import { runInProcess, type CliResult } from '../helpers/cli.ts';
import { generate, tempDir } from '../helpers/dataset.ts';

function quick(args: string[]): Promise<CliResult> {
  return runInProcess(runBaselineCli, args);
}

test('baseline writes the prediction file of the library, with a summary on stderr; --out - prints only the JSON', async (t) => {
  const { dir } = await generate(t, { days: 4, hostsPerService: 2, seed: 31, incidentRate: 2, signals: ['metrics'] });
  const out = join(await tempDir(t), 'baro.json');
  const r = await quick(['--method', 'baro', '--dataset', dir, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  const written = JSON.parse(await readFile(out, 'utf8')) as unknown;
  const expected = runBaseline(dir, { method: 'baro' });
  assert.deepEqual(written, expected);
  assert.ok(expected.rca.length > 0 && expected.anomalies.length > 0);
  assert.equal(r.stderr, `baro (detected time, threshold 5): ${expected.rca.length} cases ranked, ${expected.anomalies.length} host-intervals flagged -> ${out}\n`);

  const stdout = await quick(['--method', 'random', '--seed', '7', '--dataset', dir, '--out', '-']);
  assert.equal(stdout.code, 0, stdout.stderr);
  assert.equal(stdout.stderr, '');
  assert.deepEqual(JSON.parse(stdout.stdout), runBaseline(dir, { method: 'random', seed: 7 }));
  assert.deepEqual(await quick(['--method', 'random', '--seed', '7', '--dataset', dir]), stdout, 'stdout by default');

  const z = await quick(['--method', 'zscore', '--dataset', dir, '--time', 'start', '--threshold', '4.5', '--out', '-']);
  assert.equal(z.code, 0, z.stderr);
  assert.deepEqual(JSON.parse(z.stdout), runBaseline(dir, { method: 'zscore', time: 'start', threshold: 4.5 }));
});

test('baseline: bad usage, a missing dataset and an unwritable --out exit 2 with a message', async (t) => {
  const { dir } = await generate(t, { days: 1, hostsPerService: 1, seed: 3, signals: ['metrics'] });
  const cases: [string[], RegExp][] = [
    [['--dataset', dir], /^--method is required: random, zscore, baro\n$/],
    [['--method', 'pca', '--dataset', dir], /^--method must be one of random, zscore, baro\n$/],
    [['--method', 'baro', '--bogus'], /^Unknown option '--bogus'/],
    [['--method', 'baro', dir], /^Unexpected argument/],
    [['--method', 'baro', '--dataset', join(dir, 'nope')], /^cannot read .*nope: no metadata\/incident_catalog\.json/],
    [['--method', 'baro', '--dataset', dir, '--threshold', '-1'], /^--threshold must be a positive number\n$/],
    [['--method', 'baro', '--dataset', dir, '--threshold', 'abc'], /^--threshold must be a positive number\n$/],
    [['--method', 'random', '--dataset', dir, '--seed', '-1'], /^--seed must be an integer in 0\.\.4294967295\n$/],
    [['--method', 'random', '--dataset', dir, '--seed', '1.5'], /^--seed must be an integer in 0\.\.4294967295\n$/],
    [['--method', 'random', '--dataset', dir, '--seed', '4294967296'], /^--seed must be an integer in 0\.\.4294967295\n$/],
    [['--method', 'zscore', '--dataset', dir, '--time', 'later'], /^--time must be start or detected\n$/],
    [['--method', 'zscore', '--dataset', dir, '--out', join(dir, 'no-such-folder', 'p.json')], /^cannot write --out .*p\.json: ENOENT/],
  ];
  for (const [args, message] of cases) {
    const r = await quick(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(r.stdout, '', args.join(' '));
  }
  // A dataset folder without metrics: the catalog alone is not enough.
  const empty = await generate(t, { days: 1, hostsPerService: 1, seed: 3, signals: ['traces'] });
  const noMetrics = await quick(['--method', 'baro', '--dataset', empty.dir]);
  assert.equal(noMetrics.code, 2);
  assert.match(noMetrics.stderr, /^cannot read .*: no metrics day files/);
});

test('baseline --help: examples that parse, exit codes, aligned', async () => {
  const help = await quick(['--help']);
  assert.equal(help.code, 0);
  assert.equal(help.stderr, '');
  const text = help.stdout;
  assert.match(text, /^Usage: npm run baseline -- --method NAME \[options\]\n/);
  const examples = /\nExamples:\n((?: {2}npm run .+\n)+)/.exec(text)?.[1]?.trimEnd().split('\n') ?? [];
  assert.ok(examples.length >= 3 && examples.length <= 5, `3 to 5 examples: ${examples.length}`);
  for (const line of examples) {
    const args = line.replace(/\s+#.*$/, '').replace(/ \|.*$/, '').trim().replace(/^npm run baseline( -- )?/, '');
    const r = await quick([...(args ? args.split(' ') : []), '--help']);
    assert.equal(r.code, 0, `${line}: ${r.stderr}`);
  }
  for (const method of ['random', 'zscore', 'baro']) assert.ok(examples.some((l) => l.includes(`--method ${method}`)), method);
  assert.match(text, /\nExit codes: 0 written, 2 bad option, unreadable dataset or unwritable --out\.\n/);
  const columns = (re: RegExp): Set<number> => new Set(text.split('\n').filter((l) => re.test(l)).map((l) => l.search(re)));
  assert.equal(columns(/ {2}\[(?!options)/).size, 1, 'one column of defaults');
  assert.equal(columns(/ # /).size, 1, 'one column of example comments');
  assert.ok(text.split('\n').every((l) => l.length <= 100));
});
