// The benchmark's results table: every topology × difficulty, 30 days at a fixed seed, each
// baseline's prediction file scored by the scorer; and the validator's consistency figures at
// `hard`. Writes docs/benchmark-results.json and the tables of docs/BENCHMARK.md (between the
// markers). `npm run benchmark:table [-- --days N --seed S]`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { METHODS, runBaseline } from '../src/benchmark/baselines/index.ts';
import { evaluateDataset } from '../src/benchmark/score.ts';
import { DIFFICULTIES, TOPOLOGIES } from '../src/core/config.ts';
import { validateDataset } from '../src/validation/read-dataset.ts';

const { values } = parseArgs({ options: { days: { type: 'string', default: '30' }, seed: { type: 'string', default: '7' } } });
const days = Number(values.days);
const seed = Number(values.seed);
const root = mkdtempSync(join(tmpdir(), 'meltgen-benchmark-'));
const cli = new URL('../dist/cli/generate.js', import.meta.url).pathname;

interface Row {
  topology: string;
  difficulty: string;
  cases: number;
  methods: Record<string, { serviceAC1: number | null; serviceAC3: number | null; serviceAvg5: number | null; indicatorAC1: number | null; indicatorAvg5: number | null; f1: number | null; incidentRecall: number | null }>;
}
const rows: Row[] = [];
const consistency: Record<string, Record<string, string>> = {};
const f = (x: number | null | undefined): string => (x === null || x === undefined ? '–' : x.toFixed(2));

for (const topology of TOPOLOGIES) {
  for (const difficulty of DIFFICULTIES) {
    const dir = join(root, `${topology}-${difficulty}`);
    execFileSync(process.execPath, [cli, '--out', dir, '--days', String(days), '--seed', String(seed), '--topology', topology, '--difficulty', difficulty, '--quiet']);
    const row: Row = { topology, difficulty, cases: 0, methods: {} };
    for (const method of METHODS) {
      const e = evaluateDataset(dir, runBaseline(dir, { method }));
      row.cases = e.rca.cases;
      row.methods[method] = {
        serviceAC1: e.rca.service['AC@1'],
        serviceAC3: e.rca.service['AC@3'],
        serviceAvg5: e.rca.service['Avg@5'],
        indicatorAC1: e.rca.indicator['AC@1'],
        indicatorAvg5: e.rca.indicator['Avg@5'],
        f1: e.anomalies.f1,
        incidentRecall: e.anomalies.incidentRecall,
      };
    }
    rows.push(row);
    process.stderr.write(`${topology} ${difficulty}: ${row.cases} cases, ${METHODS.map((m) => `${m} ${f(row.methods[m]?.serviceAC1)}/${f(row.methods[m]?.serviceAvg5)}`).join(', ')}\n`);
    if (difficulty === 'hard') {
      const r = validateDataset(dir);
      const pct = (x: { numerator: number; denominator: number; value: number | null }): string => `${x.value === null ? '–' : (100 * x.value).toFixed(1)} % (${x.numerator} / ${x.denominator})`;
      consistency[topology] = {
        'valid trace trees': pct(r.traces.validTrees),
        'logs joined to their span': pct(r.logs.joined),
        'log level matches span status': pct(r.logs.levelMatchesSpan),
        'cascades callee → caller': pct(r.cascades),
        'causal order along cascades': pct(r.causalOrder),
        'alerts equal to the metric': pct(r.alerts),
        'failed spans expected / counted': `${r.errorRate.expectedFailedSpans.toFixed(0)} / ${r.errorRate.failedSpans}`,
        'midnight-crossing incidents whole': pct(r.midnight),
      };
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
rmSync(root, { recursive: true, force: true });

const header = `| topology | difficulty | cases | ${METHODS.map((m) => `${m} AC@1 | ${m} Avg@5`).join(' | ')} | zscore indicator AC@1 | zscore anomaly F1 |`;
const table = [
  header,
  `|${' --- |'.repeat(header.split('|').length - 2)}`,
  ...rows.map((r) => `| ${r.topology} | ${r.difficulty} | ${r.cases} | ${METHODS.map((m) => `${f(r.methods[m]?.serviceAC1)} | ${f(r.methods[m]?.serviceAvg5)}`).join(' | ')} | ${f(r.methods.zscore?.indicatorAC1)} | ${f(r.methods.zscore?.f1)} |`),
].join('\n');
const checks = Object.keys(Object.values(consistency)[0] ?? {});
const consistencyTable = [
  `| check at hard | ${Object.keys(consistency).join(' | ')} |`,
  `|${' --- |'.repeat(Object.keys(consistency).length + 1)}`,
  ...checks.map((c) => `| ${c} | ${Object.values(consistency).map((v) => v[c]).join(' | ')} |`),
].join('\n');
writeFileSync(new URL('../docs/benchmark-results.json', import.meta.url), JSON.stringify({ days, seed, rows, consistency }, null, 2) + '\n');
const docPath = new URL('../docs/BENCHMARK.md', import.meta.url);
const doc = readFileSync(docPath, 'utf8');
const block = `<!-- results:begin -->\n${days} days, seed ${seed}; RCA at service level (AC@1, Avg@5).\n\n${table}\n\n${consistencyTable}\n<!-- results:end -->`;
writeFileSync(docPath, doc.replace(/<!-- results:begin -->[\s\S]*<!-- results:end -->/, block));
process.stdout.write(`${block}\n`);
