import { rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Where datasets' files live, for every layer that writes, serves or deletes them. The embedded
 * mode and the cluster use the same implementation: a folder (a local disk, or a shared filesystem
 * mounted at the same path on every node). An object store would implement this interface (see
 * docs/SCALING.md, "An S3 backend"): its writers upload instead of renaming, its readers stream
 * ranges instead of opening paths.
 */
export interface DatasetStorage {
  /** The folder of a job: its `melt_data/` and the service's own files about it (a cached report). */
  jobDir(jobId: string): string;
  /** The job's `melt_data/` folder: the dataset as the original layout has it. */
  datasetDir(jobId: string): string;
  /** Deletes everything of a job; nothing when there is nothing. */
  remove(jobId: string): Promise<void>;
}

/** Datasets under `<dataDir>/jobs/<id>/melt_data/`. */
export function createLocalDatasetStorage(dataDir: string): DatasetStorage {
  const jobDir = (id: string): string => join(dataDir, 'jobs', id);
  return {
    jobDir,
    datasetDir: (id) => join(jobDir(id), 'melt_data'),
    remove: (id) => rm(jobDir(id), { recursive: true, force: true }),
  };
}
