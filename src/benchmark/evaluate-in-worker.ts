import { oneShotWorker, workerEntry } from '../jobs/one-shot-worker.ts';
import type { EvaluateWorkerInput } from './evaluate-worker.ts';
import type { Evaluation } from './predictions.ts';

const WORKER_URL = workerEntry(import.meta.url, './evaluate-worker.js', './evaluate-bootstrap.mjs');

/** Scores predictions against a dataset in a worker thread; rejects with the worker's message when it cannot. */
export function evaluateInWorker(input: EvaluateWorkerInput): Promise<Evaluation> {
  return oneShotWorker<Evaluation>(WORKER_URL, input, 'evaluation');
}
