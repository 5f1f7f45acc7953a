// A worker node of the cluster: takes day tasks from BullMQ, renders each in a thread of its own
// (the event loop stays free to renew the task's lock), writes the files atomically to the shared
// dataset folder and records them in PostgreSQL. Which days are done is PostgreSQL's answer, so a
// task re-run after a crash, a Redis loss or a duplicate enqueue never writes a day twice into the
// record, and a re-rendered day has the same bytes anyway.
import { UnrecoverableError, Worker, type Job as Task } from 'bullmq';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { createLocalDatasetStorage } from '../storage/dataset-storage.ts';
import type { JobStore } from '../storage/job-store.ts';
import { DAYS_QUEUE, JOBS_QUEUE, redisConnection, stalledCounterKey, type ClusterSettings, type DayTaskData, type DayTaskResult, type JobTaskData } from './cluster-queue.ts';
import { FINAL_STATUSES, type Job, type JobError, type JobStatus } from './job-types.ts';
import { removeTempFiles } from './dataset-writer.ts';
import { createRenderPool, RenderError } from './render-pool.ts';

/** pino's interface, as far as the worker uses it. */
export interface WorkerLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: object): WorkerLog;
}

export interface ClusterWorkerOptions {
  readonly store: JobStore;
  /** The shared data directory (the same path on every node). */
  readonly dataDir: string;
  readonly cluster: ClusterSettings;
  /** Day tasks rendered at once, one thread each (twice as many are taken from the queue). */
  readonly concurrency: number;
  /** Disk space every day leaves free on the dataset's disk. */
  readonly minFreeBytes: number;
  /** A task's lock (renewed every half of it while this process lives). */
  readonly lockDurationMs: number;
  /** How often this worker looks for stalled tasks (a dead worker's) to re-run. */
  readonly stalledIntervalMs: number;
  readonly log: WorkerLog;
  /** How often the jobs of the tasks in flight are checked for a cancel. Default 1 s. */
  readonly cancelPollMs?: number;
  readonly now?: () => string;
}

export interface ClusterWorker {
  /** The worker's own metrics (GET /metrics on its port). */
  readonly registry: Registry;
  /** Up: connected to Redis, and PostgreSQL answered the last check. */
  healthy(): Promise<{ ok: boolean; redis: string; database: boolean; active: number }>;
  /**
   * Takes no new task and lets the ones in flight finish (recorded), for at most `graceMs`; past
   * it they are abandoned, their locks expire and other workers re-run them.
   */
  close(graceMs: number): Promise<void>;
}

/** A job ended while one of its tasks ran. */
class JobEnded extends Error {}

/** The error a final failure records: `CODE: message` from the thread, else GENERATION_FAILED. */
function jobError(err: Error): JobError {
  const m = /^([A-Z][A-Z_]+): ([\s\S]*)$/.exec(err.message);
  return m ? { code: m[1] as string, message: m[2] as string } : { code: 'GENERATION_FAILED', message: err.message };
}

