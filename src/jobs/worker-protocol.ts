import type { GenerationConfig } from '../core/config.ts';
import type { DatasetFile } from './job-types.ts';

/** What a generation worker is asked to do. */
export interface WorkerInput {
  readonly config: GenerationConfig;
  /** The job's `melt_data/` folder. */
  readonly outDir: string;
  /** Day indexes still to render, in order. */
  readonly days: readonly number[];
  /** False when the catalog was already written by an earlier run of the same job. */
  readonly writeMetadata: boolean;
  /** Disk space to leave free: a day that would go below it is not written. */
  readonly minFreeBytes: number;
  /** Estimated bytes of one day, for that check. */
  readonly dayBytes: number;
}

/** What a worker reports, once per finished unit of work, or why it stopped. */
export type WorkerMessage =
  | { readonly type: 'metadata'; readonly files: readonly DatasetFile[] }
  | { readonly type: 'day'; readonly dayIndex: number; readonly files: readonly DatasetFile[] }
  | { readonly type: 'failed'; readonly code: string; readonly message: string };

/** What the runner may tell a worker: finish the day in flight, then stop. */
export type RunnerMessage = { readonly type: 'stop' };
