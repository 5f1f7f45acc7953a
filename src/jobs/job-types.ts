import type { GenerationConfig } from '../core/config.ts';

/**
 * Where a job is in its life: queued -> running -> succeeded | failed; canceled from queued or
 * running; a finished job becomes expired when its retention ends and its files are deleted.
 */
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled' | 'expired';

export const JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'succeeded', 'failed', 'canceled', 'expired'];

/** Statuses in which no work is left to do. */
export const FINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'canceled', 'expired']);

export interface JobError {
  readonly code: string;
  readonly message: string;
}

/** A generation job as stored. Times are ISO 8601 UTC strings. */
export interface Job {
  readonly id: string;
  /** Insertion order; the list is newest first by it, and cursors point into it. */
  readonly seq: number;
  /** Hash of the owner, the normalized config and the generator version: equal keys, equal datasets. */
  readonly key: string;
  /** Name of the API key that submitted the job; empty when the server runs open. */
  readonly owner: string;
  /** Estimated size of the whole dataset, computed before it was queued. */
  readonly estimatedBytes: number;
  readonly status: JobStatus;
  readonly config: GenerationConfig;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly daysDone: number;
  readonly daysTotal: number;
  readonly bytesWritten: number;
  /** Whether the incident catalog has been written (it is, before the first day). */
  readonly catalogReady: boolean;
  readonly error: JobError | null;
}

/** A finished file of a job's dataset. */
export interface DatasetFile {
  /** Path inside `melt_data/`, e.g. `metrics/2024-06/metrics_2024-06-01.json`. */
  readonly path: string;
  /** Day index for a day file, null for the metadata. */
  readonly dayIndex: number | null;
  readonly bytes: number;
  readonly sha256: string;
}
