// What a push thread runs (its entry, push-worker.ts, lowers the thread's priority first): a
// replay of a finished dataset, or a live stream of a generation config. Reading day files,
// encoding protobuf and generating days are CPU work that must not stall the event loop answering
// API requests; the thread also keeps a stream's pace.
import { parentPort, workerData } from 'node:worker_threads';
import type { GenerationConfig } from '../core/config.ts';
import { createSink, type SinkSpec } from '../sinks/create-sink.ts';
import { createGuardedDispatcher, type DestinationPattern } from '../sinks/destination-guard.ts';
import { replayDataset, type TimeShift } from '../sinks/replay.ts';
import type { SinkStats } from '../sinks/sink.ts';
import { runStream, type Announcement, type StreamProgress } from '../sinks/stream.ts';

/** What a push thread is given. */
export type PushWorkerInput = (
  | { readonly kind: 'replay'; readonly dir: string; readonly sink: SinkSpec; readonly timeShift: TimeShift }
  | { readonly kind: 'stream'; readonly config: GenerationConfig; readonly sinks: readonly SinkSpec[]; readonly speed: number; readonly timeShift: TimeShift }
) & {
  /** The operator's allowlist, applied again at every connection the sinks make. */
  readonly allowlist: readonly DestinationPattern[];
};

/** A replay's progress. */
export interface ReplayProgress {
  readonly daysDone: number;
  readonly daysTotal: number;
  readonly shiftMs: number;
  readonly sink: Readonly<SinkStats>;
}

/** What a push thread posts: progress as it goes, announcements (streams), then one end. */
export type PushWorkerMessage =
  | { readonly type: 'progress'; readonly progress: ReplayProgress | StreamProgress; readonly shiftMs?: number }
  | { readonly type: 'announcement'; readonly announcement: Announcement }
  | { readonly type: 'end'; readonly outcome: 'succeeded' | 'failed' | 'canceled'; readonly message?: string };

/** What the server sends a push thread. */
export type PushWorkerCommand = { readonly type: 'cancel' };

const post = (m: PushWorkerMessage): void => parentPort?.postMessage(m);

async function main(input: PushWorkerInput, signal: AbortSignal): Promise<void> {
  const transport = { signal, dispatcher: createGuardedDispatcher(input.allowlist) };
  if (input.kind === 'replay') {
    const sink = createSink(input.sink, transport);
    let shiftMs = 0;
    const result = await replayDataset(input.dir, sink, {
      timeShift: input.timeShift,
      signal,
      onStart: (days, shift) => {
        shiftMs = shift;
        post({ type: 'progress', progress: { daysDone: 0, daysTotal: days, shiftMs, sink: sink.stats() } });
      },
      onDay: (daysDone, daysTotal, stats) => post({ type: 'progress', progress: { daysDone, daysTotal, shiftMs, sink: stats } }),
    });
    // What the last flush sent.
    post({ type: 'progress', progress: { daysDone: result.days, daysTotal: result.days, shiftMs, sink: result.stats } });
    return;
  }
  const sinks = input.sinks.map((s) => createSink(s, transport));
  await runStream({
    config: input.config,
    sinks,
    speed: input.speed,
    timeShift: input.timeShift,
    signal,
    onStart: (shiftMs, progress) => post({ type: 'progress', progress, shiftMs }),
    onAnnouncement: (announcement) => post({ type: 'announcement', announcement }),
    onProgress: (progress) => post({ type: 'progress', progress }),
  });
}

const controller = new AbortController();
parentPort?.on('message', (m: PushWorkerCommand) => {
  if (m.type === 'cancel') controller.abort(new Error('canceled'));
});
main(workerData as PushWorkerInput, controller.signal).then(
  () => post({ type: 'end', outcome: 'succeeded' }),
  (e: unknown) => post(controller.signal.aborted ? { type: 'end', outcome: 'canceled' } : { type: 'end', outcome: 'failed', message: (e as Error).message }),
);
