// A thread that validates one dataset and posts the report: a year of JSON takes seconds to read,
// which must not stall the event loop of a shared server.
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThreadPriority } from '../jobs/thread-priority.ts';
import { validateDataset } from './read-dataset.ts';

export interface ValidateWorkerInput {
  readonly dir: string;
  readonly zThreshold: number;
}

lowerThreadPriority();
const input = workerData as ValidateWorkerInput;
try {
  parentPort?.postMessage({ ok: true, value: validateDataset(input.dir, { zThreshold: input.zThreshold }) });
} catch (e) {
  parentPort?.postMessage({ ok: false, message: (e as Error).message });
}
