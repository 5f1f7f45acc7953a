import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { DatasetStorage } from '../storage/dataset-storage.ts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../output/json-writer.ts';
import { validateInWorker } from '../validation/validate-in-worker.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Validation reports of finished datasets. */
    reports: ReportService;
  }
}

/** Computes a dataset's validation report once and keeps it next to the dataset. */
export interface ReportService {
  /** The report of a job's (finished) dataset as JSON text. */
  get(jobId: string): Promise<string>;
  /** Waits for the reports being computed. */
  close(): Promise<void>;
}

export interface ReportServiceOptions {
  readonly datasets: DatasetStorage;
  readonly zThreshold?: number;
}

export function createReportService(options: ReportServiceOptions): ReportService {
  const inflight = new Map<string, Promise<string>>();
  // One validation at a time: each reads a whole dataset and holds its host × interval arrays.
  let queue: Promise<unknown> = Promise.resolve();
  const cachePath = (id: string): string => join(options.datasets.jobDir(id), 'validation-report.json');

  async function compute(id: string): Promise<string> {
    try {
      return await readFile(cachePath(id), 'utf8');
    } catch {
      // Not computed yet.
    }
    const run = queue.then(async () => {
      const report = await validateInWorker({ dir: options.datasets.datasetDir(id), zThreshold: options.zThreshold ?? 4 });
      const text = JSON.stringify(report, null, 2) + '\n';
      await writeFileAtomic(cachePath(id), text);
      return text;
    });
    queue = run.catch(() => undefined);
    return run;
  }

  return {
    get(jobId) {
      let p = inflight.get(jobId);
      if (!p) {
        p = compute(jobId).finally(() => inflight.delete(jobId));
        inflight.set(jobId, p);
      }
      return p;
    },
    async close() {
      await Promise.allSettled([...inflight.values()]);
    },
  };
}

/** Decorates the app with `reports`. */
export const reportsPlugin = fp(
  async (app: FastifyInstance) => {
    const reports = createReportService({ datasets: app.datasets });
    app.decorate('reports', reports);
    app.addHook('onClose', async () => reports.close());
  },
  { name: 'reports', dependencies: ['jobs'] },
);
