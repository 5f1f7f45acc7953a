// PostgreSQL cost of recording days in cluster mode (docs/SCALING.md).
//
// What a worker asks the job store per day task since migration 3: one call,
// `store.recordFiles(jobId, files, { catalog, at })` (the PL/pgSQL function meltgen_record_files:
// the job's row lock, the day's 5 file rows, days_done and bytes_written updated by what changed).
// The job's config and status come from the worker's cache (its once-a-second cancel check), so
// nothing else is asked per task.
//
// Measured:
// - growth: one job filled day after day to 3650 days, the median time of a day's recordFiles per
//   window between checkpoints, through a long-lived pool as a worker's. Alongside, day by day in
//   turn (same load), each on a job of its own:
//   - recordFiles on a store whose connections run with synchronous_commit=off: the difference is
//     what waiting for the commit's WAL flush costs;
//   - recordFiles in a second database whose job_files is ANALYZEd whenever it grew by 10 % (what
//     autovacuum's defaults do; the first database is never analyzed, as on a server with
//     autovacuum off or a new deployment before its first autoanalyze). Without statistics the
//     function's cached generic plans read all of the job's rows (see docs/SCALING.md);
//   - "before": the calls the worker made per day until migration 3 (get, doneDays, get, addFiles;
//     addFiles is BEGIN, row lock, insert, recount of the job's files, COMMIT), kept to show why it
//     changed. doneDays read every recorded day of the job, so it grew with the job.
// - parallel: 32 recorders at once on one job (they take turns on its row lock) and on 32 jobs,
//   with recordFiles (both databases) and with the "before" calls.
//
// Run (the machine's PostgreSQL with trust auth, as the tests use it; two databases of its own are
// created and dropped; 2–3 minutes):
//   node --import tsx scripts/record-cost.ts
//   node --import tsx scripts/record-cost.ts --postgres postgres://postgres@127.0.0.1:5432/postgres --json out.json
import pg from 'pg';
import { createHash, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { normalizeConfig } from '../src/core/config.ts';
import type { DatasetFile } from '../src/jobs/job-types.ts';
import { createPgJobStore } from '../src/storage/pg-job-store.ts';
import type { JobStore } from '../src/storage/job-store.ts';

const { values: args } = parseArgs({
  options: {
    postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    json: { type: 'string' },
  },
});
const DAYS = 3650;
const CHECKPOINTS = [1, 365, 1825, 3650];
const SIGNALS = ['metrics', 'events', 'logs', 'traces'];
const RECORDERS = 32;
const PER_RECORDER = 20;

/** A day's files as a worker records them (the default formats: 4 signals + the labels). */
function dayFiles(day: number): DatasetFile[] {
  const date = new Date(Date.UTC(2024, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
  const month = date.slice(0, 7);
  const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
  return [
    ...SIGNALS.map((s) => ({ path: `${s}/${month}/${s}_${date}.json`, dayIndex: day, bytes: 700_000, sha256: sha(`${s}${day}`) })),
    { path: `metadata/labels/${month}/labels_${date}.json`, dayIndex: day, bytes: 16_000, sha256: sha(`l${day}`) },
  ];
}
const DAY_BYTES = dayFiles(0).reduce((a, f) => a + f.bytes, 0);

async function newJob(store: JobStore, days: number): Promise<string> {
  const id = randomUUID();
  await store.insert({ id, key: id, owner: 'bench', estimatedBytes: days * 2.6e6, config: normalizeConfig({ days }, 1), createdAt: new Date().toISOString() });
  return id;
}

/** A day task's store call as cluster-worker.ts makes it now; ms. */
async function recordDay(store: JobStore, id: string, day: number): Promise<number> {
  const t0 = performance.now();
  const job = await store.recordFiles(id, dayFiles(day), { catalog: false, at: new Date().toISOString() });
  if (!job) throw new Error(`job ${id} refused the recording`);
  return performance.now() - t0;
}

/** Before migration 3: the worker's calls per day task (get, doneDays, get after rendering, addFiles); ms. */
async function recordDayBefore(store: JobStore, id: string, day: number): Promise<{ total: number; doneDays: number; addFiles: number }> {
  const t0 = performance.now();
  await store.get(id);
  const t1 = performance.now();
  await store.doneDays(id);
  const t2 = performance.now();
  await store.get(id);
  const t3 = performance.now();
  await store.addFiles(id, dayFiles(day));
  const t4 = performance.now();
  return { total: t4 - t0, doneDays: t2 - t1, addFiles: t4 - t3 };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

/** The job's totals must be exact after incremental updates. */
async function check(store: JobStore, id: string, days: number): Promise<void> {
  const job = await store.get(id);
  if (job?.daysDone !== days || job.bytesWritten !== days * DAY_BYTES) throw new Error(`job ${id}: ${job?.daysDone} days, ${job?.bytesWritten} bytes; expected ${days}, ${days * DAY_BYTES}`);
}

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: args.postgres });
  await admin.connect();
  const setting = async (name: string): Promise<string | undefined> => (await admin.query<Record<string, string>>(`SHOW ${name}`)).rows[0]?.[name];
  const version = await setting('server_version');
  const dbUrl = (db: string, options?: string): string => {
    const url = new URL(args.postgres as string);
    url.pathname = `/${db}`;
    if (options) url.searchParams.set('options', options);
    return url.toString();
  };
  const name = `meltgen_record_cost_${process.pid}`;
  const analyzedName = `${name}_analyzed`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.query(`CREATE DATABASE ${analyzedName}`);
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    environment: {
      postgres: version,
      fsync: await setting('fsync'),
      synchronous_commit: await setting('synchronous_commit'),
      shared_buffers: await setting('shared_buffers'),
      autovacuum: await setting('autovacuum'),
      node: process.version,
      cpu: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
      loadAtStart: loadavg().map((x) => round(x)),
    },
  };
  process.stdout.write(`# record cost: PostgreSQL ${version}, Node ${process.version}, ${cpus().length} cores, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
  const store = await createPgJobStore(dbUrl(name), 40);
  const noSyncStore = await createPgJobStore(dbUrl(name, '-c synchronous_commit=off'), 4);
  const analyzedStore = await createPgJobStore(dbUrl(analyzedName), 40);
  const analyzer = new pg.Client({ connectionString: dbUrl(analyzedName) });
  await analyzer.connect();
  let analyzedRows = 0;
  let rowsAtAnalyze = 0;
  /** autovacuum's default trigger: 50 rows + 10 % of the table changed since the last ANALYZE. */
  const maybeAnalyze = async (): Promise<void> => {
    if (analyzedRows - rowsAtAnalyze < 50 + 0.1 * rowsAtAnalyze) return;
    await analyzer.query('ANALYZE job_files');
    rowsAtAnalyze = analyzedRows;
  };
  try {
    // Four jobs filled day after day, in turn: the cost of a day as a job grows.
    const id = await newJob(store, DAYS);
    const noSyncId = await newJob(noSyncStore, DAYS);
    const analyzedId = await newJob(analyzedStore, DAYS);
    const beforeId = await newJob(store, DAYS);
    const growth: Record<string, unknown>[] = [];
    let win: { now: number; noSync: number; analyzed: number; before: Awaited<ReturnType<typeof recordDayBefore>> }[] = [];
    let from = 1;
    for (let d = 0; d < DAYS; d++) {
      const now = await recordDay(store, id, d);
      const noSync = await recordDay(noSyncStore, noSyncId, d);
      const analyzed = await recordDay(analyzedStore, analyzedId, d);
      analyzedRows += 5;
      await maybeAnalyze();
      win.push({ now, noSync, analyzed, before: await recordDayBefore(store, beforeId, d) });
      if (CHECKPOINTS.includes(d + 1)) {
        const row = {
          days: `${from}-${d + 1}`,
          recordFilesMs: round(median(win.map((w) => w.now))),
          recordFilesNoSyncCommitMs: round(median(win.map((w) => w.noSync))),
          recordFilesAnalyzedMs: round(median(win.map((w) => w.analyzed))),
          beforeTotalMs: round(median(win.map((w) => w.before.total))),
          beforeDoneDaysMs: round(median(win.map((w) => w.before.doneDays))),
          beforeAddFilesMs: round(median(win.map((w) => w.before.addFiles))),
        };
        growth.push(row);
        process.stdout.write(
          `days ${row.days}: recordFiles ${row.recordFilesMs} ms (synchronous_commit off ${row.recordFilesNoSyncCommitMs}, analyzed ${row.recordFilesAnalyzedMs}); before: ${row.beforeTotalMs} ms (doneDays ${row.beforeDoneDaysMs}, addFiles ${row.beforeAddFilesMs}); medians of ${win.length}\n`,
        );
        win = [];
        from = d + 2;
      }
    }
    await check(store, id, DAYS);
    await check(noSyncStore, noSyncId, DAYS);
    await check(analyzedStore, analyzedId, DAYS);
    await check(store, beforeId, DAYS);
    results.growth = growth;

    // Many recorders at once: 32 on one job (they take turns on its row lock) vs 32 on 32 jobs.
    const parallel: Record<string, unknown>[] = [];
    const paths = [
      { path: 'recordFiles', s: store, record: recordDay },
      { path: 'recordFiles, analyzed', s: analyzedStore, record: recordDay },
      { path: 'before', s: store, record: recordDayBefore },
    ];
    for (const { path, s, record } of paths) {
      for (const jobs of [1, RECORDERS]) {
        const days = (RECORDERS / jobs) * PER_RECORDER;
        const ids = await Promise.all(Array.from({ length: jobs }, () => newJob(s, days)));
        const t0 = performance.now();
        await Promise.all(
          Array.from({ length: RECORDERS }, async (_, r) => {
            const job = ids[r % jobs] as string;
            const first = Math.floor(r / jobs) * PER_RECORDER;
            for (let k = 0; k < PER_RECORDER; k++) await record(s, job, first + k);
          }),
        );
        const seconds = (performance.now() - t0) / 1000;
        for (const j of ids) await check(s, j, days);
        if (s === analyzedStore) {
          analyzedRows += RECORDERS * PER_RECORDER * 5;
          await maybeAnalyze();
        }
        const row = { path, recorders: RECORDERS, jobs, days: RECORDERS * PER_RECORDER, seconds: round(seconds, 3), daysPerSecond: round((RECORDERS * PER_RECORDER) / seconds, 0) };
        parallel.push(row);
        process.stdout.write(`${path}: ${RECORDERS} recorders on ${jobs} job(s): ${row.days} days in ${seconds.toFixed(2)} s = ${row.daysPerSecond} days/s\n`);
      }
    }
    results.parallel = parallel;
    (results.environment as Record<string, unknown>).loadAtEnd = loadavg().map((x) => round(x));
  } finally {
    await analyzer.end();
    await Promise.all([store.close(), noSyncStore.close(), analyzedStore.close()]);
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`DROP DATABASE IF EXISTS ${analyzedName} WITH (FORCE)`);
    await admin.end();
  }
  if (args.json) await writeFile(args.json, `${JSON.stringify(results, null, 2)}\n`);
}

await main();
