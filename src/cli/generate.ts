import { randomInt } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { joinNegativeNumbers, NUMBER, runIfMain, type CliIo } from './main.ts';
import { ConfigError, normalizeConfig, SIGNALS } from '../core/config.ts';
import { INCIDENT_TYPES } from '../core/incident-types.ts';
import { buildCatalog, type IncidentCatalog } from '../core/catalog.ts';
import { createSimulation, dayDate } from '../core/simulation.ts';
import { createDayPool, DayPoolError } from '../jobs/day-pool.ts';
import { writeMetadata, type DayWritten } from '../output/json-writer.ts';

const HELP = `Usage: npm run generate -- [options]

Writes a melt_data/ dataset (metrics, events, logs, traces, metadata) to a folder.
With no options, the original generator's defaults: a full year into ./melt_data.

Options:                                                                  [default]
  --out DIR                 output folder (the melt_data folder itself)   [./melt_data]
  --days N                  number of days                                [365]
  --start-date YYYY-MM-DD   first day (UTC)                               [2024-06-01]
  --granularity MIN         minutes between samples, must divide 1440     [15]
  --hosts-per-service N     hosts of each service                         [5]
  --regions A,B,...         regions                                       [us-east-1,eu-west-1,on-prem-dc1]
  --seed N                  seed, 0..4294967295                           [random, printed]
  --incident-rate R         mean primary incidents per day                [0.3]
  --cascade-delay MIN       delay per cascade hop                         [15]
  --traces-per-entry-host N sampled traces per entry host and interval    [1]
  --quiet-gap MIN           normal stretch before each primary incident   [120]
  --annotate-records        add incident_id/incident_type to data rows (debugging)
  --signals A,B,...         any of metrics,events,logs,traces             [all]
  --formats A,B,...         any of json,ndjson,parquet,otlp,openmetrics   [json]
  --compression none|gzip   gzip the ndjson, otlp and openmetrics files   [none]
  --topology NAME           online-boutique, sock-shop or train-ticket    [default]
  --difficulty LEVEL        easy, realistic or hard (a preset of knobs)   [easy]
  --config FILE             a JSON config: {"services": [...], "incidentMix": {...}, ...};
                            the options above override its fields
  --threads N               threads rendering days in parallel, 1..64     [cores]
  --force                   replace the dataset in --out (other files stay)
  --quiet                   print nothing but errors (npm run -s also hides npm's lines)
  -h, --help                this text

Examples:
  npm run generate -- --days 7 --seed 42 --out data/week      # a week, the same data every time
  npm run generate -- --config services.json --days 30        # your own services and call graph
  npm run generate -- --days 7 --signals metrics,traces       # only metrics and traces
  npm run generate -- --topology sock-shop --difficulty hard  # a benchmark set (a year)
  npm run validate -- data/week                               # then check it against its ground truth

Exit codes: 0 written, 1 generation failed, 2 bad option or config (nothing written or removed).
Progress goes to stderr in date order, the summary to stdout. \`npm run validate -- DIR\` reads a
dataset and reports how each incident's signature shows in the data (its --help has more).
`;

const FLAG_TO_FIELD: Record<string, string> = {
  days: 'days',
  'start-date': 'startDate',
  granularity: 'granularityMinutes',
  'hosts-per-service': 'hostsPerService',
  seed: 'seed',
  'incident-rate': 'incidentRate',
  'cascade-delay': 'cascadeDelayMinutes',
  'traces-per-entry-host': 'tracesPerEntryHost',
  'quiet-gap': 'quietGapMinutes',
};

