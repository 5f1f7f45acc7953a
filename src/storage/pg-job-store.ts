// The job store of cluster mode: the same records as the SQLite store, in PostgreSQL, so that
// several API nodes see the same jobs, keys and quotas. Times are kept as the ISO strings the
// SQLite store keeps (they sort as text), so both answer alike.
import pg from 'pg';
import type { GenerationConfig } from '../core/config.ts';
import type { DatasetFile, Job, JobError, JobStatus } from '../jobs/job-types.ts';
import type { JobPage, JobStore, NewJob, OwnerUsage } from './job-store.ts';

interface JobRow {
  seq: string;
  id: string;
  key: string;
  owner: string;
  estimated_bytes: string;
  status: JobStatus;
  config: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  days_total: number;
  days_done: number;
  bytes_written: string;
  catalog_ready: boolean;
  error_code: string | null;
  error_message: string | null;
}

interface FileRow {
  path: string;
  day_index: number | null;
  bytes: string;
  sha256: string;
}

/**
 * The schema's versions, in order; each runs once, in a transaction. Never edit one that has
 * shipped: add the next.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE jobs (
     seq BIGSERIAL PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     key TEXT NOT NULL,
     owner TEXT NOT NULL DEFAULT '',
     estimated_bytes BIGINT NOT NULL DEFAULT 0,
     status TEXT NOT NULL,
     config JSONB NOT NULL,
     created_at TEXT NOT NULL,
     started_at TEXT,
     finished_at TEXT,
     days_total INTEGER NOT NULL,
     days_done INTEGER NOT NULL DEFAULT 0,
     bytes_written BIGINT NOT NULL DEFAULT 0,
     catalog_ready BOOLEAN NOT NULL DEFAULT FALSE,
     error_code TEXT,
     error_message TEXT
   );
   CREATE INDEX jobs_key ON jobs (key);
   CREATE INDEX jobs_status ON jobs (status);
   CREATE INDEX jobs_owner ON jobs (owner, seq);
   CREATE TABLE job_files (
     job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
     path TEXT NOT NULL,
     day_index INTEGER,
     bytes BIGINT NOT NULL,
     sha256 TEXT NOT NULL,
     PRIMARY KEY (job_id, path)
   );`,
  // JSONB reorders an object's keys, and a config's key order reaches the simulation (the order it
  // walks a map in): a config read back from JSONB gave other incidents than the one submitted.
  // Text keeps the bytes the job was keyed and submitted with.
  `ALTER TABLE jobs ALTER COLUMN config TYPE TEXT USING config::text;`,
  // Recording a worker's day in one round trip (it was five: the per-day cost of the queue was 40 %
  // of a default day): under the job's row lock, only while the job is queued or running, totals
  // updated by what changed (exact: every recording of a job holds the lock in turn, and each
  // statement of a function sees what the ones before committed).
  `CREATE INDEX job_files_day ON job_files (job_id, day_index);
   CREATE FUNCTION meltgen_record_files(p_job TEXT, p_paths TEXT[], p_days INTEGER[], p_bytes BIGINT[], p_shas TEXT[], p_catalog BOOLEAN, p_at TEXT)
   RETURNS SETOF jobs LANGUAGE plpgsql AS $fn$
   DECLARE
     st TEXT;
     old_bytes BIGINT;
     new_days INTEGER;
   BEGIN
     SELECT status INTO st FROM jobs WHERE id = p_job FOR UPDATE;
     IF st IS NULL OR st NOT IN ('queued', 'running') THEN RETURN; END IF;
     SELECT COALESCE(SUM(bytes), 0) INTO old_bytes FROM job_files WHERE job_id = p_job AND path = ANY(p_paths);
     SELECT COUNT(DISTINCT d) INTO new_days FROM unnest(p_days) AS d
       WHERE d IS NOT NULL AND NOT EXISTS (SELECT 1 FROM job_files f WHERE f.job_id = p_job AND f.day_index = d);
     INSERT INTO job_files (job_id, path, day_index, bytes, sha256)
       SELECT p_job, * FROM unnest(p_paths, p_days, p_bytes, p_shas)
       ON CONFLICT (job_id, path) DO UPDATE SET day_index = EXCLUDED.day_index, bytes = EXCLUDED.bytes, sha256 = EXCLUDED.sha256;
     RETURN QUERY UPDATE jobs SET
         days_done = days_done + new_days,
         bytes_written = bytes_written - old_bytes + (SELECT COALESCE(SUM(b), 0) FROM unnest(p_bytes) AS b),
         catalog_ready = catalog_ready OR p_catalog,
         status = 'running',
         started_at = COALESCE(started_at, p_at)
       WHERE id = p_job RETURNING *;
   END
   $fn$;`,
  // The same function, with every lookup an index probe per path and per day: a function's
  // statements get one plan per connection after five calls, and without statistics on job_files
  // (a new deployment before its first autoanalyze) that plan read every file row of the job, so
  // recording a day slowed from 1.7 to 11 ms as a job grew to ten years. force_generic_plan also
  // keeps any planning out of the time the job's row lock is held.
  `CREATE OR REPLACE FUNCTION meltgen_record_files(p_job TEXT, p_paths TEXT[], p_days INTEGER[], p_bytes BIGINT[], p_shas TEXT[], p_catalog BOOLEAN, p_at TEXT)
   RETURNS SETOF jobs LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
   DECLARE
     st TEXT;
     old_bytes BIGINT;
     new_days INTEGER;
   BEGIN
     SELECT status INTO st FROM jobs WHERE id = p_job FOR UPDATE;
     IF st IS NULL OR st NOT IN ('queued', 'running') THEN RETURN; END IF;
     SELECT COALESCE(SUM((SELECT f.bytes FROM job_files f WHERE f.job_id = p_job AND f.path = p)), 0) INTO old_bytes FROM unnest(p_paths) AS p;
     SELECT COUNT(DISTINCT d) INTO new_days FROM unnest(p_days) AS d
       WHERE d IS NOT NULL AND (SELECT 1 FROM job_files f WHERE f.job_id = p_job AND f.day_index = d LIMIT 1) IS NULL;
     INSERT INTO job_files (job_id, path, day_index, bytes, sha256)
       SELECT p_job, * FROM unnest(p_paths, p_days, p_bytes, p_shas)
       ON CONFLICT (job_id, path) DO UPDATE SET day_index = EXCLUDED.day_index, bytes = EXCLUDED.bytes, sha256 = EXCLUDED.sha256;
     RETURN QUERY UPDATE jobs SET
         days_done = days_done + new_days,
         bytes_written = bytes_written - old_bytes + (SELECT COALESCE(SUM(b), 0) FROM unnest(p_bytes) AS b),
         catalog_ready = catalog_ready OR p_catalog,
         status = 'running',
         started_at = COALESCE(started_at, p_at)
       WHERE id = p_job RETURNING *;
   END
   $fn$;`,
];

/** Any fixed number: the advisory lock that lets one node at a time migrate. */
const MIGRATION_LOCK = 0x6d656c74; // "melt"

