import { Worker } from 'node:worker_threads';

type Reply<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Runs a worker that computes one value and posts `{ ok: true, value }` or `{ ok: false, message }`:
 * resolves with the value, rejects with the worker's message, its error, or its early exit.
 * @param what names the work in the error of a thread that exits without an answer.
 */
export function oneShotWorker<T>(url: URL, workerData: unknown, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(url, { workerData });
    let settled = false;
    worker.once('message', (reply: Reply<T>) => {
      settled = true;
      if (reply.ok) resolve(reply.value);
      else reject(new Error(reply.message));
    });
    worker.once('error', (e) => {
      settled = true;
      reject(e);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`${what} thread exited with code ${code}`));
    });
  });
}

/**
 * The entry of a worker thread: the compiled `.js` next to the caller; from the TypeScript sources,
 * the tsx bootstrap, or with `MELT_RUN_COMPILED=1` the compiled twin under dist/ (`npm test` builds
 * dist/ from the same sources first and sets it: a thread then starts in ~0.1 s instead of ~1 s
 * spent registering tsx and transpiling in that thread).
 */
export function workerEntry(callerUrl: string, compiled: string, bootstrap: string): URL {
  if (callerUrl.endsWith('.js')) return new URL(compiled, callerUrl);
  if (process.env.MELT_RUN_COMPILED === '1') {
    const twin = callerUrl.replace(/\/src\/(?!.*\/src\/)/, '/dist/');
    if (twin !== callerUrl) return new URL(compiled, twin);
  }
  return new URL(bootstrap, callerUrl);
}
