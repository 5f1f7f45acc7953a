import type { Announcement } from '../sinks/stream.ts';

/** Replays push a finished job's dataset; streams play a generation config out live. */
export type PushKind = 'replay' | 'stream';

/**
 * `running` until it ends: `succeeded` (all pushed), `failed` (a sink refused for good, or an
 * error), `canceled` (DELETE), or `interrupted` (the server stopped or restarted: pushes survive nothing).
 */
export type PushStatus = 'running' | 'succeeded' | 'failed' | 'canceled' | 'interrupted';

export interface PushError {
  readonly code: string;
  readonly message: string;
}

/** A replay or a stream as stored. */
export interface PushRecord {
  readonly id: string;
  readonly kind: PushKind;
  readonly owner: string;
  /** The replayed job; null for a stream. */
  readonly jobId: string | null;
  readonly status: PushStatus;
  /** What was asked, as the API returns it (sink headers reduced to their names). */
  readonly request: Readonly<Record<string, unknown>>;
  /** The last progress the thread reported; null before the first. */
  readonly progress: Readonly<Record<string, unknown>> | null;
  /** Milliseconds added to every record's time (known once started). */
  readonly shiftMs: number | null;
  readonly error: PushError | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

export type NewPush = Pick<PushRecord, 'id' | 'kind' | 'owner' | 'jobId' | 'request' | 'createdAt'>;

/**
 * Where replays and streams, and the ground truth a stream announced, are kept: their status
 * outlives them (and a restart, which ends them), so a client polling after the fact learns how
 * they ended.
 */
export interface PushStore {
  insert(push: NewPush): PushRecord;
  get(id: string): PushRecord | null;
  /** An owner's pushes of a kind (of one job, for replays), newest first, at most `limit`. */
  list(owner: string, kind: PushKind, limit: number, jobId?: string): PushRecord[];
  /** Running pushes: of an owner, or of everyone. */
  countRunning(owner?: string): number;
  setProgress(id: string, progress: Readonly<Record<string, unknown>>, shiftMs?: number): void;
  finish(id: string, status: Exclude<PushStatus, 'running'>, at: string, error: PushError | null): PushRecord | null;
  addAnnouncement(id: string, announcement: Announcement): void;
  /** A stream's announcements with `seq` above `after`, in order. */
  announcements(id: string, after: number): Announcement[];
  /** Deletes the pushes that ended before `cutoff` (ISO time), with their announcements; returns how many. */
  deleteEndedBefore(cutoff: string): number;
  /** Marks every running push interrupted (at start: the previous process's pushes ended with it); returns how many. */
  interruptRunning(at: string, message: string): number;
  close(): void;
}
