import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runValidateCli } from '../../src/cli/validate.ts';
import { runInProcess, runScript, type CliResult } from '../helpers/cli.ts';
import { validateDataset } from '../../src/validation/read-dataset.ts';
import { generate, tempDir } from '../helpers/dataset.ts';

const CLI = fileURLToPath(new URL('../../src/cli/validate.ts', import.meta.url));

function cli(args: string[]): Promise<CliResult> {
  return runScript(CLI, args);
}

/** The same command in this process (fast). */
function quick(args: string[]): Promise<CliResult> {
  return runInProcess(runValidateCli, args);
}

test('validate prints the figures and the bars; --json writes the same report as the library', async (t) => {
  const { dir } = await generate(t, { days: 3, hostsPerService: 2, seed: 7, incidentRate: 2 });
  const out = join(await tempDir(t), 'report.json');
  const r = await cli([dir, '--json', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Detection: incidents whose signature metric departs/);
  assert.match(r.stdout, /False alarms: .*\(\d+ \/ \d+\)/);
  assert.match(r.stdout, /Baseline root-cause ranker top-3/);
  assert.match(r.stdout, /^Bars$/m);
  assert.deepEqual(JSON.parse(await readFile(out, 'utf8')), validateDataset(dir));
  const only = await cli([dir, '--json', '-']);
  assert.deepEqual(JSON.parse(only.stdout), validateDataset(dir));
});

test('--strict exits 1 when a bar fails; bad usage and missing datasets exit 2', async (t) => {
  // Three days hold too few incidents for every bar: some fail, which --strict turns into exit 1.
  const { dir } = await generate(t, { days: 3, hostsPerService: 2, seed: 7, incidentRate: 2 });
  const report = validateDataset(dir);
  assert.ok(report.bars.some((b) => !b.pass), 'a bar fails on this small dataset');
  assert.equal((await cli([dir, '--strict'])).code, 1);
  assert.equal((await cli([dir])).code, 0, 'without --strict the report is the result');
  const missing = await cli([join(dir, 'nope')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot validate/);
  assert.equal((await cli(['--bogus'])).code, 2);
  const negative = await cli([dir, '--z', '-1']);
  assert.equal(negative.code, 2);
  assert.equal(negative.stderr, '--z must be a positive number\n', 'the range error, not a parser message');
});

test('validate --z: a negative number after it is its value; the parser stays strict', async (t) => {
  const { dir } = await generate(t, { days: 1, hostsPerService: 1, seed: 3 });
  for (const value of ['-1', '-0.5', '-.5', '-1e1', '0', 'abc', '0x10', 'Infinity']) {
    const spaced = await quick([dir, '--z', value]);
    assert.equal(spaced.code, 2, value);
    assert.equal(spaced.stderr, '--z must be a positive number\n', value);
    assert.deepEqual(await quick([dir, `--z=${value}`]), spaced, value);
  }
  assert.equal((await quick([dir, '--z', '2.5e0', '--json', '-'])).code, 0);
  for (const args of [['-1'], [dir, '--strict', '-1'], [dir, '--bogus', '-1']]) {
    const r = await quick(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /^Unknown option '(-1|--bogus)'/, args.join(' '));
  }
  assert.match((await quick([dir, '--json', '-x'])).stderr, /^Option '--json' argument is ambiguous/);
  // An unwritable --json: a message, exit 2, and no table printed as if all went well.
  const unwritable = await quick([dir, '--json', join(dir, 'no-such-folder', 'report.json')]);
  assert.equal(unwritable.code, 2);
  assert.match(unwritable.stderr, /^cannot write --json .*report\.json: ENOENT/);
  assert.equal(unwritable.stdout, '');
});

test('validate --help: examples that parse, exit codes, aligned', async () => {
  const help = await cli(['--help']);
  assert.equal(help.code, 0);
  assert.equal(help.stderr, '');
  const text = help.stdout;
  assert.match(text, /^Usage: npm run validate -- \[options\] \[DIR\]\n/);
  const examples = /\nExamples:\n((?: {2}npm run .+\n)+)/.exec(text)?.[1]?.trimEnd().split('\n') ?? [];
  assert.ok(examples.length >= 3 && examples.length <= 5, `3 to 5 examples: ${examples.length}`);
  for (const line of examples) {
    const args = line.replace(/\s+#.*$/, '').replace(/ \|.*$/, '').trim().replace(/^npm run validate( -- )?/, '');
    const r = await quick([...(args ? args.split(' ') : []), '--help']);
    assert.equal(r.code, 0, `${line}: ${r.stderr}`);
  }
  assert.ok(examples.some((l) => /--strict/.test(l)));
  assert.ok(examples.some((l) => /--json /.test(l)));
  assert.match(text, /\nExit codes: 0 done, 1 a bar failed \(with --strict\), 2 bad option or unreadable dataset\.\n/);
  const columns = (re: RegExp): Set<number> => new Set(text.split('\n').filter((l) => re.test(l)).map((l) => l.search(re)));
  assert.equal(columns(/ {2}\[(?!options)/).size, 1, 'one column of defaults');
  assert.equal(columns(/ # /).size, 1, 'one column of example comments');
  assert.ok(text.split('\n').every((l) => l.length <= 110));
});
