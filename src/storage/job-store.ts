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

/**
 * Where jobs and the index of their files live. The embedded implementation is SQLite; the
 * interface is what a shared database would implement.
 */
export interface JobStore {
  insert(job: NewJob): Job;
  get(id: string): Job | null;
  /** A job with this key that is queued, running or succeeded: one that will give the dataset. */
  findReusable(key: string): Job | null;
  /** An owner's jobs, newest first; `before` is the `seq` to continue below. */
  list(owner: string, limit: number, before?: number): JobPage;
  /** What an owner uses: jobs still to run or running, and bytes written or still to write. */
  usage(owner: string): { activeJobs: number; storedBytes: number };
  /** Finished jobs that finished before `cutoff` (ISO time) and still have their files. */
  listExpirable(cutoff: string): Job[];
  /** Number of jobs per status. */
  countByStatus(): Record<string, number>;
  /** Jobs that were queued or running, oldest first: to take up again after a restart. */
  listUnfinished(): Job[];
  setStatus(id: string, status: JobStatus, at: string, error?: JobError | null): Job | null;
  /** Records finished files; a day's files all at once, so a day is done or not done. */
  addFiles(id: string, files: readonly DatasetFile[]): void;
  setCatalogReady(id: string): void;
  listFiles(id: string): DatasetFile[];
  getFile(id: string, path: string): DatasetFile | null;
  /** Day indexes whose files are all recorded. */
  doneDays(id: string): Set<number>;
  delete(id: string): void;
  close(): void;
}
