import { Worker } from 'node:worker_threads';
import { workerEntry } from './one-shot-worker.ts';
import type { PushWorkerCommand, PushWorkerInput, PushWorkerMessage } from './push-run.ts';

const WORKER_URL = workerEntry(import.meta.url, './push-worker.js', './push-bootstrap.mjs');

/** How long a thread asked to stop may take before it is terminated. */
const CANCEL_GRACE_MS = 3000;

/** A running push thread. */
export interface PushThread {
  /** Asks the thread to stop; `done` then resolves with `canceled`. */
  cancel(): void;
  /** How it ended; a thread that dies without saying is `failed`. */
  readonly done: Promise<{ outcome: 'succeeded' | 'failed' | 'canceled'; message?: string }>;
}

/** Starts a replay or a stream in a thread of its own; `onMessage` gets its progress and announcements. */
export function startPushThread(input: PushWorkerInput, onMessage: (m: Exclude<PushWorkerMessage, { type: 'end' }>) => void): PushThread {
  const worker = new Worker(WORKER_URL, { workerData: input });
  const done = new Promise<{ outcome: 'succeeded' | 'failed' | 'canceled'; message?: string }>((resolve) => {
    let ended = false;
    worker.on('message', (m: PushWorkerMessage) => {
      if (m.type !== 'end') return onMessage(m);
      ended = true;
      resolve(m.message === undefined ? { outcome: m.outcome } : { outcome: m.outcome, message: m.message });
      void worker.terminate();
    });
    worker.once('error', (e) => {
      ended = true;
      resolve({ outcome: 'failed', message: e.message });
    });
    worker.once('exit', (code) => {
      if (!ended) resolve({ outcome: 'failed', message: `the push thread exited with code ${code}` });
    });
  });
  return {
    cancel() {
      worker.postMessage({ type: 'cancel' } satisfies PushWorkerCommand);
      // A thread busy in a long computation (a large day) may not read the message soon: ended for it.
      const timer = setTimeout(() => void worker.terminate(), CANCEL_GRACE_MS);
      timer.unref();
      void done.then(() => clearTimeout(timer));
    },
    done,
  };
}
