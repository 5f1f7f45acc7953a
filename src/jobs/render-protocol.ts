import type { GenerationConfig } from '../core/config.ts';
import type { DatasetFile } from './job-types.ts';

/**
 * One unit of a cluster worker's work, handed to a render thread: a job's metadata (catalog and
 * the rest of `metadata/`) or one of its days. Any thread takes any job's task; a thread keeps the
 * simulations of the last jobs it rendered, so a job's next day costs no new plan.
 */
export interface RenderTask {
  readonly seq: number;
  readonly jobId: string;
  readonly config: GenerationConfig;
  /** The dataset's `melt_data/` folder. */
  readonly outDir: string;
  /** A day index, or `meta` for the metadata files. */
  readonly unit: number | 'meta';
  /** Disk space to leave free, and one day's estimated bytes, for the check before a day. */
  readonly minFreeBytes: number;
  readonly dayBytes: number;
}

export type RenderReply =
  | { readonly seq: number; readonly ok: true; readonly files: readonly DatasetFile[] }
  | { readonly seq: number; readonly ok: false; readonly code: string; readonly message: string };
