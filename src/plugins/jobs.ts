import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { join } from 'node:path';
import { createJobRunner, type JobRunner } from '../jobs/job-runner.ts';
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
  }
}

export interface JobsPluginOptions {
  readonly dataDir: string;
  readonly maxConcurrentJobs: number;
}

/** Opens the job store under the data directory, starts the runner and takes up unfinished jobs. */
export const jobsPlugin = fp(
  async (app: FastifyInstance, opts: JobsPluginOptions) => {
    const store = createSqliteJobStore(join(opts.dataDir, 'meltgen.db'));
    const jobs = createJobRunner({ store, dataDir: opts.dataDir, concurrency: opts.maxConcurrentJobs, log: app.log });
    app.decorate('store', store);
    app.decorate('jobs', jobs);
    app.decorate('dataDir', opts.dataDir);
    app.addHook('onReady', async () => jobs.resume());
    app.addHook('onClose', async () => {
      await jobs.close();
      store.close();
    });
  },
  { name: 'jobs' },
);
