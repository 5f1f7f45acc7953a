import { Worker } from 'node:worker_threads';
import type { ValidationReport } from './report.ts';
import type { ValidateWorkerInput } from './validate-worker.ts';

const WORKER_URL = import.meta.url.endsWith('.js') ? new URL('./validate-worker.js', import.meta.url) : new URL('./validate-bootstrap.mjs', import.meta.url);

type Reply = { ok: true; report: ValidationReport } | { ok: false; message: string };

/** Validates a dataset in a worker thread; rejects with the worker's message when it cannot. */
export function validateInWorker(input: ValidateWorkerInput): Promise<ValidationReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, { workerData: input });
    let settled = false;
    worker.once('message', (reply: Reply) => {
      settled = true;
      if (reply.ok) resolve(reply.report);
      else reject(new Error(reply.message));
    });
    worker.once('error', (e) => {
      settled = true;
      reject(e);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`validation thread exited with code ${code}`));
    });
  });
}
