// The job runner of an API node in cluster mode: jobs become BullMQ flows that worker nodes run;
// PostgreSQL (the job store) says what is done. This node only enqueues, cancels, and repairs:
// when Redis has lost a job's flow (it keeps nothing on disk here), the days still missing are
// enqueued again from the store.
import { FlowProducer, Queue } from 'bullmq';
import { createLocalDatasetStorage } from '../storage/dataset-storage.ts';
import { Counter, Gauge, type Registry } from 'prom-client';
import { stalledCounterKey } from './cluster-queue.ts';
import type { JobStore } from '../storage/job-store.ts';
import { addJobFlow, DAYS_QUEUE, JOBS_QUEUE, redisConnection, type ClusterSettings, type Unit } from './cluster-queue.ts';
import type { JobRunner, RunnerLog } from './job-runner.ts';
import { FINAL_STATUSES, type Job } from './job-types.ts';

export interface ClusterRunnerOptions {
  readonly store: JobStore;
  readonly dataDir: string;
  readonly cluster: ClusterSettings;
  readonly log?: RunnerLog;
  /** How often the flows of unfinished jobs are checked (and re-enqueued when Redis lost them). */
  readonly reconcileIntervalMs?: number;
  readonly now?: () => string;
}

/** Task states BullMQ counts, as /metrics reports them. */
const TASK_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'waiting-children', 'failed', 'completed'] as const;

/** The units of a job still to do, from what the store has recorded. */
export async function missingUnits(store: JobStore, job: Job): Promise<Unit[]> {
  const done = await store.doneDays(job.id);
  const units: Unit[] = job.catalogReady ? [] : ['meta'];
  for (let d = 0; d < job.daysTotal; d++) if (!done.has(d)) units.push(d);
  return units;
}