const OPTIONS = {
  out: { type: 'string' },
  days: { type: 'string' },
  'start-date': { type: 'string' },
  granularity: { type: 'string' },
  'hosts-per-service': { type: 'string' },
  regions: { type: 'string' },
  seed: { type: 'string' },
  'incident-rate': { type: 'string' },
  'cascade-delay': { type: 'string' },
  'traces-per-entry-host': { type: 'string' },
  'quiet-gap': { type: 'string' },
  'annotate-records': { type: 'boolean' },
  signals: { type: 'string' },
  formats: { type: 'string' },
  compression: { type: 'string' },
  topology: { type: 'string' },
  difficulty: { type: 'string' },
  config: { type: 'string' },
  threads: { type: 'string' },
  force: { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A number when the text is one, else the text itself, so the config check names the bad field. */
function numberOrText(text: string): number | string {
  return NUMBER.test(text) ? Number(text) : text;
}

function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e3).toFixed(1)} kB`;
}

/** The original's closing summary: incidents by root-cause type, with the cascades they caused. */
export function summaryText(catalog: IncidentCatalog): string {
  const s = catalog.summary;
  const lines = [
    'Incident summary',
    `  total incidents:     ${s.total_incidents}`,
    `  primary incidents:   ${s.primary_incidents}`,
    `  cascaded incidents:  ${s.cascading_incidents}`,
    `  crossing midnight:   ${s.midnight_crossing_incidents}`,
    `  overlapping others:  ${s.overlapping_incidents}`,
    '',
    '  root cause type          incidents  cascaded',
  ];
  for (const t of INCIDENT_TYPES) {
    const r = s.root_cause_types[t];
    if (!r || (r.incidents === 0 && r.cascaded_incidents === 0)) continue;
    lines.push(`  ${t.padEnd(24)} ${String(r.incidents).padStart(9)} ${String(r.cascaded_incidents).padStart(9)}`);
  }
  return lines.join('\n') + '\n';
}

/** Whether `dir` is missing or empty; throws when it is something else (a file, unreadable). */
async function isEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw e;
  }
}

/**
 * The progress lines, given each day as it finishes. Threads finish days in any order. On a
 * terminal, a bar counts the days done (no date). Elsewhere, the original's lines come in date
 * order: a day waits for the ones before it, so a date goes with its own share of the run
 * (`Completed 2024-06-03 (75.0%)`: that day and every one before it are written).
 */
export function progressPrinter(tty: boolean, write: (text: string) => void, started = performance.now()): (d: DayWritten) => void {
  let bytes = 0;
  const finished = new Map<number, DayWritten>();
  let nextToPrint = 0;
  return (d) => {
    bytes += d.bytes;
    if (tty) {
      const secs = (performance.now() - started) / 1000;
      const eta = (secs / d.daysDone) * (d.daysTotal - d.daysDone);
      const width = 30;
      const filled = Math.round((width * d.daysDone) / d.daysTotal);
      write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${d.daysDone}/${d.daysTotal} days  ${formatBytes(bytes)}  ETA ${eta.toFixed(0)}s  `);
      if (d.daysDone === d.daysTotal) write('\n');
      return;
    }
    finished.set(d.dayIndex, d);
    for (let next = finished.get(nextToPrint); next; next = finished.get(nextToPrint)) {
      finished.delete(nextToPrint);
      nextToPrint++;
      write(`Completed ${next.date} (${((100 * nextToPrint) / next.daysTotal).toFixed(1)}%) - ${next.primaryIncidents} primary incident(s)\n`);
    }
  };
}

