import type { GenerationConfig } from '../core/config.ts';
import type { DatasetFile } from './job-types.ts';

/** What every thread of a day pool is started with. */
export interface WorkerInput {
  readonly config: GenerationConfig;
  /** The dataset's `melt_data/` folder. */
  readonly outDir: string;
  /** Whether to compute each file's sha256 (the service indexes them; the CLI does not need to). */
  readonly hash: boolean;
  /** Disk space to leave free: a day that would go below it is not written. */
  readonly minFreeBytes: number;
  /** Estimated bytes of one day, for that check. */
  readonly dayBytes: number;
}

/**
 * Work the pool hands to a thread, one unit at a time. `prepare` comes first, alone: it removes
 * what a killed run left half-written and writes the metadata when asked.
 */
export type WorkerTask = { readonly type: 'prepare'; readonly writeMetadata: boolean } | { readonly type: 'day'; readonly dayIndex: number };

/** What a thread reports: a finished unit of work, or why it could not do it. */
export type WorkerMessage =
  | { readonly type: 'prepared'; readonly files: readonly DatasetFile[] }
  | { readonly type: 'day'; readonly dayIndex: number; readonly files: readonly DatasetFile[] }
  | { readonly type: 'failed'; readonly code: string; readonly message: string };
