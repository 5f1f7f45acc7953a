// A thread that scores one prediction document against a dataset's ground truth and posts the
// result: a year of label files takes a second or more to read, which must not stall the event
// loop of a shared server.
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThreadPriority } from '../jobs/thread-priority.ts';
import type { Predictions } from './predictions.ts';
import { evaluateDataset } from './score.ts';

export interface EvaluateWorkerInput {
  readonly dir: string;
  readonly predictions: Predictions;
}

lowerThreadPriority();
const input = workerData as EvaluateWorkerInput;
try {
  parentPort?.postMessage({ ok: true, value: evaluateDataset(input.dir, input.predictions) });
} catch (e) {
  parentPort?.postMessage({ ok: false, message: (e as Error).message });
}