/**
 * Brings the database's schema up to date. Safe when several nodes start at once: a transaction
 * holds an advisory lock while it reads the version and runs what is missing.
 */
export async function migrate(pool: pg.Pool): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS meltgen_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    const { rows } = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM meltgen_migrations');
    const current = rows[0]?.v ?? 0;
    for (let v = current + 1; v <= MIGRATIONS.length; v++) {
      await client.query(MIGRATIONS[v - 1] as string);
      await client.query('INSERT INTO meltgen_migrations (version, applied_at) VALUES ($1, $2)', [v, new Date().toISOString()]);
    }
    await client.query('COMMIT');
    return MIGRATIONS.length - current;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

function toJob(r: JobRow): Job {
  return {
    id: r.id,
    seq: Number(r.seq),
    key: r.key,
    owner: r.owner,
    estimatedBytes: Number(r.estimated_bytes),
    status: r.status,
    config: JSON.parse(r.config) as GenerationConfig,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    daysDone: r.days_done,
    daysTotal: r.days_total,
    bytesWritten: Number(r.bytes_written),
    catalogReady: r.catalog_ready,
    error: r.error_code ? ({ code: r.error_code, message: r.error_message ?? '' } satisfies JobError) : null,
  };
}

/** The SET clause of a status change ($2 status, $3 time, $4 and $5 the error). */
const SET_STATUS = `status = $2,
  started_at = CASE WHEN $2 = 'running' AND started_at IS NULL THEN $3 ELSE started_at END,
  finished_at = CASE WHEN $2 IN ('succeeded', 'failed', 'canceled') THEN $3 WHEN $2 = 'expired' THEN finished_at ELSE NULL END,
  error_code = $4, error_message = $5`;