export function createClusterWorker(options: ClusterWorkerOptions): ClusterWorker {
  const { store, dataDir, cluster, log } = options;
  const now = options.now ?? ((): string => new Date().toISOString());
  const pool = createRenderPool(options.concurrency);
  const datasets = createLocalDatasetStorage(dataDir);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'meltgen_worker_' });
  const tasksDone = new Counter({ name: 'meltgen_worker_tasks_total', help: 'Day and metadata tasks this worker ended, by result.', labelNames: ['result'], registers: [registry] });
  const daysGenerated = new Counter({ name: 'meltgen_worker_days_generated_total', help: 'Days rendered, written and recorded.', registers: [registry] });
  const bytesWritten = new Counter({ name: 'meltgen_worker_bytes_written_total', help: 'Bytes of dataset files written.', registers: [registry] });
  const waitSeconds = new Histogram({
    name: 'meltgen_worker_task_wait_seconds',
    help: 'From a task being enqueued to this worker starting it (first attempts only: a retry waits out its backoff).',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 300, 3600],
    registers: [registry],
  });
  const renderSeconds = new Histogram({ name: 'meltgen_worker_render_seconds', help: 'Rendering and writing one day (in a thread).', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60], registers: [registry] });
  const recordSeconds = new Histogram({ name: 'meltgen_worker_record_seconds', help: 'Recording a finished day in PostgreSQL.', buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [registry] });
  new Gauge({ name: 'meltgen_worker_tasks_active', help: 'Tasks taken and not yet ended: rendering, waiting for a render thread, or being recorded.', registers: [registry], collect() { this.set(active.size); } });
  new Gauge({ name: 'meltgen_worker_concurrency', help: 'Tasks this worker renders at once.', registers: [registry] }).set(options.concurrency);

  /** Tasks in flight: their job, and how to stop them when it ends. */
  const active = new Map<string, { jobId: string; abort: AbortController }>();
  const connection = redisConnection(cluster.redisUrl);
  connection.on('error', () => undefined);

  /**
   * What a worker knows of the jobs it works for: the config (it never changes) and the status,
   * refreshed every second by the cancel check. A task costs one query to PostgreSQL (its
   * recording) once the job is known.
   */
  const jobs = new Map<string, { job: Job; status: JobStatus; usedAt: number }>();
  async function jobOf(jobId: string): Promise<{ job: Job; status: JobStatus; usedAt: number } | null> {
    let entry = jobs.get(jobId);
    if (!entry) {
      const job = await store.get(jobId);
      if (!job) return null;
      entry = { job, status: job.status, usedAt: Date.now() };
      jobs.set(jobId, entry);
    }
    entry.usedAt = Date.now();
    return entry;
  }

  async function processDay(task: Task<DayTaskData, DayTaskResult>, _token?: string, signal?: AbortSignal): Promise<DayTaskResult> {
    const { jobId, unit } = task.data;
    const tlog = log.child({ jobId, day: unit, task: task.id, attempt: task.attemptsMade + 1 });
    // First attempts only: a retry's wait includes its backoff.
    if (task.attemptsMade === 0 && task.stalledCounter === 0) waitSeconds.observe(Math.max(0, Date.now() - task.timestamp) / 1000);
    const entry = await jobOf(jobId);
    if (!entry || FINAL_STATUSES.has(entry.status)) {
      tasksDone.inc({ result: 'skipped' });
      return { files: 0, bytes: 0, skipped: true };
    }
    const { job } = entry;
    const abort = new AbortController();
    const onOuterAbort = (): void => abort.abort(signal?.reason);
    signal?.addEventListener('abort', onOuterAbort, { once: true });
    active.set(task.id as string, { jobId, abort });
    const outDir = datasets.datasetDir(jobId);
    tlog.info({}, unit === 'meta' ? 'writing the metadata' : 'rendering the day');
    try {
      const t0 = performance.now();
      const files = await pool.render({ jobId, config: job.config, outDir, unit, minFreeBytes: options.minFreeBytes, dayBytes: Math.ceil(job.estimatedBytes / Math.max(1, job.daysTotal)) }, abort.signal);
      renderSeconds.observe((performance.now() - t0) / 1000);
      const t1 = performance.now();
      // Recorded only if the job is still queued or running: a cancel that came during the render wins.
      const recorded = await store.recordFiles(jobId, files, { catalog: unit === 'meta', at: now() });
      if (!recorded) throw new JobEnded((await store.get(jobId))?.status ?? 'deleted');
      entry.status = recorded.status;
      recordSeconds.observe((performance.now() - t1) / 1000);
      const bytes = files.reduce((a, f) => a + f.bytes, 0);
      if (unit !== 'meta') daysGenerated.inc();
      bytesWritten.inc(bytes);
      tasksDone.inc({ result: 'done' });
      tlog.info({ files: files.length, bytes }, 'recorded');
      return { files: files.length, bytes };
    } catch (e) {
      if (e instanceof JobEnded || abort.signal.reason instanceof JobEnded) {
        // Canceled (or failed, or deleted) meanwhile: what this task wrote goes, and the task ends
        // without a retry. The API node deletes the folder too; whoever comes last leaves nothing.
        const why = e instanceof JobEnded ? e.message : (abort.signal.reason as JobEnded).message;
        if (why === 'canceled' || why === 'deleted') await datasets.remove(jobId);
        tasksDone.inc({ result: 'canceled' });
        tlog.info({ status: why }, 'the job ended meanwhile: stopped');
        return { files: 0, bytes: 0, skipped: true };
      }
      const err = e as Error;
      tasksDone.inc({ result: 'failed' });
      tlog.error({ err: err.message }, 'task failed');
      // Out of disk space will not get better by retrying.
      if (e instanceof RenderError && e.code === 'INSUFFICIENT_STORAGE') throw new UnrecoverableError(`${e.code}: ${e.message}`);
      throw err;
    } finally {
      signal?.removeEventListener('abort', onOuterAbort);
      active.delete(task.id as string);
    }
  }

  /** A job's parent task: every unit has completed; the job is done if all its days are recorded. */
  async function processJob(task: Task<JobTaskData>): Promise<void> {
    const { jobId } = task.data;
    const job = await store.get(jobId);
    if (!job || FINAL_STATUSES.has(job.status)) return;
    // A directory walk of at most a few thousand entries, once per job: fine on the event loop.
    removeTempFiles(datasets.datasetDir(jobId));
    if (job.daysDone === job.daysTotal && job.catalogReady) {
      if (await store.transition(jobId, ['queued', 'running'], 'succeeded', now())) log.info({ jobId, bytes: job.bytesWritten }, 'job succeeded');
    } else {
      await store.transition(jobId, ['queued', 'running'], 'failed', now(), { code: 'GENERATION_FAILED', message: `the flow ended with ${job.daysTotal - job.daysDone} days not recorded` });
    }
  }

  const workerOpts = {
    connection,
    prefix: cluster.prefix,
    lockDuration: options.lockDurationMs,
    stalledInterval: options.stalledIntervalMs,
    // A task may stall as often as it may fail: workers killed one after another still finish it.
    maxStalledCount: cluster.attempts,
  };
  // Twice as many tasks taken as threads render: while one task is recorded and the next fetched,
  // its thread already renders another (the queue's per-task round trips overlap the rendering).
  const days = new Worker<DayTaskData, DayTaskResult>(DAYS_QUEUE, processDay, { ...workerOpts, concurrency: options.concurrency * 2 });
  const parents = new Worker<JobTaskData>(JOBS_QUEUE, processJob, { ...workerOpts, concurrency: 2 });
  days.on('error', (err) => log.warn({ err: err.message }, 'redis'));
  // This worker's stalled check found a task whose worker stopped renewing its lock: it goes back
  // to the queue for any worker. Counted in Redis for the API nodes' /metrics.
  days.on('stalled', (taskId) => {
    log.warn({ task: taskId }, 'day task stalled: its worker stopped; re-queued for another worker');
    connection.incr(stalledCounterKey(cluster.prefix)).catch(() => undefined);
  });
  parents.on('error', (err) => log.warn({ err: err.message }, 'redis'));
  days.on('failed', (task, err) => {
    if (!task) return;
    const final = err instanceof UnrecoverableError || err.name === 'UnrecoverableError' || task.attemptsMade >= (task.opts.attempts ?? 1);
    if (!final) return;
    const error = jobError(err);
    store
      .transition(task.data.jobId, ['queued', 'running'], 'failed', now(), error)
      .then((j) => j && log.error({ jobId: task.data.jobId, day: task.data.unit, error }, 'job failed'))
      .catch((e: unknown) => log.error({ jobId: task.data.jobId, err: (e as Error).message }, 'recording the failure failed'));
  });

  // Cancels reach every worker through PostgreSQL: the status of the jobs in use, once a second.
  // Jobs unused for a minute are forgotten.
  const poll = setInterval(() => {
    const cutoff = Date.now() - 60_000;
    for (const [id, e] of jobs) if (e.usedAt < cutoff && ![...active.values()].some((a) => a.jobId === id)) jobs.delete(id);
    if (jobs.size === 0) return;
    void (async () => {
      for (const [id, entry] of jobs) {
        const job = await store.get(id);
        entry.status = job?.status ?? 'canceled';
        if (job && !FINAL_STATUSES.has(job.status)) continue;
        for (const a of active.values()) if (a.jobId === id) a.abort.abort(new JobEnded(job?.status ?? 'deleted'));
      }
    })().catch((e: unknown) => log.warn({ err: (e as Error).message }, 'checking for cancels failed'));
  }, options.cancelPollMs ?? 1000);
  poll.unref();

  return {
    registry,
    async healthy() {
      let database = true;
      try {
        await store.countByStatus();
      } catch {
        database = false;
      }
      const redis = connection.status;
      return { ok: database && redis === 'ready' && days.isRunning(), redis, database, active: active.size };
    },
    async close(graceMs) {
      let timer: NodeJS.Timeout | undefined;
      const graceful = Promise.all([days.close(), parents.close()]);
      const timedOut = await Promise.race([graceful.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs)))]);
      clearTimeout(timer);
      if (timedOut) {
        log.warn({ active: active.size }, 'shutdown grace over: abandoning the tasks in flight (other workers re-run them)');
        await Promise.all([days.close(true), parents.close(true)]);
      }
      clearInterval(poll);
      await pool.close();
      connection.disconnect();
    },
  };
}