export function createClusterJobRunner(options: ClusterRunnerOptions): JobRunner {
  const { store, dataDir, cluster } = options;
  const now = options.now ?? ((): string => new Date().toISOString());
  const connection = redisConnection(cluster.redisUrl);
  // An unreachable Redis must not crash the node: requests keep being answered from PostgreSQL,
  // enqueueing waits for the reconcile loop.
  connection.on('error', () => undefined);
  const base = { connection, prefix: cluster.prefix };
  const producer = new FlowProducer(base);
  const days = new Queue(DAYS_QUEUE, base);
  const parents = new Queue(JOBS_QUEUE, base);
  const onRedisError = (err: Error): void => options.log?.warn({ err: err.message }, 'redis');
  producer.on('error', onRedisError);
  days.on('error', onRedisError);
  parents.on('error', onRedisError);
  let queued = 0;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  let reconciling: Promise<void> | null = null;

  const datasets = createLocalDatasetStorage(dataDir);
  const removeFiles = (id: string): Promise<void> => datasets.remove(id);

  /** Removes a job's flow from Redis; an active child holds a lock, so retry until its worker lets go. */
  async function removeFlow(id: string, attempts = 30): Promise<void> {
    for (let i = 0; i < attempts && !closed; i++) {
      try {
        const parent = await parents.getJob(id);
        if (!parent) return;
        if ((await parents.remove(id, { removeChildren: true })) === 1) return;
      } catch (err) {
        options.log?.warn({ jobId: id, err: (err as Error).message }, 'removing the flow failed; retrying');
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  async function enqueue(job: Job): Promise<void> {
    await addJobFlow(producer, job, await missingUnits(store, job), cluster);
    options.log?.info({ jobId: job.id, days: job.daysTotal }, 'job enqueued');
  }

  /**
   * Makes Redis hold the work PostgreSQL says is left. One node at a time (a Redis lock): two
   * nodes re-adding one flow at once could add its parent twice. A job younger than a pass is
   * left alone, its node may still be adding it.
   */
  async function reconcile(): Promise<void> {
    const lock = `${cluster.prefix}:reconcile-lock`;
    const unfinished = await store.listUnfinished();
    queued = unfinished.filter((j) => j.status === 'queued').length;
    if ((await connection.set(lock, '1', 'PX', 10_000, 'NX')) !== 'OK') return;
    try {
      const youngest = Date.now() - (options.reconcileIntervalMs ?? 15_000);
      for (const job of unfinished) {
        if (closed) return;
        const parent = await parents.getJob(job.id);
        if (parent) {
          const state = await parent.getState();
          if (state === 'failed') {
            await store.transition(job.id, ['queued', 'running'], 'failed', now(), { code: 'GENERATION_FAILED', message: parent.failedReason || 'a day failed' });
          }
          continue;
        }
        if (Date.parse(job.createdAt) > youngest) continue;
        const units = await missingUnits(store, job);
        if (units.length === 0) {
          // Every unit recorded but the parent's completion was lost with Redis.
          await store.transition(job.id, ['queued', 'running'], 'succeeded', now());
          continue;
        }
        options.log?.warn({ jobId: job.id, units: units.length }, 'flow missing from Redis: enqueueing the days not recorded');
        await addJobFlow(producer, job, units, cluster);
      }
    } finally {
      await connection.del(lock).catch(() => undefined);
    }
  }

  const reconcileSoon = (): void => {
    reconciling ??= reconcile()
      .catch((err: unknown) => options.log?.warn({ err: (err as Error).message }, 'reconciling the queue failed'))
      .finally(() => {
        reconciling = null;
      });
  };

  return {
    enqueue(job) {
      enqueue(job).catch((err: unknown) => options.log?.error({ jobId: job.id, err: (err as Error).message }, 'enqueueing failed; the reconcile loop retries'));
    },
    async cancel(id) {
      const job = await store.get(id);
      if (!job || FINAL_STATUSES.has(job.status)) return job;
      const canceled = (await store.transition(id, ['queued', 'running'], 'canceled', now())) ?? (await store.get(id));
      // Workers see the status within a second, stop the day they render and delete what they
      // wrote; this node deletes the rest now and removes the flow once no task is active.
      await removeFiles(id);
      void removeFlow(id)
        .then(() => removeFiles(id))
        .catch((err: unknown) => options.log?.warn({ jobId: id, err: (err as Error).message }, 'cleaning up a canceled job failed'));
      options.log?.info({ jobId: id }, 'job canceled');
      return canceled;
    },
    async remove(id) {
      await removeFiles(id);
      await store.delete(id);
      await removeFlow(id, 3);
    },
    async expire(id) {
      await removeFiles(id);
      await store.setStatus(id, 'expired', now());
    },
    async resume() {
      reconcileSoon();
      await reconciling;
      timer = setInterval(reconcileSoon, options.reconcileIntervalMs ?? 15_000);
      timer.unref();
    },
    queueLength() {
      return queued;
    },
    registerMetrics(registry: Registry) {
      // Counted in Redis by the workers that find stalled tasks: the cluster's total, on every API node.
      new Counter({
        name: 'meltgen_cluster_tasks_stalled_total',
        help: 'Day tasks whose worker stopped renewing its lock (killed, or cut off from Redis), re-run by another worker: the cluster’s count since Redis last started empty.',
        registers: [registry],
        async collect() {
          const n = Number(await connection.get(stalledCounterKey(cluster.prefix)));
          this.reset();
          if (n > 0) this.inc(n);
        },
      });
      new Gauge({
        name: 'meltgen_cluster_tasks',
        help: 'Cluster tasks by queue (days: day and metadata tasks; jobs: one parent per job) and BullMQ state.',
        labelNames: ['queue', 'state'],
        registers: [registry],
        async collect() {
          for (const q of [days, parents]) {
            const counts = await q.getJobCounts(...TASK_STATES);
            for (const s of TASK_STATES) this.set({ queue: q.name, state: s }, counts[s] ?? 0);
          }
        },
      });
    },
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      await reconciling;
      await Promise.allSettled([producer.close(), days.close(), parents.close()]);
      connection.disconnect();
    },
  };
}
