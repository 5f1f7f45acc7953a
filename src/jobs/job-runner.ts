import { createLocalDatasetStorage } from '../storage/dataset-storage.ts';
import type { Registry } from 'prom-client';
import type { JobStore } from '../storage/job-store.ts';
import { FINAL_STATUSES, type DatasetFile, type Job, type JobError } from './job-types.ts';
import { createDayPool, DayPoolError, type DayPool } from './day-pool.ts';

/** Minimal logger interface (pino's, as Fastify provides it). */
export interface RunnerLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface JobRunnerOptions {
  readonly store: JobStore;
  /** Root of the data directory; a job's files go to `<dataDir>/jobs/<id>/melt_data/`. */
  readonly dataDir: string;
  /** Jobs generated at the same time; the rest wait in order. */
  readonly concurrency: number;
  /** Threads rendering the days of one job in parallel. */
  readonly threadsPerJob: number;
  /** Disk space every worker leaves free. */
  readonly minFreeBytes: number;
  readonly log?: RunnerLog;
  /** Called for every finished day (and the metadata), for the service's own metrics. */
  readonly onWritten?: (jobId: string, days: number, bytes: number) => void;
  /** The clock, as ISO strings. */
  readonly now?: () => string;
}

/**
 * Runs queued jobs in worker threads, a bounded number at a time, the rest first in, first out.
 */
export interface JobRunner {
  /** Queues a job that the store holds as `queued`. */
  enqueue(job: Job): void;
  /** Cancels a queued or running job (a running one stops at once) and deletes its files. */
  cancel(id: string): Promise<Job | null>;
  /** Deletes a job that is not running: its files and its record. */
  remove(id: string): Promise<void>;
  /** Deletes a finished job's files and marks it expired. */
  expire(id: string): Promise<void>;
  /** Takes up the jobs a previous process left queued or running, in their original order. */
  resume(): Promise<void>;
  /** Number of jobs waiting for a worker. */
  queueLength(): number;
  /** Adds the runner's own series to the service's registry (the cluster runner's queue gauges). */
  registerMetrics?(registry: Registry): void;
  /**
   * Stops: no new job starts; running workers finish the day in flight (for at most `graceMs`,
   * then they are terminated). Their jobs stay unfinished and are resumed by the next `resume()`.
   */
  close(graceMs?: number): Promise<void>;
}

/** The `melt_data/` folder of a job (the local dataset storage's layout). */
export function datasetDir(dataDir: string, id: string): string {
  return createLocalDatasetStorage(dataDir).datasetDir(id);
}

interface Running {
  readonly pool: DayPool;
  canceled: boolean;
  /** The file records in order: each day's files are recorded after the one before. */
  recorded: Promise<void>;
}

