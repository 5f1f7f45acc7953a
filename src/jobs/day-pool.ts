import { Worker } from 'node:worker_threads';
import type { GenerationConfig } from '../core/config.ts';
import type { DatasetFile, JobError } from './job-types.ts';
import type { WorkerInput, WorkerMessage, WorkerTask } from './worker-protocol.ts';
import { workerEntry } from './one-shot-worker.ts';

// Compiled (dist/*.js): the worker's JavaScript directly. From the TypeScript sources (tests, tsx):
// Node 20 does not apply `--import tsx` to a worker's entry, so a bootstrap registers tsx first.
const WORKER_URL = workerEntry(import.meta.url, './generate-worker.js', './worker-bootstrap.mjs');

export interface DayPoolOptions {
  readonly config: GenerationConfig;
  /** The dataset's `melt_data/` folder. */
  readonly outDir: string;
  /** Threads rendering days at the same time. */
  readonly threads: number;
  /** Compute each file's sha256. */
  readonly hash: boolean;
  /** Disk space every thread leaves free (0: no check). */
  readonly minFreeBytes: number;
  /** Estimated bytes of one day, for that check. */
  readonly dayBytes: number;
}

export interface DayPoolEvents {
  /** After `prepare`: the metadata files, if they were asked for. */
  prepared(files: readonly DatasetFile[]): void;
  /** A finished day, in completion order (not day order when several threads run). */
  day(dayIndex: number, files: readonly DatasetFile[]): void;
}

/** Why a pool run ended without finishing. */
export class DayPoolError extends Error {
  constructor(readonly failure: JobError) {
    super(failure.message);
    this.name = 'DayPoolError';
  }
}

/**
 * Worker threads that render days in parallel. Days are independent, so the bytes do not depend on
 * the number of threads or on which thread renders which day.
 */
export interface DayPool {
  /** Prepares (metadata when asked), then renders the days; resolves when all are written. */
  run(days: readonly number[], writeMetadata: boolean, events: DayPoolEvents): Promise<void>;
  /** Hands out no more days; resolves when the days in flight are written, or after `graceMs`. */
  stop(graceMs: number): Promise<void>;
  /** Ends every thread now. */
  terminate(): Promise<void>;
}

export function createDayPool(options: DayPoolOptions): DayPool {
  const input: WorkerInput = { config: options.config, outDir: options.outDir, hash: options.hash, minFreeBytes: options.minFreeBytes, dayBytes: options.dayBytes };
  const workers: Worker[] = [];
  const busy = new Set<Worker>();
  let stopping = false;
  let drained: (() => void) | null = null;

  const spawn = (): Worker =>
    // A larger young generation: rendering a day makes many short-lived strings, and fewer
    // scavenges measured about 30 % faster.
    new Worker(WORKER_URL, { workerData: input, resourceLimits: { maxYoungGenerationSizeMb: 96 } });

  return {
    run(days, writeMetadata, events) {
      return new Promise<void>((resolve, reject) => {
        const queue = [...days];
        let failed = false;
        let prepared = false;
        const fail = (failure: JobError): void => {
          if (failed) return;
          failed = true;
          reject(new DayPoolError(failure));
        };
        const settleIfDone = (): void => {
          if (busy.size > 0) return;
          if (drained) drained();
          if (!failed && (queue.length === 0 || stopping)) resolve();
        };
        const dispatch = (w: Worker): void => {
          const dayIndex = stopping || failed ? undefined : queue.shift();
          if (dayIndex === undefined) {
            busy.delete(w);
            settleIfDone();
            return;
          }
          busy.add(w);
          w.postMessage({ type: 'day', dayIndex } satisfies WorkerTask);
        };
        const threads = Math.max(1, Math.min(options.threads, days.length));
        for (let i = 0; i < threads; i++) {
          const w = spawn();
          workers.push(w);
          w.on('message', (m: WorkerMessage) => {
            if (m.type === 'failed') {
              busy.delete(w);
              fail({ code: m.code, message: m.message });
              settleIfDone();
              return;
            }
            if (m.type === 'prepared') {
              events.prepared(m.files);
              prepared = true;
              // Days start once the folder is clean: no thread writes while stale files are removed.
              for (const other of workers) dispatch(other);
              return;
            }
            events.day(m.dayIndex, m.files);
            dispatch(w);
          });
          w.on('error', (e) => {
            busy.delete(w);
            fail({ code: 'GENERATION_FAILED', message: e.message });
            settleIfDone();
          });
          w.on('exit', (code) => {
            if (busy.has(w) || (!prepared && !failed && !stopping)) {
              busy.delete(w);
              fail({ code: 'GENERATION_FAILED', message: `a generation thread exited (${code})` });
              settleIfDone();
            }
          });
        }
        const first = workers[0] as Worker;
        busy.add(first);
        first.postMessage({ type: 'prepare', writeMetadata } satisfies WorkerTask);
      });
    },
    async stop(graceMs) {
      stopping = true;
      if (busy.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => {
            drained = resolve;
          }),
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, graceMs);
          }),
        ]);
        clearTimeout(timer);
      }
      await this.terminate();
    },
    async terminate() {
      stopping = true;
      busy.clear();
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