/** Runs the command; resolves to the process exit code (0 written, 1 generation failed, 2 bad usage or config). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let args;
  try {
    args = parseArgs({ args: joinNegativeNumbers(argv, OPTIONS), strict: true, options: OPTIONS });
  } catch (e) {
    io.stderr.write(`${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  const v = args.values;
  if (v.help) {
    io.stdout.write(HELP);
    return 0;
  }
  // Every check that can refuse the command comes before anything is written or removed.
  const threads = v.threads === undefined ? availableParallelism() : numberOrText(v.threads);
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > 64) {
    io.stderr.write(`--threads must be a whole number from 1 to 64\n`);
    return 2;
  }

  let input: Record<string, unknown> = {};
  if (v.config) {
    try {
      input = JSON.parse(await readFile(v.config, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      io.stderr.write(`cannot read --config ${v.config}: ${(e as Error).message}\n`);
      return 2;
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      io.stderr.write(`--config ${v.config} must hold a JSON object\n`);
      return 2;
    }
  }
  for (const [flag, field] of Object.entries(FLAG_TO_FIELD)) {
    const text = v[flag as keyof typeof v];
    if (typeof text === 'string') input[field] = field === 'startDate' ? text : numberOrText(text);
  }
  if (v.regions !== undefined) input.regions = v.regions.split(',').map((s) => s.trim());
  if (v['annotate-records']) input.annotateRecords = true;
  if (v.signals !== undefined) input.signals = v.signals.split(',').map((s) => s.trim());
  if (v.formats !== undefined) input.formats = v.formats.split(',').map((s) => s.trim());
  if (v.compression !== undefined) input.compression = v.compression;
  if (v.topology !== undefined) input.topology = v.topology;
  if (v.difficulty !== undefined) input.difficulty = v.difficulty;

  let config;
  try {
    config = normalizeConfig(input, randomInt(0, 2 ** 32));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    io.stderr.write('Invalid configuration:\n');
    for (const issue of e.issues) io.stderr.write(`  ${issue.field}: ${issue.message}\n`);
    return 2;
  }

  const out = resolve(v.out ?? 'melt_data');
  let empty;
  try {
    empty = await isEmptyDir(out);
  } catch (e) {
    io.stderr.write(`--out ${out} is not a folder meltgen can use: ${(e as Error).message}\n`);
    return 2;
  }
  if (!empty && !v.force) {
    io.stderr.write(`${out} is not empty; pass --force to replace the dataset in it\n`);
    return 2;
  }

  const sim = createSimulation(config);
  const say = (text: string): void => {
    if (!v.quiet) io.stderr.write(text);
  };
  say(
    [
      `Starting generation for ${config.days} days...`,
      `Granularity: ${config.granularityMinutes} minutes`,
      `Total data points per day: ${1440 / config.granularityMinutes}`,
      `Total hosts: ${sim.topology.hosts.length}`,
      `Seed: ${config.seed}`,
      '-'.repeat(60),
      '',
    ].join('\n'),
  );
  const started = performance.now();
  try {
    // Only the dataset's own folders: anything else the user keeps there stays.
    if (!empty) for (const sub of [...SIGNALS, 'metadata']) await rm(resolve(out, sub), { recursive: true, force: true });
    // Before any thread starts: a folder that cannot be written is refused as such.
    await mkdir(resolve(out, 'metadata'), { recursive: true });
  } catch (e) {
    io.stderr.write(`cannot write to ${out}: ${(e as Error).message}\n`);
    return 1;
  }
  // Days are independent: a pool of threads renders them in any order, with the same bytes. The
  // threads start first, and load while this thread builds the catalog (about 0.1 s each).
  const pool = createDayPool({ config, outDir: out, threads, hash: false, minFreeBytes: 0, dayBytes: 0 });
  let prepared: () => void = () => undefined;
  // The first thread clears half-written files of a killed run: the metadata is written after that.
  const cleared = new Promise<void>((resolve) => (prepared = resolve));
  let done = 0;
  let bytes = 0;
  const dayLines: (() => void)[] = [];
  let onDay: ((day: DayWritten) => void) | null = null;
  const starts = new Map<string, number>();
  const running = pool.run(
    Array.from({ length: config.days }, (_, d) => d),
    false,
    {
      prepared: () => prepared(),
      day: (dayIndex, files) => {
        done++;
        const date = dayDate(sim, dayIndex);
        const dayBytes = files.reduce((a, f) => a + f.bytes, 0);
        bytes += dayBytes;
        const daysDone = done;
        const report = (): void => onDay?.({ dayIndex, date, daysDone, daysTotal: config.days, bytes: dayBytes, primaryIncidents: starts.get(date) ?? 0 });
        // Progress waits for the catalog (it counts each day's incidents).
        if (onDay) report();
        else dayLines.push(report);
      },
    },
  );
  // A failure before the metadata is written is reported below, by the race or the final await.
  running.catch(() => undefined);
  let catalog;
  try {
    catalog = buildCatalog(sim);
    await Promise.race([cleared, running]);
    await writeMetadata(sim, out, catalog);
  } catch (e) {
    await pool.terminate();
    if (e instanceof DayPoolError) {
      io.stderr.write(`\ngeneration failed: ${e.failure.message}\n`);
      return 1;
    }
    io.stderr.write(`cannot write to ${out}: ${(e as Error).message}\n`);
    return 1;
  }
  for (const inc of catalog.incidents) if (inc.is_primary) starts.set(inc.start_time.slice(0, 10), (starts.get(inc.start_time.slice(0, 10)) ?? 0) + 1);
  onDay = progressPrinter(io.stderr.isTTY === true, say, started);
  for (const line of dayLines.splice(0)) line();
  try {
    await running;
  } catch (e) {
    io.stderr.write(`\ngeneration failed: ${e instanceof DayPoolError ? e.failure.message : (e as Error).message}\n`);
    return 1;
  } finally {
    await pool.terminate();
  }
  if (v.quiet) return 0;
  const secs = (performance.now() - started) / 1000;
  io.stdout.write(`\nWrote ${formatBytes(bytes)} to ${out} in ${secs.toFixed(1)} s (seed ${config.seed})\n\n`);
  io.stdout.write(summaryText(catalog));
  return 0;
}

runIfMain(import.meta.url, 'meltgen', runCli);
