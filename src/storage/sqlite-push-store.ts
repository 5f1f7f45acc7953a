import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Announcement } from '../sinks/stream.ts';
import type { NewPush, PushKind, PushRecord, PushStatus, PushStore } from './push-store.ts';

interface PushRow {
  seq: number;
  id: string;
  kind: PushKind;
  owner: string;
  job_id: string | null;
  status: PushStatus;
  request: string;
  progress: string | null;
  shift_ms: number | null;
  error_code: string | null;
  error_message: string | null;
  created_at: string;
  finished_at: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS pushes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  owner TEXT NOT NULL,
  job_id TEXT,
  status TEXT NOT NULL,
  request TEXT NOT NULL,
  progress TEXT,
  shift_ms INTEGER,
  error_code TEXT,
  error_message TEXT,
  created_at TEXT NOT NULL,
  finished_at TEXT
);
CREATE INDEX IF NOT EXISTS pushes_owner ON pushes (owner, kind, seq);
CREATE INDEX IF NOT EXISTS pushes_status ON pushes (status);
CREATE TABLE IF NOT EXISTS push_announcements (
  push_id TEXT NOT NULL REFERENCES pushes (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (push_id, seq)
);
`;

function toPush(r: PushRow): PushRecord {
  return {
    id: r.id,
    kind: r.kind,
    owner: r.owner,
    jobId: r.job_id,
    status: r.status,
    request: JSON.parse(r.request) as Record<string, unknown>,
    progress: r.progress === null ? null : (JSON.parse(r.progress) as Record<string, unknown>),
    shiftMs: r.shift_ms,
    error: r.error_code === null ? null : { code: r.error_code, message: r.error_message ?? '' },
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
}

/** The embedded push store: tables in the service's SQLite file, through a connection of its own. */
export function createSqlitePushStore(path: string): PushStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // The job store may be opening the same file at this moment.
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  const q = {
    insert: db.prepare("INSERT INTO pushes (id, kind, owner, job_id, status, request, created_at) VALUES (@id, @kind, @owner, @job_id, 'running', @request, @created_at)"),
    get: db.prepare<[string], PushRow>('SELECT * FROM pushes WHERE id = ?'),
    list: db.prepare<[string, string, number], PushRow>('SELECT * FROM pushes WHERE owner = ? AND kind = ? ORDER BY seq DESC LIMIT ?'),
    listJob: db.prepare<[string, string, string, number], PushRow>('SELECT * FROM pushes WHERE owner = ? AND kind = ? AND job_id = ? ORDER BY seq DESC LIMIT ?'),
    running: db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM pushes WHERE status = 'running'"),
    runningOf: db.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM pushes WHERE status = 'running' AND owner = ?"),
    progress: db.prepare('UPDATE pushes SET progress = ?, shift_ms = COALESCE(?, shift_ms) WHERE id = ?'),
    finish: db.prepare(
      "UPDATE pushes SET status = @status, finished_at = @at, error_code = @error_code, error_message = @error_message WHERE id = @id AND status = 'running'",
    ),
    announce: db.prepare('INSERT OR IGNORE INTO push_announcements (push_id, seq, body) VALUES (?, ?, ?)'),
    announcements: db.prepare<[string, number], { body: string }>('SELECT body FROM push_announcements WHERE push_id = ? AND seq > ? ORDER BY seq'),
    expire: db.prepare("DELETE FROM pushes WHERE status <> 'running' AND finished_at < ?"),
    interrupt: db.prepare(
      "UPDATE pushes SET status = 'interrupted', finished_at = @at, error_code = 'SERVER_RESTARTED', error_message = @message WHERE status = 'running'",
    ),
  };
  return {
    insert(p) {
      q.insert.run({ id: p.id, kind: p.kind, owner: p.owner, job_id: p.jobId, request: JSON.stringify(p.request), created_at: p.createdAt });
      return toPush(q.get.get(p.id) as PushRow);
    },
    get(id) {
      const r = q.get.get(id);
      return r ? toPush(r) : null;
    },
    list(owner, kind, limit, jobId) {
      return (jobId === undefined ? q.list.all(owner, kind, limit) : q.listJob.all(owner, kind, jobId, limit)).map(toPush);
    },
    countRunning(owner) {
      return (owner === undefined ? q.running.get() : q.runningOf.get(owner))?.n ?? 0;
    },
    setProgress(id, progress, shiftMs) {
      q.progress.run(JSON.stringify(progress), shiftMs ?? null, id);
    },
    finish(id, status, at, error) {
      q.finish.run({ id, status, at, error_code: error?.code ?? null, error_message: error?.message ?? null });
      const r = q.get.get(id);
      return r ? toPush(r) : null;
    },
    addAnnouncement(id, a) {
      q.announce.run(id, a.seq, JSON.stringify(a));
    },
    announcements(id, after) {
      return q.announcements.all(id, after).map((r) => JSON.parse(r.body) as Announcement);
    },
    deleteEndedBefore(cutoff) {
      return q.expire.run(cutoff).changes;
    },
    interruptRunning(at, message) {
      return q.interrupt.run({ at, message }).changes;
    },
    close() {
      db.close();
    },
  };
}
