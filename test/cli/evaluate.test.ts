import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { labelRows, rcaCases, readCatalog } from '../../src/benchmark/cases.ts';
import type { Evaluation, Predictions } from '../../src/benchmark/predictions.ts';
import { evaluateDataset } from '../../src/benchmark/score.ts';
import { runBaselineCli } from '../../src/cli/baseline.ts';
import { runEvaluateCli } from '../../src/cli/evaluate.ts';
import { runInProcess, type CliResult } from '../helpers/cli.ts';
import { generate, tempDir } from '../helpers/dataset.ts';

function quick(args: string[]): Promise<CliResult> {
  return runInProcess(runEvaluateCli, args);
}

/** The answers a perfect model gives: the true indicators first, every labeled host-interval. */
function perfect(dir: string): Predictions {
  return {
    rca: rcaCases(readCatalog(dir)).map((c) => ({ incident_id: c.incidentId, ranking: c.rootCauses.map((r) => `${r.service}:${r.metric}`) })),
    anomalies: [...labelRows(dir)].filter((r) => r.incidents.length > 0).map((r) => ({ host_id: r.host_id, timestamp: r.timestamp })),
  };
}

test('evaluate scores a perfect prediction file 1 everywhere; the table, --json FILE and --json -', async (t) => {
  const { dir } = await generate(t, { days: 2, hostsPerService: 2, seed: 7, incidentRate: 2 });
  const work = await tempDir(t);
  const file = join(work, 'perfect.json');
  const predictions = perfect(dir);
  assert.ok((predictions.rca?.length ?? 0) > 0 && (predictions.anomalies?.length ?? 0) > 0, 'the tiny dataset has cases and labels');
  await writeFile(file, JSON.stringify(predictions));

  const only = await quick(['--dataset', dir, '--predictions', file, '--json', '-']);
  assert.equal(only.code, 0, only.stderr);
  assert.equal(only.stderr, '');
  const e = JSON.parse(only.stdout) as Evaluation;
  assert.equal(e.rca.service['AC@1'], 1);
  assert.equal(e.rca.service['Avg@5'], 1);
  assert.equal(e.rca.indicator['AC@1'], 1);
  assert.equal(e.anomalies.f1, 1);
  assert.equal(e.anomalies.incidentRecall, 1);
  assert.deepEqual(e.rca.missing, []);
  assert.deepEqual(e, evaluateDataset(dir, predictions), 'the same result as the library');

  const out = join(work, 'evaluation.json');
  const table = await quick(['--dataset', dir, '--predictions', file, '--json', out]);
  assert.equal(table.code, 0, table.stderr);
  assert.deepEqual(JSON.parse(await readFile(out, 'utf8')), e);
  assert.match(table.stdout, /^meltgen evaluation of .*perfect\.json\n/);
  assert.match(table.stdout, new RegExp(`Root-cause analysis: ${e.rca.cases} of ${e.rca.cases} cases predicted; 0 missing`));
  assert.match(table.stdout, /^ {2}all +service +\d+ +1\.0000 +1\.0000 +1\.0000 +1\.0000$/m);
  assert.match(table.stdout, /^ {27}indicator +\d+ +1\.0000 +1\.0000 +1\.0000 +1\.0000$/m);
  for (const type of Object.keys(e.rca.byType)) assert.match(table.stdout, new RegExp(`^ {2}${type} +service `, 'm'));
  assert.match(table.stdout, /^ {2}F1 +1\.0000$/m);
  assert.match(table.stdout, /^ {2}incident recall +1\.0000 +\(\d+ \/ \d+\)/m);
});

test('evaluate takes what npm run baseline writes; a partial file lists what it missed', async (t) => {
  const { dir } = await generate(t, { days: 2, hostsPerService: 2, seed: 7, incidentRate: 2 });
  const work = await tempDir(t);
  const baseline = join(work, 'random.json');
  assert.equal((await runInProcess(runBaselineCli, ['--method', 'random', '--dataset', dir, '--out', baseline])).code, 0);
  const r = await quick(['--dataset', dir, '--predictions', baseline, '--json', '-']);
  assert.equal(r.code, 0, r.stderr);
  const e = JSON.parse(r.stdout) as Evaluation;
  assert.equal(e.rca.predicted, e.rca.cases);

  // One task only, with an unknown id and a bad timestamp: scored, the rest reported.
  const [first, ...rest] = rcaCases(readCatalog(dir));
  assert.ok(first !== undefined && rest.length > 0);
  const partial = join(work, 'partial.json');
  await writeFile(partial, JSON.stringify({ rca: [{ incident_id: first.incidentId, ranking: ['nowhere'] }, { incident_id: 'INC-NOPE', ranking: [] }], anomalies: [{ host_id: 'x', timestamp: 'soon' }] }));
  const text = await quick(['--dataset', dir, '--predictions', partial]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`1 of ${rest.length + 1} cases predicted; ${rest.length} missing \\(scored 0\\), 1 unknown ids`));
  assert.match(text.stdout, new RegExp(`^Missing: ${rest[0]?.incidentId}`, 'm'));
  assert.match(text.stdout, /^Unknown ids \(ignored\): INC-NOPE$/m);
  assert.match(text.stdout, /1 predictions with an unreadable timestamp ignored/);
  assert.match(text.stdout, /^ {2}precision +n\/a {2}\(0 \/ 0\)$/m);
});

