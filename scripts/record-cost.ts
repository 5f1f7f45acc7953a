// PostgreSQL cost of recording days in cluster mode (docs/SCALING.md): what a worker asks the job
// store for each day task (get, doneDays, get, addFiles with the day's 5 file rows), timed as a
// job fills up to 3650 days, and how many days a second the store records when many workers record
// days of one job (they take turns on the job's row) or of different jobs.
//
// Run (the machine's PostgreSQL with trust auth, as the tests use it; a database of its own is
// created and dropped):
//   node --import tsx scripts/record-cost.ts
//   node --import tsx scripts/record-cost.ts --postgres postgres://postgres@127.0.0.1:5432/postgres --json out.json
import pg from 'pg';
import { createHash, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
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

async function newJob(store: JobStore, days: number): Promise<string> {
  const id = randomUUID();
  await store.insert({ id, key: id, owner: 'bench', estimatedBytes: days * 2.6e6, config: normalizeConfig({ days }, 1), createdAt: new Date().toISOString() });
  return id;
}

/** One day task's store calls, as cluster-worker.ts makes them; ms. */
async function recordDay(store: JobStore, id: string, day: number): Promise<{ total: number; doneDays: number; addFiles: number }> {
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

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: args.postgres });
  await admin.connect();
  const version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version;
  const name = `meltgen_record_cost_${process.pid}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(args.postgres as string);
  url.pathname = `/${name}`;
  const results: Record<string, unknown> = { environment: { postgres: version, node: process.version, cpu: `${cpus().length} × ${cpus()[0]?.model ?? '?'}` } };
  process.stdout.write(`# record cost: PostgreSQL ${version}, Node ${process.version}, ${cpus().length} cores\n`);
  const store = await createPgJobStore(url.toString(), 40);
  try {
    // One job filled day after day: the cost of a day as the job grows.
    const id = await newJob(store, DAYS);
    const growth: Record<string, unknown>[] = [];
    let window: Awaited<ReturnType<typeof recordDay>>[] = [];
    for (let d = 0; d < DAYS; d++) {
      window.push(await recordDay(store, id, d));
      if (CHECKPOINTS.includes(d + 1)) {
        const row = { daysRecorded: d + 1, totalMs: median(window.map((w) => w.total)), doneDaysMs: median(window.map((w) => w.doneDays)), addFilesMs: median(window.map((w) => w.addFiles)) };
        growth.push(row);
        process.stdout.write(`days ${d + 1}: a day's store calls ${row.totalMs.toFixed(2)} ms (doneDays ${row.doneDaysMs.toFixed(2)}, addFiles ${row.addFilesMs.toFixed(2)}), median of the last ${window.length}\n`);
        window = [];
      }
    }
    results.growth = growth;

    // Many recorders at once: 32 on one job (they queue on its row lock) vs 32 on 32 jobs.
    const parallel: Record<string, unknown>[] = [];
    for (const jobs of [1, 32]) {
      const ids = await Promise.all(Array.from({ length: jobs }, () => newJob(store, 365)));
      const recorders = 32;
      const perRecorder = 11;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: recorders }, async (_, r) => {
          for (let k = 0; k < perRecorder; k++) {
            const day = r * perRecorder + k;
            await recordDay(store, ids[r % jobs] as string, day % 365);
          }
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      const row = { recorders, jobs, days: recorders * perRecorder, seconds, daysPerSecond: (recorders * perRecorder) / seconds };
      parallel.push(row);
      process.stdout.write(`${recorders} recorders on ${jobs} job(s): ${row.days} days in ${seconds.toFixed(2)} s = ${row.daysPerSecond.toFixed(0)} days/s\n`);
    }
    results.parallel = parallel;
  } finally {
    await store.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
  if (args.json) await writeFile(args.json, `${JSON.stringify(results, null, 2)}\n`);
}

await main();
