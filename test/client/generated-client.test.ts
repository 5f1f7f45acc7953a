import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { generateClientTypes } from '../../scripts/client-types.ts';
import { startServer } from '../helpers/server.ts';
import { tempDir } from '../helpers/dataset.ts';
import { runFlow } from './flow.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOCUMENT = new URL('../../openapi/openapi.json', import.meta.url);
const TYPES = new URL('../../openapi/meltgen-api.d.ts', import.meta.url);
const FLOW = fileURLToPath(new URL('./flow.ts', import.meta.url));

test('openapi/meltgen-api.d.ts is what openapi-typescript generates from openapi/openapi.json (run `npm run openapi`)', async () => {
  assert.equal(await readFile(TYPES, 'utf8'), await generateClientTypes(DOCUMENT));
});

test('the client uses no `as`, no `!` and no `any`: the generated types need no help', async () => {
  const source = ts.createSourceFile(FLOW, await readFile(FLOW, 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    const at = (): string => `line ${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${node.getText().slice(0, 60)}`;
    if (ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) found.push(`cast, ${at()}`);
    if (ts.isNonNullExpression(node)) found.push(`non-null assertion, ${at()}`);
    if (node.kind === ts.SyntaxKind.AnyKeyword) found.push(`any, ${at()}`);
    ts.forEachChild(node, visit);
  };
  visit(source);
  assert.deepEqual(found, []);
});

test('the client type-checks with tsc --strict against the generated types', async () => {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  // --skipLibCheck: the client's code is what is checked, not @types/node's declarations (checking
  // those was 2/3 of the run: 6.9 s against 2.4 s).
  const args = [tsc, '--strict', '--noEmit', '--skipLibCheck', '--noUncheckedIndexedAccess', '--exactOptionalPropertyTypes', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--allowImportingTsExtensions', '--types', 'node', FLOW];
  const result = await run(process.execPath, args, { cwd: ROOT }).then(
    () => '',
    (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ''}${e.stderr ?? ''}`,
  );
  assert.equal(result, '', result);
});

test('the README’s TypeScript recipe type-checks the same way', async (t) => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const recipe = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(recipe, 'a ts block in the README');
  // Beside the committed types, under a name no other test uses; removed afterwards.
  const file = fileURLToPath(new URL(`../../openapi/.readme-recipe-${process.pid}.ts`, import.meta.url));
  await writeFile(file, `export {};\n${recipe}`);
  t.after(() => rm(file, { force: true }));
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = [tsc, '--strict', '--noEmit', '--skipLibCheck', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--allowImportingTsExtensions', '--types', 'node', file];
  const result = await run(process.execPath, args, { cwd: ROOT }).then(
    () => '',
    (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ''}${e.stderr ?? ''}`,
  );
  assert.equal(result, '', result);
});

test('the generated client runs the whole flow against a real server', async (t) => {
  const dataDir = await tempDir(t, 'meltgen-client-');
  const key = 'client-test-key-0123456789';
  const server = await startServer(t, { MELT_DATA_DIR: dataDir, MELT_API_KEYS: `client:${key}` });
  const result = await runFlow(server.url, { startDate: '2024-06-30', days: 2, hostsPerService: 1, granularityMinutes: 60, incidentRate: 2, seed: 20240601, formats: ['json', 'parquet'] }, key);

  assert.equal(result.job.status, 'succeeded');
  assert.equal(result.job.config.seed, 20240601);
  assert.equal(result.deduplicated, true);
  // The same dataset as the golden one: compare with its files, read without the client.
  const golden = fileURLToPath(new URL('../golden/tiny/melt_data/', import.meta.url));
  const readGolden = async <T>(path: string): Promise<T> => JSON.parse(await readFile(join(golden, path), 'utf8')) as T;
  const catalog = await readGolden<{ summary: { total_incidents: number }; incidents: { is_primary: boolean; type: string }[] }>('metadata/incident_catalog.json');
  assert.equal(result.incidents, catalog.summary.total_incidents);
  assert.deepEqual(result.primaryTypes, catalog.incidents.filter((i) => i.is_primary).map((i) => i.type));
  const metrics = await readGolden<{ metrics: Record<string, number> }[]>('metrics/2024-06/metrics_2024-06-30.json');
  assert.equal(result.metricsRows, metrics.length);
  assert.equal(result.cpuOfFirstMetric, metrics[0]?.metrics['system.cpu.util']);
  const events = await readGolden<{ type: string }[]>('events/2024-06/events_2024-06-30.json');
  assert.deepEqual(result.eventTypes, [...new Set(events.map((e) => e.type))].sort());
  const logs = await readGolden<{ level: string }[]>('logs/2024-06/logs_2024-06-30.json');
  assert.equal(result.errorLogs, logs.filter((l) => l.level === 'ERROR').length);
  const spans = await readGolden<{ parent_span_id: string | null }[]>('traces/2024-06/traces_2024-06-30.json');
  assert.equal(result.spans, spans.length);
  assert.equal(result.rootSpans, spans.filter((s) => s.parent_span_id === null).length);
  assert.ok(result.labelRoles.includes('root_cause'), `label roles ${result.labelRoles.join(', ')}`);
  assert.ok(result.files >= 11, `${result.files} files`);
  assert.ok(result.bars > 0 && result.passedBars <= result.bars);
  assert.match(result.reportText, /PASS|FAIL/);
  assert.ok(result.archiveBytes > 0);
  assert.equal(result.archiveLength, String(result.archiveBytes), 'a stored zip is sent with its exact Content-Length');
  assert.equal(result.notFound.code, 'JOB_NOT_FOUND');
  assert.equal(result.notFound.status, 404);
  assert.equal(result.parquetMagic, 'PAR1');
  assert.equal(result.perfectAC1, result.primaryTypes.length > 0 ? 1 : null, 'the catalog’s own root causes score 1');
});

test('Redocly lint (recommended rules) finds no error in openapi/openapi.json', async () => {
  const cli = join(ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
  const out = await run(process.execPath, [cli, 'lint', fileURLToPath(DOCUMENT), '--format=json'], { cwd: ROOT, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }, maxBuffer: 32 * 1024 * 1024 }).then(
    (r) => r.stdout,
    (e: { stdout?: string }) => e.stdout ?? '',
  );
  const report = JSON.parse(out) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[] };
  const errors = report.problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? ''}`);
  assert.deepEqual(errors, []);
  // The warnings the README explains, and no others.
  const warnings = [...new Set(report.problems.filter((p) => p.severity === 'warn').map((p) => p.ruleId))].sort();
  assert.deepEqual(warnings, EXPLAINED_WARNINGS, JSON.stringify(report.problems.filter((p) => p.severity === 'warn').slice(0, 5), null, 1));
});

/** Redocly warnings the README's "Calling meltgen from another service" section explains. */
const EXPLAINED_WARNINGS: string[] = [];
