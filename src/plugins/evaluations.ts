import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { DatasetStorage } from '../storage/dataset-storage.ts';
import { evaluateInWorker } from '../benchmark/evaluate-in-worker.ts';
import type { Evaluation, Predictions } from '../benchmark/predictions.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Scores predictions against finished datasets. */
    evaluations: EvaluationService;
  }
}

/** Scores a prediction document against a job's dataset, in a thread, one at a time. */
export interface EvaluationService {
  evaluate(jobId: string, predictions: Predictions): Promise<Evaluation>;
  /** Waits for the evaluations under way. */
  close(): Promise<void>;
}

export function createEvaluationService(options: { readonly datasets: DatasetStorage }): EvaluationService {
  // One at a time: each reads a dataset's label files and holds its labeled host-intervals.
  let queue: Promise<unknown> = Promise.resolve();
  const running = new Set<Promise<unknown>>();
  return {
    evaluate(jobId, predictions) {
      const run = queue.then(() => evaluateInWorker({ dir: options.datasets.datasetDir(jobId), predictions }));
      queue = run.catch(() => undefined);
      running.add(run);
      void run.finally(() => running.delete(run)).catch(() => undefined);
      return run;
    },
    async close() {
      await Promise.allSettled([...running]);
    },
  };
}

/** Decorates the app with `evaluations`. */
export const evaluationsPlugin = fp(
  async (app: FastifyInstance) => {
    const evaluations = createEvaluationService({ datasets: app.datasets });
    app.decorate('evaluations', evaluations);
    app.addHook('onClose', async () => evaluations.close());
  },
  { name: 'evaluations', dependencies: ['jobs'] },
);
