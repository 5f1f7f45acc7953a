import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { JobStore } from '../storage/job-store.ts';
import { FINAL_STATUSES, type Job } from './job-types.ts';
import type { WorkerInput, WorkerMessage } from './worker-protocol.ts';

/** Minimal logger interface (pino's, as Fastify provides it). */
export interface RunnerLog {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface JobRunnerOptions {
  readonly store: JobStore;
  /** Root of the data directory; a job's files go to `<dataDir>/jobs/<id>/melt_data/`. */
  readonly dataDir: string;
  /** Jobs generated at the same time; the rest wait in order. */
  readonly concurrency: number;
  readonly log?: RunnerLog;
  /** The clock, as ISO strings (injected so tests can pin it). */
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
  /** Takes up the jobs a previous process left queued or running, in their original order. */
  resume(): void;
  /** Resolves when no job is running or queued (for tests and shutdown). */
  idle(): Promise<void>;
  /** Stops every worker; interrupted jobs stay unfinished and are resumed by the next `resume()`. */
  close(): Promise<void>;
}

/** The `melt_data/` folder of a job. */
export function datasetDir(dataDir: string, id: string): string {
  return join(dataDir, 'jobs', id, 'melt_data');
}

interface Running {
  readonly worker: Worker;
  canceled: boolean;
  failed: Error | null;
}

const WORKER_URL = new URL('./worker-bootstrap.mjs', import.meta.url);

export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { store, dataDir, concurrency } = options;
  const now = options.now ?? ((): string => new Date().toISOString());
  const queue: string[] = [];
  const running = new Map<string, Running>();
  const idleWaiters: (() => void)[] = [];
  let closed = false;

  const checkIdle = (): void => {
    if (running.size === 0 && queue.length === 0) for (const w of idleWaiters.splice(0)) w();
  };

  const removeFiles = (id: string): Promise<void> => rm(join(dataDir, 'jobs', id), { recursive: true, force: true });

  function start(job: Job): void {
    const done = store.doneDays(job.id);
    const days: number[] = [];
    for (let d = 0; d < job.daysTotal; d++) if (!done.has(d)) days.push(d);
    const input: WorkerInput = { config: job.config, outDir: datasetDir(dataDir, job.id), days, writeMetadata: !job.catalogReady };
    store.setStatus(job.id, 'running', now());
    const worker = new Worker(WORKER_URL, { workerData: input });
    const entry: Running = { worker, canceled: false, failed: null };
    running.set(job.id, entry);
    options.log?.info({ jobId: job.id, days: days.length }, 'job started');
    worker.on('message', (m: WorkerMessage) => {
      if (entry.canceled) return;
      store.addFiles(job.id, m.files);
      if (m.type === 'metadata') store.setCatalogReady(job.id);
    });
    worker.on('error', (e) => {
      entry.failed = e;
    });
    worker.on('exit', () => {
      running.delete(job.id);
      if (!entry.canceled && !closed) {
        const current = store.get(job.id);
        if (current && !FINAL_STATUSES.has(current.status)) {
          if (entry.failed) {
            options.log?.error({ jobId: job.id, err: entry.failed }, 'job failed');
            store.setStatus(job.id, 'failed', now(), { code: 'GENERATION_FAILED', message: entry.failed.message });
          } else if (current.daysDone === current.daysTotal && current.catalogReady) {
            store.setStatus(job.id, 'succeeded', now());
            options.log?.info({ jobId: job.id }, 'job succeeded');
          } else {
            store.setStatus(job.id, 'failed', now(), { code: 'GENERATION_FAILED', message: 'the generation worker stopped before the last day' });
          }
        }
      }
      pump();
      checkIdle();
    });
  }

  function pump(): void {
    while (!closed && running.size < concurrency && queue.length > 0) {
      const id = queue.shift() as string;
      const job = store.get(id);
      if (job && job.status === 'queued') start(job);
    }
  }

  return {
    enqueue(job) {
      queue.push(job.id);
      pump();
    },
    async cancel(id) {
      const job = store.get(id);
      if (!job || FINAL_STATUSES.has(job.status)) return job;
      const i = queue.indexOf(id);
      if (i >= 0) queue.splice(i, 1);
      const entry = running.get(id);
      if (entry) {
        entry.canceled = true;
        // terminate() stops the thread between two instructions: at most a partly written
        // temporary file is left, and the folder is deleted next.
        await entry.worker.terminate();
      }
      const canceled = store.setStatus(id, 'canceled', now());
      await removeFiles(id);
      checkIdle();
      return canceled;
    },
    async remove(id) {
      await removeFiles(id);
      store.delete(id);
    },
    resume() {
      for (const job of store.listUnfinished()) {
        if (job.status === 'running') store.setStatus(job.id, 'queued', now());
        if (!queue.includes(job.id) && !running.has(job.id)) queue.push(job.id);
      }
      pump();
    },
    idle() {
      if (running.size === 0 && queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    async close() {
      closed = true;
      queue.length = 0;
      await Promise.all([...running.values()].map((r) => r.worker.terminate()));
      running.clear();
      checkIdle();
    },
  };
}
