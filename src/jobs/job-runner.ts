import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { JobStore } from '../storage/job-store.ts';
import { FINAL_STATUSES, type Job, type JobError } from './job-types.ts';
import type { RunnerMessage, WorkerInput, WorkerMessage } from './worker-protocol.ts';

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
  resume(): void;
  /** Number of jobs waiting for a worker. */
  queueLength(): number;
  /** Resolves when no job is running or queued. */
  idle(): Promise<void>;
  /**
   * Stops: no new job starts; running workers finish the day in flight (for at most `graceMs`,
   * then they are terminated). Their jobs stay unfinished and are resumed by the next `resume()`.
   */
  close(graceMs?: number): Promise<void>;
}

/** The `melt_data/` folder of a job. */
export function datasetDir(dataDir: string, id: string): string {
  return join(dataDir, 'jobs', id, 'melt_data');
}

interface Running {
  readonly worker: Worker;
  readonly exited: Promise<void>;
  canceled: boolean;
  failure: JobError | null;
}

// Node 20 does not apply `--import tsx` to a worker's entry; the bootstrap registers it first.
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

  function finish(job: Job, entry: Running): void {
    if (entry.canceled || closed) return;
    const current = store.get(job.id);
    if (!current || FINAL_STATUSES.has(current.status)) return;
    if (entry.failure) {
      options.log?.error({ jobId: job.id, error: entry.failure }, 'job failed');
      store.setStatus(job.id, 'failed', now(), entry.failure);
    } else if (current.daysDone === current.daysTotal && current.catalogReady) {
      store.setStatus(job.id, 'succeeded', now());
      options.log?.info({ jobId: job.id, bytes: current.bytesWritten }, 'job succeeded');
    } else {
      store.setStatus(job.id, 'failed', now(), { code: 'GENERATION_FAILED', message: 'the generation worker stopped before the last day' });
    }
  }

  function start(job: Job): void {
    const dir = datasetDir(dataDir, job.id);
    const done = store.doneDays(job.id);
    const days: number[] = [];
    for (let d = 0; d < job.daysTotal; d++) if (!done.has(d)) days.push(d);
    const input: WorkerInput = {
      config: job.config,
      outDir: dir,
      days,
      writeMetadata: !job.catalogReady,
      minFreeBytes: options.minFreeBytes,
      dayBytes: Math.ceil(job.estimatedBytes / Math.max(1, job.daysTotal)),
    };
    const worker = new Worker(WORKER_URL, { workerData: input });
    const entry: Running = { worker, exited: new Promise((resolve) => worker.once('exit', () => resolve())), canceled: false, failure: null };
    running.set(job.id, entry);
    options.log?.info({ jobId: job.id, days: days.length }, 'job started');
    worker.on('message', (m: WorkerMessage) => {
      if (entry.canceled) return;
      if (m.type === 'failed') {
        entry.failure = { code: m.code, message: m.message };
        return;
      }
      store.addFiles(job.id, m.files);
      if (m.type === 'metadata') store.setCatalogReady(job.id);
      options.onWritten?.(job.id, m.type === 'day' ? 1 : 0, m.files.reduce((a, f) => a + f.bytes, 0));
    });
    worker.on('error', (e) => {
      entry.failure ??= { code: 'GENERATION_FAILED', message: e.message };
    });
    worker.on('exit', () => {
      running.delete(job.id);
      finish(job, entry);
      pump();
      checkIdle();
    });
  }

  function pump(): void {
    while (!closed && running.size < concurrency && queue.length > 0) {
      const id = queue.shift() as string;
      const job = store.get(id);
      if (!job || job.status !== 'queued') continue;
      start(store.setStatus(id, 'running', now()) ?? job);
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
        // terminate() stops the thread at once: at most a temporary file is left, and the folder
        // is deleted next.
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
    async expire(id) {
      await removeFiles(id);
      store.setStatus(id, 'expired', now());
    },
    resume() {
      for (const job of store.listUnfinished()) {
        if (job.status === 'running') store.setStatus(job.id, 'queued', now());
        if (!queue.includes(job.id) && !running.has(job.id)) queue.push(job.id);
      }
      pump();
    },
    queueLength() {
      return queue.length;
    },
    idle() {
      if (running.size === 0 && queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    async close(graceMs = 0) {
      closed = true;
      queue.length = 0;
      const entries = [...running.values()];
      for (const r of entries) r.worker.postMessage({ type: 'stop' } satisfies RunnerMessage);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.all(entries.map((r) => r.exited)), timeout]);
      clearTimeout(timer);
      await Promise.all(entries.map((r) => r.worker.terminate()));
      running.clear();
      checkIdle();
    },
  };
}