export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { store, dataDir, concurrency } = options;
  const now = options.now ?? ((): string => new Date().toISOString());
  const queue: string[] = [];
  const running = new Map<string, Running>();
  let closed = false;
  // One pump at a time: the store answers asynchronously, and two pumps could start more jobs than allowed.
  let pumping = false;
  let pumpAgain = false;


  const datasets = createLocalDatasetStorage(dataDir);
  const removeFiles = (id: string): Promise<void> => datasets.remove(id);

  async function finish(job: Job, entry: Running, failure: JobError | null): Promise<void> {
    if (entry.canceled || closed) return;
    const current = await store.get(job.id);
    if (!current || FINAL_STATUSES.has(current.status)) return;
    if (failure) {
      options.log?.error({ jobId: job.id, error: failure }, 'job failed');
      await store.setStatus(job.id, 'failed', now(), failure);
    } else if (current.daysDone === current.daysTotal && current.catalogReady) {
      await store.setStatus(job.id, 'succeeded', now());
      options.log?.info({ jobId: job.id, bytes: current.bytesWritten }, 'job succeeded');
    } else {
      await store.setStatus(job.id, 'failed', now(), { code: 'GENERATION_FAILED', message: 'generation stopped before the last day' });
    }
  }

  async function start(job: Job): Promise<void> {
    const done = await store.doneDays(job.id);
    const days: number[] = [];
    for (let d = 0; d < job.daysTotal; d++) if (!done.has(d)) days.push(d);
    const pool = createDayPool({
      config: job.config,
      outDir: datasets.datasetDir(job.id),
      threads: options.threadsPerJob,
      hash: true,
      minFreeBytes: options.minFreeBytes,
      dayBytes: Math.ceil(job.estimatedBytes / Math.max(1, job.daysTotal)),
    });
    const entry: Running = { pool, canceled: false, recorded: Promise.resolve() };
    running.set(job.id, entry);
    options.log?.info({ jobId: job.id, days: days.length }, 'job started');
    const record = (files: readonly DatasetFile[], days: number, catalog = false): void => {
      entry.recorded = entry.recorded
        .then(async () => {
          if (entry.canceled) return;
          if (files.length > 0) await store.addFiles(job.id, files);
          if (catalog && files.length > 0 && !entry.canceled) await store.setCatalogReady(job.id);
          options.onWritten?.(job.id, days, files.reduce((a, f) => a + f.bytes, 0));
        })
        .catch((err: unknown) => options.log?.error({ jobId: job.id, err }, 'recording files failed'));
    };
    const ended = async (failure: JobError | null): Promise<void> => {
      if (running.get(job.id) !== entry) return;
      // Every day's files recorded before the job's end is decided.
      await entry.recorded;
      running.delete(job.id);
      await finish(job, entry, failure);
      void pool.terminate();
      void pump();
    };
    pool
      .run(days, !job.catalogReady, {
        prepared(files) {
          record(files, 0, true);
        },
        day(_dayIndex, files) {
          record(files, 1);
        },
      })
      .then(
        () => ended(null),
        (e: unknown) => ended(e instanceof DayPoolError ? e.failure : { code: 'GENERATION_FAILED', message: (e as Error).message }),
      )
      .catch((err: unknown) => options.log?.error({ jobId: job.id, err }, 'ending the job failed'));
  }

  async function pump(): Promise<void> {
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    try {
      do {
        pumpAgain = false;
        while (!closed && running.size < concurrency && queue.length > 0) {
          const id = queue.shift() as string;
          const job = await store.get(id);
          if (!job || job.status !== 'queued') continue;
          await start((await store.setStatus(id, 'running', now())) ?? job);
        }
      } while (pumpAgain);
    } catch (err) {
      options.log?.error({ err }, 'starting a job failed');
    } finally {
      pumping = false;
    }
  }

  return {
    enqueue(job) {
      queue.push(job.id);
      void pump();
    },
    async cancel(id) {
      const job = await store.get(id);
      if (!job || FINAL_STATUSES.has(job.status)) return job;
      const i = queue.indexOf(id);
      if (i >= 0) queue.splice(i, 1);
      const entry = running.get(id);
      if (entry) {
        entry.canceled = true;
        running.delete(id);
        // terminate() stops the threads at once: at most temporary files are left, and the folder
        // is deleted next.
        await entry.pool.terminate();
        void pump();
      }
      const canceled = await store.setStatus(id, 'canceled', now());
      await removeFiles(id);
      return canceled;
    },
    async remove(id) {
      await removeFiles(id);
      await store.delete(id);
    },
    async expire(id) {
      await removeFiles(id);
      await store.setStatus(id, 'expired', now());
    },
    async resume() {
      for (const job of await store.listUnfinished()) {
        if (job.status === 'running') await store.setStatus(job.id, 'queued', now());
        if (!queue.includes(job.id) && !running.has(job.id)) queue.push(job.id);
      }
      await pump();
    },
    queueLength() {
      return queue.length;
    },
    async close(graceMs = 0) {
      closed = true;
      queue.length = 0;
      const entries = [...running.values()];
      // Each pool lets the days in flight finish (recorded as they arrive), then stops.
      await Promise.all(entries.map((r) => r.pool.stop(graceMs)));
      // And their files are recorded before the store closes.
      await Promise.all(entries.map((r) => r.recorded));
      running.clear();
    },
  };
}