const toFile = (r: FileRow): DatasetFile => ({ path: r.path, dayIndex: r.day_index, bytes: Number(r.bytes), sha256: r.sha256 });

/**
 * The PostgreSQL job store: connects to `url` (`postgres://user@host:5432/db`), migrates the schema
 * and answers as the SQLite store does.
 */
export async function createPgJobStore(url: string, poolSize = 10): Promise<JobStore> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client's error (the server restarted) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  await migrate(pool);
  const one = async (sql: string, params: unknown[]): Promise<JobRow | null> => (await pool.query<JobRow>(sql, params)).rows[0] ?? null;
  const many = async (sql: string, params: unknown[]): Promise<Job[]> => (await pool.query<JobRow>(sql, params)).rows.map(toJob);
  const get = async (id: string): Promise<Job | null> => {
    const r = await one('SELECT * FROM jobs WHERE id = $1', [id]);
    return r ? toJob(r) : null;
  };
  const INSERT = `INSERT INTO jobs (id, key, owner, estimated_bytes, status, config, created_at, days_total)
                  VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7) RETURNING *`;
  const insertParams = (job: NewJob): unknown[] => [job.id, job.key, job.owner, job.estimatedBytes, JSON.stringify(job.config), job.createdAt, job.config.days];
  const USAGE = `SELECT COALESCE(SUM(CASE WHEN status IN ('queued', 'running') THEN 1 ELSE 0 END), 0) AS active,
                        COALESCE(SUM(CASE WHEN status IN ('queued', 'running') THEN GREATEST(estimated_bytes, bytes_written)
                                          WHEN status = 'expired' THEN 0 ELSE bytes_written END), 0) AS stored
                 FROM jobs WHERE owner = $1`;
  const toUsage = (rows: Array<{ active: string; stored: string }>): OwnerUsage => ({ activeJobs: Number(rows[0]?.active ?? 0), storedBytes: Number(rows[0]?.stored ?? 0) });
  return {
    async insert(job: NewJob) {
      return toJob((await one(INSERT, insertParams(job))) as JobRow);
    },
    async insertWithinQuota(job, quota) {
      // An advisory lock per owner, held to the end of the transaction: a key's submissions take
      // turns on every API node, and each counts the others' committed jobs.
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query("SELECT pg_advisory_xact_lock(hashtextextended('meltgen-owner:' || $1, 0))", [job.owner]);
        const usage = toUsage((await client.query<{ active: string; stored: string }>(USAGE, [job.owner])).rows);
        let refused: 'jobs' | 'bytes' | null = null;
        if (usage.activeJobs >= quota.maxActiveJobs) refused = 'jobs';
        else if (usage.storedBytes + job.estimatedBytes > quota.maxStoredBytes) refused = 'bytes';
        if (refused) {
          await client.query('ROLLBACK');
          return { refused, usage };
        }
        const row = (await client.query<JobRow>(INSERT, insertParams(job))).rows[0] as JobRow;
        await client.query('COMMIT');
        return { job: toJob(row) };
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    get,
    async findReusable(key) {
      const r = await one("SELECT * FROM jobs WHERE key = $1 AND status IN ('queued', 'running', 'succeeded') ORDER BY seq DESC LIMIT 1", [key]);
      return r ? toJob(r) : null;
    },
    async list(owner, limit, before): Promise<JobPage> {
      const jobs = await many('SELECT * FROM jobs WHERE owner = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3', [owner, before ?? Number.MAX_SAFE_INTEGER, limit + 1]);
      const page = jobs.slice(0, limit);
      return { jobs: page, next: jobs.length > limit ? (page[page.length - 1] as Job).seq : null };
    },
    async usage(owner) {
      return toUsage((await pool.query<{ active: string; stored: string }>(USAGE, [owner])).rows);
    },
    async listExpirable(cutoff) {
      return many("SELECT * FROM jobs WHERE status IN ('succeeded', 'failed', 'canceled') AND finished_at < $1 ORDER BY seq", [cutoff]);
    },
    async countByStatus() {
      const { rows } = await pool.query<{ status: string; n: string }>('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status');
      return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    },
    async listUnfinished() {
      return many("SELECT * FROM jobs WHERE status IN ('queued', 'running') ORDER BY seq", []);
    },
    async setStatus(id, status, at, error = null) {
      const r = await one(`UPDATE jobs SET ${SET_STATUS} WHERE id = $1 RETURNING *`, [id, status, at, error?.code ?? null, error?.message ?? null]);
      return r ? toJob(r) : null;
    },
    async transition(id, from, to, at, error = null) {
      // One statement: the row lock makes concurrent transitions of a job take turns, and the
      // second sees the first one's status.
      const r = await one(`UPDATE jobs SET ${SET_STATUS} WHERE id = $1 AND status = ANY($6::text[]) RETURNING *`, [id, to, at, error?.code ?? null, error?.message ?? null, [...from]]);
      return r ? toJob(r) : null;
    },
    async addFiles(id, files) {
      // A day's files and the job's totals in one transaction: a day is recorded whole or not at all.
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        // The job's row first: two workers recording days of one job take turns, and the totals
        // below (read after the lock, in READ COMMITTED) count the other's committed files.
        await client.query('SELECT 1 FROM jobs WHERE id = $1 FOR UPDATE', [id]);
        // All of a day's files in one statement.
        await client.query(
          `INSERT INTO job_files (job_id, path, day_index, bytes, sha256)
           SELECT $1, * FROM unnest($2::text[], $3::int[], $4::bigint[], $5::text[])
           ON CONFLICT (job_id, path) DO UPDATE SET day_index = EXCLUDED.day_index, bytes = EXCLUDED.bytes, sha256 = EXCLUDED.sha256`,
          [id, files.map((f) => f.path), files.map((f) => f.dayIndex), files.map((f) => f.bytes), files.map((f) => f.sha256)],
        );
        await client.query(
          `UPDATE jobs SET
             days_done = (SELECT COUNT(DISTINCT day_index) FROM job_files WHERE job_id = $1 AND day_index IS NOT NULL),
             bytes_written = (SELECT COALESCE(SUM(bytes), 0) FROM job_files WHERE job_id = $1)
           WHERE id = $1`,
          [id],
        );
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    async recordFiles(id, files, opts) {
      const r = await one('SELECT * FROM meltgen_record_files($1, $2, $3, $4, $5, $6, $7)', [
        id,
        files.map((f) => f.path),
        files.map((f) => f.dayIndex),
        files.map((f) => f.bytes),
        files.map((f) => f.sha256),
        opts.catalog,
        opts.at,
      ]);
      return r ? toJob(r) : null;
    },
    async setCatalogReady(id) {
      await pool.query('UPDATE jobs SET catalog_ready = TRUE WHERE id = $1', [id]);
    },
    async listFiles(id) {
      return (await pool.query<FileRow>('SELECT path, day_index, bytes, sha256 FROM job_files WHERE job_id = $1 ORDER BY path COLLATE "C"', [id])).rows.map(toFile);
    },
    async getFile(id, path) {
      const r = (await pool.query<FileRow>('SELECT path, day_index, bytes, sha256 FROM job_files WHERE job_id = $1 AND path = $2', [id, path])).rows[0];
      return r ? toFile(r) : null;
    },
    async doneDays(id) {
      const { rows } = await pool.query<{ day_index: number }>('SELECT DISTINCT day_index FROM job_files WHERE job_id = $1 AND day_index IS NOT NULL', [id]);
      return new Set(rows.map((r) => r.day_index));
    },
    async delete(id) {
      await pool.query('DELETE FROM jobs WHERE id = $1', [id]);
    },
    async close() {
      await pool.end();
    },
  };
}
