import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runScript } from '../helpers/cli.ts';
import { validateDataset } from '../../src/validation/read-dataset.ts';
import { generate, tempDir } from '../helpers/dataset.ts';

const CLI = fileURLToPath(new URL('../../src/cli/validate.ts', import.meta.url));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runScript(CLI, args);
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
  assert.match(negative.stderr, /--z must be a positive number/, 'the range error, not a parser message');
  const help = await cli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Examples:/);
  assert.match(help.stdout, /Exit codes: 0 .*, 1 .*, 2 /);
});
