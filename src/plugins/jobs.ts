import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { join } from 'node:path';
import { createJobRunner, type JobRunner } from '../jobs/job-runner.ts';
import type { Limits } from '../limits.ts';
import type { JobStore } from '../storage/job-store.ts';
import { createSqliteJobStore } from '../storage/sqlite-job-store.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Jobs and the index of their files. */
    store: JobStore;
    /** The queue that runs jobs in worker threads. */
    jobs: JobRunner;
    /** Root of the data directory. */
    dataDir: string;
    limits: Limits;
  }
}

export interface JobsPluginOptions {
  readonly dataDir: string;
  readonly maxConcurrentJobs: number;
  readonly threadsPerJob: number;
  readonly limits: Limits;
}

/**
 * Opens the job store under the data directory, runs jobs, takes up unfinished ones at start,
 * expires old datasets, and on close lets the days in flight finish.
 */
export const jobsPlugin = fp(
  async (app: FastifyInstance, opts: JobsPluginOptions) => {
    const store = createSqliteJobStore(join(opts.dataDir, 'meltgen.db'));
    const jobs = createJobRunner({
      store,
      dataDir: opts.dataDir,
      concurrency: opts.maxConcurrentJobs,
      threadsPerJob: opts.threadsPerJob,
      minFreeBytes: opts.limits.minFreeBytes,
      log: app.log,
      onWritten: (_id, days, bytes) => {
        app.metrics.daysGenerated.inc(days);
        app.metrics.bytesWritten.inc(bytes);
      },
    });
    app.decorate('store', store);
    app.decorate('jobs', jobs);
    app.decorate('dataDir', opts.dataDir);
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
