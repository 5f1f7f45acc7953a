import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseCommand, NUMBER, runIfMain, type CliIo } from './main.ts';
import { formatReport } from '../validation/format.ts';
import { DatasetError, validateDataset } from '../validation/read-dataset.ts';

const HELP = `Usage: npm run validate -- [options] [DIR]

Reads a melt_data/ dataset (meltgen's or the original generator's) and prints what a researcher
checks first: signatures detected per incident type, false alarms, trace trees, log joins,
error-rate agreement, alerts, cascade direction, and a baseline root-cause ranker's accuracy.

Options:                                                              [default]
  DIR              the melt_data folder                               [./melt_data]
  --json FILE      also write the report as JSON; "-": only the JSON, to stdout
  --z N            robust z-score threshold of a departure            [4]
  --strict         exit 1 when a bar fails
  -h, --help       this text

Examples:
  npm run validate                                       # ./melt_data, as npm run generate writes it
  npm run validate -- data/week --strict                 # exit 1 if a ground-truth bar fails (CI)
  npm run validate -- data/week --json report.json       # the table, and the report as JSON
  npm run validate -- data/week --json - | jq '.bars[] | select(.pass | not)'

Exit codes: 0 done, 1 a bar failed (with --strict), 2 bad option or unreadable dataset.
The service gives the same report as GET /v1/jobs/{id}/report (JSON) and /report.txt (this table).
`;

const OPTIONS = { json: { type: 'string' }, z: { type: 'string' }, strict: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

/** Runs the command; resolves to the exit code (0 done, 1 a bar failed with --strict, 2 bad usage or dataset). */
export async function runValidateCli(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommand(argv, OPTIONS, HELP, io, true);
  if (typeof args === 'number') return args;
  if (args.positionals.length > 1) {
    io.stderr.write(`one dataset folder at a time\n\n${HELP}`);
    return 2;
  }
  const z = args.values.z === undefined ? 4 : NUMBER.test(args.values.z) ? Number(args.values.z) : NaN;
  if (!Number.isFinite(z) || z <= 0) {
    io.stderr.write(`--z must be a positive number\n`);
    return 2;
  }
  const dir = resolve(args.positionals[0] ?? 'melt_data');
  let report;
  try {
    report = validateDataset(dir, { zThreshold: z });
  } catch (e) {
    if (!(e instanceof DatasetError) && (e as NodeJS.ErrnoException).code !== 'ENOENT' && !(e instanceof SyntaxError)) throw e;
    io.stderr.write(`cannot validate ${dir}: ${(e as Error).message}\n`);
    return 2;
  }
  const json = JSON.stringify(report, null, 2) + '\n';
  if (args.values.json === '-') io.stdout.write(json);
  else {
    // The file first: when it cannot be written, the command fails before printing a result.
    if (args.values.json) {
      try {
        await writeFile(args.values.json, json);
      } catch (e) {
        io.stderr.write(`cannot write --json ${args.values.json}: ${(e as Error).message}\n`);
        return 2;
      }
    }
    io.stdout.write(formatReport(report));
  }
  return args.values.strict && report.bars.some((b) => !b.pass) ? 1 : 0;
}

runIfMain(import.meta.url, 'meltgen validate', runValidateCli);
