import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { GenerationConfig } from '../core/config.ts';
import type { DatasetFile, Job, JobError, JobStatus } from '../jobs/job-types.ts';
import type { JobPage, JobStore, NewJob, OwnerQuota, QuotaInsert } from './job-store.ts';

interface JobRow {
  seq: number;
  id: string;
  key: string;
  owner: string;
  estimated_bytes: number;
  status: JobStatus;
  config: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  days_total: number;
  days_done: number;
  bytes_written: number;
  catalog_ready: number;
  error_code: string | null;
  error_message: string | null;
}

interface FileRow {
  path: string;
  day_index: number | null;
  bytes: number;
  sha256: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  key TEXT NOT NULL,
  owner TEXT NOT NULL DEFAULT '',
  estimated_bytes INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL,
  config TEXT NOT NULL,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  days_total INTEGER NOT NULL,
  days_done INTEGER NOT NULL DEFAULT 0,
  bytes_written INTEGER NOT NULL DEFAULT 0,
  catalog_ready INTEGER NOT NULL DEFAULT 0,
  error_code TEXT,
  error_message TEXT
);
CREATE INDEX IF NOT EXISTS jobs_key ON jobs (key);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status);
CREATE INDEX IF NOT EXISTS jobs_owner ON jobs (owner, seq);
CREATE TABLE IF NOT EXISTS job_files (
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  path TEXT NOT NULL,
  day_index INTEGER,
  bytes INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  PRIMARY KEY (job_id, path)
);
`;

function toJob(row: JobRow): Job {
  const error: JobError | null = row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null;
  return {
    id: row.id,
    seq: row.seq,
    key: row.key,
    owner: row.owner,
    estimatedBytes: row.estimated_bytes,
    status: row.status,
    config: JSON.parse(row.config) as GenerationConfig,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    daysDone: row.days_done,
    daysTotal: row.days_total,
    bytesWritten: row.bytes_written,
    catalogReady: row.catalog_ready === 1,
    error,
  };
}

/**
 * The embedded job store: one SQLite file (WAL mode), so jobs and their file index survive restarts
 * without another service to run.
 */
export function createSqliteJobStore(path: string): JobStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Databases from before owners and estimates: add the columns, then the rest of the schema.
  const columns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('jobs')").all().map((c) => c.name);
  if (columns.length > 0 && !columns.includes('owner')) db.exec("ALTER TABLE jobs ADD COLUMN owner TEXT NOT NULL DEFAULT ''");
  if (columns.length > 0 && !columns.includes('estimated_bytes')) db.exec('ALTER TABLE jobs ADD COLUMN estimated_bytes INTEGER NOT NULL DEFAULT 0');
  db.exec(SCHEMA);

  const q = {
    insert: db.prepare(
      'INSERT INTO jobs (id, key, owner, estimated_bytes, status, config, created_at, days_total) VALUES (@id, @key, @owner, @estimated_bytes, @status, @config, @created_at, @days_total)',
    ),
    get: db.prepare<[string], JobRow>('SELECT * FROM jobs WHERE id = ?'),
    reusable: db.prepare<[string], JobRow>("SELECT * FROM jobs WHERE key = ? AND status IN ('queued', 'running', 'succeeded') ORDER BY seq DESC LIMIT 1"),
    page: db.prepare<[string, number, number], JobRow>('SELECT * FROM jobs WHERE owner = ? AND seq < ? ORDER BY seq DESC LIMIT ?'),
    usage: db.prepare<[string], { active: number; stored: number }>(
      `SELECT COALESCE(SUM(status IN ('queued', 'running')), 0) AS active,
              COALESCE(SUM(CASE WHEN status IN ('queued', 'running') THEN MAX(estimated_bytes, bytes_written)
                                WHEN status = 'expired' THEN 0 ELSE bytes_written END), 0) AS stored
       FROM jobs WHERE owner = ?`,
    ),
    expirable: db.prepare<[string], JobRow>("SELECT * FROM jobs WHERE status IN ('succeeded', 'failed', 'canceled') AND finished_at < ? ORDER BY seq"),
    counts: db.prepare<[], { status: string; n: number }>('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status'),
    unfinished: db.prepare<[], JobRow>("SELECT * FROM jobs WHERE status IN ('queued', 'running') ORDER BY seq"),
    status: db.prepare(
      `UPDATE jobs SET status = @status,
         started_at = CASE WHEN @status = 'running' AND started_at IS NULL THEN @at ELSE started_at END,
         finished_at = CASE WHEN @status IN ('succeeded', 'failed', 'canceled') THEN @at WHEN @status = 'expired' THEN finished_at ELSE NULL END,
         error_code = @error_code, error_message = @error_message
       WHERE id = @id`,
    ),
    statusOf: db.prepare<[string], { status: JobStatus }>('SELECT status FROM jobs WHERE id = ?'),
    addFile: db.prepare('INSERT OR REPLACE INTO job_files (job_id, path, day_index, bytes, sha256) VALUES (?, ?, ?, ?, ?)'),
    totals: db.prepare(
      `UPDATE jobs SET
         days_done = (SELECT COUNT(DISTINCT day_index) FROM job_files WHERE job_id = @id AND day_index IS NOT NULL),
         bytes_written = (SELECT COALESCE(SUM(bytes), 0) FROM job_files WHERE job_id = @id)
       WHERE id = @id`,
    ),
    catalogReady: db.prepare('UPDATE jobs SET catalog_ready = 1 WHERE id = ?'),
    files: db.prepare<[string], FileRow>('SELECT path, day_index, bytes, sha256 FROM job_files WHERE job_id = ? ORDER BY path'),
    file: db.prepare<[string, string], FileRow>('SELECT path, day_index, bytes, sha256 FROM job_files WHERE job_id = ? AND path = ?'),
    days: db.prepare<[string], { day_index: number }>('SELECT DISTINCT day_index FROM job_files WHERE job_id = ? AND day_index IS NOT NULL'),
    delete: db.prepare('DELETE FROM jobs WHERE id = ?'),
  };
  const toFile = (r: FileRow): DatasetFile => ({ path: r.path, dayIndex: r.day_index, bytes: r.bytes, sha256: r.sha256 });

  const addFiles = db.transaction((id: string, files: readonly DatasetFile[]) => {
    for (const f of files) q.addFile.run(id, f.path, f.dayIndex, f.bytes, f.sha256);
    q.totals.run({ id });
  });
  const recordFiles = db.transaction((id: string, files: readonly DatasetFile[], catalog: boolean, at: string): boolean => {
    const row = q.statusOf.get(id);
    if (!row || (row.status !== 'queued' && row.status !== 'running')) return false;
    addFiles(id, files);
    if (catalog) q.catalogReady.run(id);
    if (row.status === 'queued') q.status.run({ id, status: 'running', at, error_code: null, error_message: null });
    return true;
  });

  // better-sqlite3 is synchronous: a read and an update in one transaction cannot interleave with another.
  const transition = db.transaction((id: string, from: readonly JobStatus[], status: JobStatus, at: string, error: JobError | null): boolean => {
    const row = q.statusOf.get(id);
    if (!row || !from.includes(row.status)) return false;
    q.status.run({ id, status, at, error_code: error?.code ?? null, error_message: error?.message ?? null });
    return true;
  });

  const insertRow = (job: NewJob): void => {
    q.insert.run({
      id: job.id,
      key: job.key,
      owner: job.owner,
      estimated_bytes: job.estimatedBytes,
      status: 'queued',
      config: JSON.stringify(job.config),
      created_at: job.createdAt,
      days_total: job.config.days,
    });
  };
  const insertWithinQuota = db.transaction((job: NewJob, quota: OwnerQuota): QuotaInsert | null => {
    const r = q.usage.get(job.owner) as { active: number; stored: number };
    const usage = { activeJobs: r.active, storedBytes: r.stored };
    if (usage.activeJobs >= quota.maxActiveJobs) return { refused: 'jobs', usage };
    if (usage.storedBytes + job.estimatedBytes > quota.maxStoredBytes) return { refused: 'bytes', usage };
    insertRow(job);
    return null;
  });

  return {
    async insertWithinQuota(job, quota) {
      return insertWithinQuota(job, quota) ?? { job: toJob(q.get.get(job.id) as JobRow) };
    },
    async insert(job: NewJob): Promise<Job> {
      insertRow(job);
      return toJob(q.get.get(job.id) as JobRow);
    },
    async get(id) {
      const row = q.get.get(id);
      return row ? toJob(row) : null;
    },
    async findReusable(key) {
      const row = q.reusable.get(key);
      return row ? toJob(row) : null;
    },
    async list(owner, limit, before): Promise<JobPage> {
      const rows = q.page.all(owner, before ?? Number.MAX_SAFE_INTEGER, limit + 1);
      const jobs = rows.slice(0, limit).map(toJob);
      return { jobs, next: rows.length > limit ? (jobs[jobs.length - 1] as Job).seq : null };
    },
    async usage(owner) {
      const r = q.usage.get(owner) as { active: number; stored: number };
      return { activeJobs: r.active, storedBytes: r.stored };
    },
    async listExpirable(cutoff) {
      return q.expirable.all(cutoff).map(toJob);
    },
    async countByStatus() {
      return Object.fromEntries(q.counts.all().map((r) => [r.status, r.n]));
    },
    async listUnfinished() {
      return q.unfinished.all().map(toJob);
    },
    async setStatus(id, status, at, error = null) {
      q.status.run({ id, status, at, error_code: error?.code ?? null, error_message: error?.message ?? null });
      const row = q.get.get(id);
      return row ? toJob(row) : null;
    },
    async transition(id, from, to, at, error = null) {
      if (!transition(id, from, to, at, error)) return null;
      const row = q.get.get(id);
      return row ? toJob(row) : null;
    },
    async addFiles(id, files) {
      addFiles(id, files);
    },
    async recordFiles(id, files, opts) {
      if (!recordFiles(id, files, opts.catalog, opts.at)) return null;
      return toJob(q.get.get(id) as JobRow);
    },
    async setCatalogReady(id) {
      q.catalogReady.run(id);
    },
    async listFiles(id) {
      return q.files.all(id).map(toFile);
    },
    async getFile(id, path) {
      const row = q.file.get(id, path);
      return row ? toFile(row) : null;
    },
    async doneDays(id) {
      return new Set(q.days.all(id).map((r) => r.day_index));
    },
    async delete(id) {
      q.delete.run(id);
    },
    async close() {
      db.close();
    },
  };
}
