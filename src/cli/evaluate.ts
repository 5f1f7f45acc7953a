import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseCommand, usageError, runIfMain, type CliIo } from './main.ts';
import { predictionIssues, type Accuracy, type Evaluation, type Predictions } from '../benchmark/predictions.ts';
import { evaluateDataset } from '../benchmark/score.ts';
import { DatasetError } from '../validation/read-dataset.ts';

const HELP = `Usage: npm run evaluate -- --predictions FILE [options]

Scores a prediction file (as npm run baseline writes it) against a melt_data/ dataset's ground
truth: RCA rankings with AC@1..5 and Avg@5 (RCAEval) at service and indicator level, overall and
per incident type, and flagged host-intervals with precision, recall, F1 and incident recall.
docs/SCORING.md gives the formulas and the prediction file format.

Options:                                                              [default]
  --predictions FILE  the prediction file (required)
  --dataset DIR       the melt_data folder                            [./melt_data]
  --json FILE         also write the evaluation as JSON; "-": only the JSON, to stdout
  -h, --help          this text

Examples:
  npm run evaluate -- --dataset data/week --predictions baro.json
  npm run evaluate -- --dataset data/week --predictions baro.json --json eval.json  # and JSON
  npm run evaluate -- --dataset data/week --predictions baro.json --json - | jq .rca.service

Exit codes: 0 scored, 2 bad option, unreadable dataset, unreadable or invalid prediction file.
`;

const OPTIONS = { predictions: { type: 'string' }, dataset: { type: 'string' }, json: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

/** Schema problems printed for an invalid prediction file: enough to fix the first ones. */
const SHOWN_ISSUES = 5;

/** Missing and unknown ids printed before "… and N more". */
const SHOWN_IDS = 10;

function figure(x: number | null): string {
  return (x === null ? 'n/a' : x.toFixed(4)).padStart(8);
}

function accuracyRow(label: string, level: string, cases: number, a: Accuracy): string {
  return `  ${label.padEnd(24)} ${level.padEnd(10)}${String(cases).padStart(6)}${figure(a['AC@1'])}${figure(a['AC@3'])}${figure(a['AC@5'])}${figure(a['Avg@5'])}`;
}

function ids(label: string, list: readonly string[]): string[] {
  if (list.length === 0) return [];
  const more = list.length > SHOWN_IDS ? ` … and ${list.length - SHOWN_IDS} more` : '';
  return [`${label}: ${list.slice(0, SHOWN_IDS).join(', ')}${more}`];
}

function share(x: number | null, numerator: number, denominator: number): string {
  return `${figure(x)}  (${numerator} / ${denominator})`;
}

/** The evaluation as a text table for people: the headline figures, per type, and what was not scored. */
export function formatEvaluation(e: Evaluation, source: { predictions: string; dataset: string }): string {
  const r = e.rca;
  const a = e.anomalies;
  const lines: string[] = [
    `meltgen evaluation of ${source.predictions}`,
    `dataset: ${source.dataset}; ${e.dataset.cases} RCA cases, ${e.dataset.labeledHostIntervals} labeled host-intervals of ${e.dataset.granularityMinutes} minutes`,
    '',
    `Root-cause analysis: ${r.predicted} of ${r.cases} cases predicted; ${r.missing.length} missing (scored 0), ${r.unknown.length} unknown ids, ${r.duplicates.length} predicted twice`,
    `  ${''.padEnd(24)} ${'level'.padEnd(10)}${'cases'.padStart(6)}${'AC@1'.padStart(8)}${'AC@3'.padStart(8)}${'AC@5'.padStart(8)}${'Avg@5'.padStart(8)}`,
    accuracyRow('all', 'service', r.cases, r.service),
    accuracyRow('', 'indicator', r.cases, r.indicator),
  ];
  for (const [type, t] of Object.entries(r.byType)) {
    lines.push(accuracyRow(type, 'service', t.cases, t.service), accuracyRow('', 'indicator', t.cases, t.indicator));
  }
  lines.push(...ids('Missing', r.missing), ...ids('Unknown ids (ignored)', r.unknown), ...ids('Predicted twice (first scored)', r.duplicates));
  lines.push(
    '',
    `Anomaly detection: ${a.predicted} host-intervals predicted, ${a.labeled} labeled${a.invalid > 0 ? `; ${a.invalid} predictions with an unreadable timestamp ignored` : ''}`,
    `  precision        ${share(a.precision, a.truePositives, a.predicted)}`,
    `  recall           ${share(a.recall, a.truePositives, a.labeled)}`,
    `  F1               ${figure(a.f1)}`,
    `  incident recall  ${share(a.incidentRecall, a.incidentsFound, a.incidents)}  incidents with a predicted host-interval`,
  );
  return lines.join('\n') + '\n';
}

/** Runs the command; resolves to the exit code (0 scored, 2 bad usage, dataset or prediction file). */
export async function runEvaluateCli(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommand(argv, OPTIONS, HELP, io, false);
  if (typeof args === 'number') return args;
  const v = args.values;
  const usage = (message: string): number => usageError(io, message);
  if (v.predictions === undefined) return usage('--predictions FILE is required (see --help)');
  let document: unknown;
  try {
    document = JSON.parse(await readFile(v.predictions, 'utf8'));
  } catch (e) {
    return usage(`cannot read --predictions ${v.predictions}: ${e instanceof SyntaxError ? `not JSON: ${e.message}` : (e as Error).message}`);
  }
  // One more than shown, to know whether to say there are more.
  const issues = predictionIssues(document, SHOWN_ISSUES + 1);
  if (issues.length > 0) {
    const shown = issues.slice(0, SHOWN_ISSUES).map((i) => `  ${i.path}: ${i.message}`);
    if (issues.length > SHOWN_ISSUES) shown.push('  …');
    return usage(`${v.predictions} is not a prediction file (docs/SCORING.md):\n${shown.join('\n')}`);
  }
  const dir = resolve(v.dataset ?? 'melt_data');
  let evaluation: Evaluation;
  try {
    evaluation = evaluateDataset(dir, document as Predictions);
  } catch (e) {
    if (!(e instanceof DatasetError)) throw e;
    return usage(`cannot read dataset ${dir}: ${e.message}`);
  }
  const json = JSON.stringify(evaluation, null, 2) + '\n';
  if (v.json === '-') {
    io.stdout.write(json);
    return 0;
  }
  // The file first: when it cannot be written, the command fails before printing a result.
  if (v.json) {
    try {
      await writeFile(v.json, json);
    } catch (e) {
      return usage(`cannot write --json ${v.json}: ${(e as Error).message}`);
    }
  }
  io.stdout.write(formatEvaluation(evaluation, { predictions: v.predictions, dataset: dir }));
  return 0;
}

runIfMain(import.meta.url, 'meltgen evaluate', runEvaluateCli);
