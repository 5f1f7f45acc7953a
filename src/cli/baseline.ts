import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseCommand, usageError, NUMBER, runIfMain, type CliIo } from './main.ts';
import { DatasetError } from '../benchmark/metric-series.ts';
import { BARO_DEFAULT_THRESHOLD, METHODS, runBaseline, serializePredictions, ZSCORE_DEFAULT_THRESHOLD, type MethodName, type Predictions } from '../benchmark/baselines/index.ts';

const HELP = `Usage: npm run baseline -- --method NAME [options]

Runs a baseline method on a melt_data/ dataset and writes its prediction file: for each RCA case of
the catalog (one per primary incident) a ranking of every service:metric indicator, best first, and
the host-intervals the method calls anomalous. The methods read the metrics only.

Methods:
  random   a seeded random ranking per case; about 1 % of host-intervals flagged
  zscore   NSigma (RCAEval): |x − mean| / std of the 4 h before the anomaly time,
           highest over the hour from it; the largest of a service's hosts
  baro     BARO's robust scorer: |x − median| / IQR over the same windows

Options:                                                                     [default]
  --method NAME         random, zscore or baro (required)
  --dataset DIR         the melt_data folder                                 [./melt_data]
  --out FILE            where the predictions go; "-": stdout                [-]
  --seed N              random: the seed of its draws, 0..4294967295         [0]
  --time start|detected zscore, baro: anomaly time, the case's start or
                        its first alert (its start when none fired)          [detected]
  --threshold X         zscore, baro: score that flags a host-interval       [3 zscore, 5 baro]
  -h, --help            this text

Examples:
  npm run baseline -- --method baro --dataset data/week --out baro.json   # BARO's predictions
  npm run baseline -- --method zscore --dataset data/week --time start    # told the true start
  npm run baseline -- --method random --dataset data/week --seed 7 --out random.json
  npm run baseline -- --method baro --dataset data/week | jq '.rca[0].ranking[:3]'

Exit codes: 0 written, 2 bad option, unreadable dataset or unwritable --out.
Anomalies: each host and metric is scored against its own whole-dataset mean and std (zscore) or
median and IQR (baro); a host-interval is flagged when one of its seven candidate metrics reaches
--threshold. A summary goes to stderr unless --out is "-".
`;

const OPTIONS = {
  method: { type: 'string' },
  dataset: { type: 'string' },
  out: { type: 'string' },
  seed: { type: 'string' },
  time: { type: 'string' },
  threshold: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs the command; resolves to the exit code (0 written, 2 bad usage, dataset or output). */
export async function runBaselineCli(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommand(argv, OPTIONS, HELP, io, false);
  if (typeof args === 'number') return args;
  const v = args.values;
  const usage = (message: string): number => usageError(io, message);
  if (v.method === undefined) return usage(`--method is required: ${METHODS.join(', ')}`);
  if (!(METHODS as readonly string[]).includes(v.method)) return usage(`--method must be one of ${METHODS.join(', ')}`);
  const method = v.method as MethodName;
  const seed = v.seed === undefined ? 0 : /^\d+$/.test(v.seed) ? Number(v.seed) : NaN;
  if (!Number.isSafeInteger(seed) || seed > 4_294_967_295) return usage('--seed must be an integer in 0..4294967295');
  if (v.time !== undefined && v.time !== 'start' && v.time !== 'detected') return usage('--time must be start or detected');
  const threshold = v.threshold === undefined ? undefined : NUMBER.test(v.threshold) ? Number(v.threshold) : NaN;
  if (threshold !== undefined && !(Number.isFinite(threshold) && threshold > 0)) return usage('--threshold must be a positive number');
  const dir = resolve(v.dataset ?? 'melt_data');
  const out = v.out ?? '-';
  let predictions: Predictions;
  try {
    predictions = runBaseline(dir, { method, seed, time: v.time, threshold });
  } catch (e) {
    if (!(e instanceof DatasetError) && (e as NodeJS.ErrnoException).code !== 'ENOENT' && !(e instanceof SyntaxError)) throw e;
    return usage(`cannot read ${dir}: ${(e as Error).message}`);
  }
  const text = serializePredictions(predictions);
  if (out === '-') {
    io.stdout.write(text);
    return 0;
  }
  try {
    await writeFile(out, text);
  } catch (e) {
    return usage(`cannot write --out ${out}: ${(e as Error).message}`);
  }
  const detail = method === 'random' ? `seed ${seed}` : `${v.time ?? 'detected'} time, threshold ${threshold ?? (method === 'zscore' ? ZSCORE_DEFAULT_THRESHOLD : BARO_DEFAULT_THRESHOLD)}`;
  io.stderr.write(`${method} (${detail}): ${predictions.rca.length} cases ranked, ${predictions.anomalies.length} host-intervals flagged -> ${out}\n`);
  return 0;
}

runIfMain(import.meta.url, 'meltgen baseline', runBaselineCli);
