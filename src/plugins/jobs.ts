import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { join } from 'node:path';
import { createClusterJobRunner } from '../jobs/cluster-runner.ts';
import { DEFAULT_CLUSTER } from '../jobs/cluster-queue.ts';
import { createJobRunner, type JobRunner } from '../jobs/job-runner.ts';
import type { Limits } from '../limits.ts';
import type { JobStore } from '../storage/job-store.ts';
import { createLocalDatasetStorage, type DatasetStorage } from '../storage/dataset-storage.ts';
import { createPgJobStore } from '../storage/pg-job-store.ts';
import { createSqliteJobStore } from '../storage/sqlite-job-store.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Jobs and the index of their files. */
    store: JobStore;
    /** The queue that runs jobs in worker threads. */
    jobs: JobRunner;
    /** Root of the data directory. */
    dataDir: string;
    /** Where datasets' files are written, served from and deleted. */
    datasets: DatasetStorage;
    limits: Limits;
  }
}

export interface JobsPluginOptions {
  readonly dataDir: string;
  readonly maxConcurrentJobs: number;
  readonly threadsPerJob: number;
  readonly limits: Limits;
  /** Cluster mode: jobs in PostgreSQL, days run by worker nodes through BullMQ on Redis. */
  readonly cluster?: ClusterOptions;
}

/** Where a cluster's shared services are (MELT_REDIS_URL, MELT_DATABASE_URL, MELT_QUEUE_PREFIX). */
export interface ClusterOptions {
  readonly redisUrl: string;
  readonly databaseUrl: string;
  readonly prefix?: string;
  /** This API node's name: its replays and streams are recorded under `nodes/<name>/` (default: the host name). */
  readonly nodeName?: string;
  /** Attempts per day task (default 5). */
  readonly attempts?: number;
  /** How often the flows of unfinished jobs are checked against the store (default 15 s). */
  readonly reconcileIntervalMs?: number;
}

/**
 * Opens the job store and the runner of the mode (embedded: SQLite under the data directory and
 * worker threads; cluster: PostgreSQL and BullMQ flows for worker nodes), takes up unfinished jobs
 * at start, expires old datasets, and on close lets the days in flight finish.
 */
export const jobsPlugin = fp(
  async (app: FastifyInstance, opts: JobsPluginOptions) => {
    const onWritten = (_id: string, days: number, bytes: number): void => {
      app.metrics.daysGenerated.inc(days);
      app.metrics.bytesWritten.inc(bytes);
    };
    const cluster = opts.cluster;
    const store = cluster ? await createPgJobStore(cluster.databaseUrl) : createSqliteJobStore(join(opts.dataDir, 'meltgen.db'));
    const jobs = cluster
      ? createClusterJobRunner({
          store,
          dataDir: opts.dataDir,
          cluster: { ...DEFAULT_CLUSTER, redisUrl: cluster.redisUrl, ...(cluster.prefix ? { prefix: cluster.prefix } : {}), ...(cluster.attempts ? { attempts: cluster.attempts } : {}) },
          log: app.log,
          ...(cluster.reconcileIntervalMs ? { reconcileIntervalMs: cluster.reconcileIntervalMs } : {}),
        })
      : createJobRunner({
          store,
          dataDir: opts.dataDir,
          concurrency: opts.maxConcurrentJobs,
          threadsPerJob: opts.threadsPerJob,
          minFreeBytes: opts.limits.minFreeBytes,
          log: app.log,
          onWritten,
        });
    jobs.registerMetrics?.(app.metrics.registry);
    app.decorate('store', store);
    app.decorate('jobs', jobs);
    app.decorate('dataDir', opts.dataDir);
    app.decorate('datasets', createLocalDatasetStorage(opts.dataDir));
    app.decorate('limits', opts.limits);

    let sweeping = false;
    const sweep = async (): Promise<void> => {
      if (sweeping) return;
      sweeping = true;
      try {
        const cutoff = new Date(Date.now() - opts.limits.retentionMs).toISOString();
        for (const job of await store.listExpirable(cutoff)) {
          await jobs.expire(job.id);
          app.log.info({ jobId: job.id }, 'dataset expired');
        }
      } finally {
        sweeping = false;
      }
    };
    const timer = setInterval(() => {
      sweep().catch((err: unknown) => app.log.error({ err }, 'retention sweep failed'));
    }, opts.limits.sweepIntervalMs);
    timer.unref();

    app.addHook('onReady', async () => {
      await jobs.resume();
      await sweep();
    });
    app.addHook('onClose', async () => {
      clearInterval(timer);
      await jobs.close(opts.limits.shutdownGraceMs);
      await store.close();
    });
  },
  { name: 'jobs', dependencies: ['metrics'] },
);
