import { oneShotWorker, workerEntry } from '../jobs/one-shot-worker.ts';
import type { ValidationReport } from './report.ts';
import type { ValidateWorkerInput } from './validate-worker.ts';

const WORKER_URL = workerEntry(import.meta.url, './validate-worker.js', './validate-bootstrap.mjs');

/** Validates a dataset in a worker thread; rejects with the worker's message when it cannot. */
export function validateInWorker(input: ValidateWorkerInput): Promise<ValidationReport> {
  return oneShotWorker<ValidationReport>(WORKER_URL, input, 'validation');
}
