import type { GenerationConfig } from '../core/config.ts';
import type { DatasetFile, Job, JobError, JobStatus } from '../jobs/job-types.ts';

export interface NewJob {
  readonly id: string;
  readonly key: string;
  readonly owner: string;
  readonly estimatedBytes: number;
  readonly config: GenerationConfig;
  readonly createdAt: string;
}

export interface JobPage {
  readonly jobs: readonly Job[];
  /** Pass as `before` to get the next (older) page; null on the last page. */
  readonly next: number | null;
}

/** A key's limits on what it holds: jobs queued or running, and bytes stored or still to write. */
export interface OwnerQuota {
  readonly maxActiveJobs: number;
  readonly maxStoredBytes: number;
}

/** What an owner uses, as `usage()` counts it. */
export interface OwnerUsage {
  readonly activeJobs: number;
  readonly storedBytes: number;
}

/** The answer of `insertWithinQuota`: the new job, or which quota it would pass and the usage. */
export type QuotaInsert = { readonly job: Job } | { readonly refused: 'jobs' | 'bytes'; readonly usage: OwnerUsage };

/**
 * Where jobs and the index of their files live. The embedded implementation is SQLite; the
 * interface is what a shared database would implement, so every method is asynchronous (a
 * PostgreSQL client is), though SQLite answers at once.
 */
export interface JobStore {
  insert(job: NewJob): Promise<Job>;
  /**
   * Inserts a job if its owner stays within the quota (counting the new job's estimate), as one
   * step: two requests of one key, on one node or two, cannot both take the last place.
   */
  insertWithinQuota(job: NewJob, quota: OwnerQuota): Promise<QuotaInsert>;
  get(id: string): Promise<Job | null>;
  /** A job with this key that is queued, running or succeeded: one that will give the dataset. */
  findReusable(key: string): Promise<Job | null>;
  /** An owner's jobs, newest first; `before` is the `seq` to continue below. */
  list(owner: string, limit: number, before?: number): Promise<JobPage>;
  /** What an owner uses: jobs still to run or running, and bytes written or still to write. */
  usage(owner: string): Promise<OwnerUsage>;
  /** Finished jobs that finished before `cutoff` (ISO time) and still have their files. */
  listExpirable(cutoff: string): Promise<Job[]>;
  /** Number of jobs per status. */
  countByStatus(): Promise<Record<string, number>>;
  /** Jobs that were queued or running, oldest first: to take up again after a restart. */
  listUnfinished(): Promise<Job[]>;
  setStatus(id: string, status: JobStatus, at: string, error?: JobError | null): Promise<Job | null>;
  /**
   * Sets the status only if the job is in one of `from`, atomically: null when it is not (or is
   * missing). Several processes deciding a job's fate (workers, API nodes) cannot undo each other:
   * a canceled job never becomes running or succeeded again.
   */
  transition(id: string, from: readonly JobStatus[], to: JobStatus, at: string, error?: JobError | null): Promise<Job | null>;
  /** Records finished files; a day's files all at once, so a day is done or not done. */
  addFiles(id: string, files: readonly DatasetFile[]): Promise<void>;
  setCatalogReady(id: string): Promise<void>;
  /**
   * A cluster worker's recording, as one step: a unit's files are recorded only while the job is
   * queued or running (then it is running; with `catalog`, its catalog is ready). Null when the job
   * has ended (canceled, failed) or is gone: the caller's files are not part of the dataset.
   */
  recordFiles(id: string, files: readonly DatasetFile[], opts: { readonly catalog: boolean; readonly at: string }): Promise<Job | null>;
  listFiles(id: string): Promise<DatasetFile[]>;
  getFile(id: string, path: string): Promise<DatasetFile | null>;
  /** Day indexes whose files are all recorded. */
  doneDays(id: string): Promise<Set<number>>;
  delete(id: string): Promise<void>;
  close(): Promise<void>;
}
