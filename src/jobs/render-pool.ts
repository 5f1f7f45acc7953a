import { Worker } from 'node:worker_threads';
import type { DatasetFile } from './job-types.ts';
import { workerEntry } from './one-shot-worker.ts';
import type { RenderReply, RenderTask } from './render-protocol.ts';

const ENTRY = workerEntry(import.meta.url, './render-worker.js', './render-bootstrap.mjs');

/** A task that ended without files: its code is the job's error code when it is final. */
export class RenderError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RenderError';
  }
}

/**
 * The cluster worker's render threads: a fixed number, any of them takes any job's task. Rendering
 * is CPU-bound and runs off the worker's event loop, so BullMQ keeps renewing the task's lock.
 */
export interface RenderPool {
  /** Renders a task on a free thread; an abort ends that thread at once (a new one replaces it). */
  render(task: Omit<RenderTask, 'seq'>, signal?: AbortSignal): Promise<DatasetFile[]>;
  /** Threads busy now. */
  busy(): number;
  close(): Promise<void>;
}

interface Slot {
  worker: Worker;
  current: { seq: number; resolve: (files: DatasetFile[]) => void; reject: (e: Error) => void } | null;
}

export function createRenderPool(threads: number): RenderPool {
  const slots: Slot[] = [];
  const waiting: Array<() => void> = [];
  let seq = 0;
  let closed = false;

  const spawn = (slot: Slot): void => {
    // As the day pool's threads: a larger young generation, fewer scavenges.
    const worker = new Worker(ENTRY, { resourceLimits: { maxYoungGenerationSizeMb: 96 } });
    slot.worker = worker;
    worker.on('message', (reply: RenderReply) => {
      const cur = slot.current;
      if (!cur || cur.seq !== reply.seq) return;
      slot.current = null;
      if (reply.ok) cur.resolve([...reply.files]);
      else cur.reject(new RenderError(reply.code, reply.message));
      waiting.shift()?.();
    });
    worker.on('error', (e) => {
      const cur = slot.current;
      slot.current = null;
      cur?.reject(new RenderError('GENERATION_FAILED', e.message));
    });
    worker.on('exit', (code) => {
      if (slot.worker !== worker) return;
      const cur = slot.current;
      slot.current = null;
      cur?.reject(new RenderError('GENERATION_FAILED', `a render thread exited (${code})`));
      if (!closed) {
        spawn(slot);
        waiting.shift()?.();
      }
    });
  };
  for (let i = 0; i < Math.max(1, threads); i++) {
    const slot = { current: null } as unknown as Slot;
    spawn(slot);
    slots.push(slot);
  }

  const freeSlot = async (): Promise<Slot> => {
    for (;;) {
      const slot = slots.find((s) => s.current === null);
      if (slot) return slot;
      await new Promise<void>((r) => waiting.push(r));
    }
  };

  return {
    async render(task, signal) {
      signal?.throwIfAborted();
      const slot = await freeSlot();
      signal?.throwIfAborted();
      const mySeq = ++seq;
      return new Promise<DatasetFile[]>((resolve, reject) => {
        const onAbort = (): void => {
          if (slot.current?.seq !== mySeq) return;
          slot.current = null;
          reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
          // The thread may be in the middle of a file: end it (a temporary file at most is left)
          // and start a fresh one in its place.
          const old = slot.worker;
          if (!closed) spawn(slot);
          void old.terminate();
          waiting.shift()?.();
        };
        slot.current = {
          seq: mySeq,
          resolve: (files) => {
            signal?.removeEventListener('abort', onAbort);
            resolve(files);
          },
          reject: (e) => {
            signal?.removeEventListener('abort', onAbort);
            reject(e);
          },
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        slot.worker.postMessage({ ...task, seq: mySeq } satisfies RenderTask);
      });
    },
    busy() {
      return slots.filter((s) => s.current !== null).length;
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