test('evaluate exits 2 on bad usage, a missing dataset, an unreadable or invalid prediction file', async (t) => {
  const { dir } = await generate(t, { days: 1, hostsPerService: 1, seed: 3 });
  const work = await tempDir(t);
  const good = join(work, 'good.json');
  await writeFile(good, JSON.stringify({ rca: [] }));

  const missingDataset = await quick(['--dataset', join(dir, 'nope'), '--predictions', good]);
  assert.equal(missingDataset.code, 2);
  assert.match(missingDataset.stderr, /^cannot read dataset .*nope: no metadata\/incident_catalog\.json/);
  assert.equal(missingDataset.stdout, '');

  const invalid = join(work, 'invalid.json');
  await writeFile(invalid, JSON.stringify({ rca: [{ incident_id: 'INC-1', ranking: 'db' }], anomalies: [{ host_id: 'h' }], model: 'mine' }));
  const bad = await quick(['--dataset', dir, '--predictions', invalid]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /invalid\.json is not a prediction file/);
  assert.match(bad.stderr, /^ {2}\/rca\/0\/ranking: must be array$/m);
  assert.match(bad.stderr, /^ {2}\/anomalies\/0\/timestamp: is required$/m);
  assert.match(bad.stderr, /^ {2}\/model: is not a known field$/m);

  const many = join(work, 'many.json');
  await writeFile(many, JSON.stringify({ rca: Array.from({ length: 20 }, () => ({ incident_id: 1, ranking: [] })) }));
  const long = await quick(['--dataset', dir, '--predictions', many]);
  assert.equal(long.code, 2);
  assert.equal(long.stderr.split('\n').filter((l) => l.startsWith('  /')).length, 5, 'the first five issues');
  assert.match(long.stderr, /\n {2}…\n$/);

  const notJson = join(work, 'not.json');
  await writeFile(notJson, '{"rca": [');
  assert.match((await quick(['--dataset', dir, '--predictions', notJson])).stderr, /^cannot read --predictions .*not\.json: not JSON/);
  const absent = await quick(['--dataset', dir, '--predictions', join(work, 'absent.json')]);
  assert.equal(absent.code, 2);
  assert.match(absent.stderr, /^cannot read --predictions .*absent\.json: ENOENT/);
  const noFile = await quick(['--dataset', dir]);
  assert.equal(noFile.code, 2);
  assert.match(noFile.stderr, /--predictions FILE is required/);
  assert.equal((await quick(['--bogus'])).code, 2);
  assert.equal((await quick(['--dataset', dir, '--predictions', good, 'extra'])).code, 2);

  // An unwritable --json: a message, exit 2, and no table printed as if all went well.
  const unwritable = await quick(['--dataset', dir, '--predictions', good, '--json', join(work, 'no-such-folder', 'e.json')]);
  assert.equal(unwritable.code, 2);
  assert.match(unwritable.stderr, /^cannot write --json .*e\.json: ENOENT/);
  assert.equal(unwritable.stdout, '');
});

test('evaluate --help: examples that parse, exit codes, aligned', async () => {
  const help = await quick(['--help']);
  assert.equal(help.code, 0);
  assert.equal(help.stderr, '');
  const text = help.stdout;
  assert.match(text, /^Usage: npm run evaluate -- --predictions FILE \[options\]\n/);
  const examples = /\nExamples:\n((?: {2}npm run .+\n)+)/.exec(text)?.[1]?.trimEnd().split('\n') ?? [];
  assert.ok(examples.length >= 3 && examples.length <= 5, `3 to 5 examples: ${examples.length}`);
  for (const line of examples) {
    const args = line.replace(/\s+#.*$/, '').replace(/ \|.*$/, '').trim().replace(/^npm run evaluate( -- )?/, '');
    const r = await quick([...(args ? args.split(' ') : []), '--help']);
    assert.equal(r.code, 0, `${line}: ${r.stderr}`);
  }
  assert.ok(examples.some((l) => /--json - /.test(l)));
  assert.match(text, /\nExit codes: 0 scored, 2 bad option, unreadable dataset, unreadable or invalid prediction file\.\n/);
  const columns = (re: RegExp): Set<number> => new Set(text.split('\n').filter((l) => re.test(l)).map((l) => l.search(re)));
  assert.equal(columns(/ {2}\[(?!options)/).size, 1, 'one column of defaults');
  assert.ok(text.split('\n').every((l) => l.length <= 100));
});
