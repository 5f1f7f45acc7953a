// Where replays and live streams push: one interface, one module per destination (Prometheus
// remote write, VictoriaMetrics, OTLP/HTTP). A sink takes the records of one stretch of time as
// the day renderer makes them and delivers them in its destination's own encoding.
import type { EventRecord, LogRecord, MetricRecord, SpanRecord } from '../core/records.ts';
import type { OtlpHost } from '../output/otlp.ts';

/** The signals a sink can carry. */
export type SinkSignal = 'metrics' | 'traces' | 'logs' | 'events';

/** What a sink has done so far. */
export interface SinkStats {
  /** Samples (one metric of one host at one time) the destination accepted. */
  samplesSent: number;
  /** Spans the destination accepted. */
  spansSent: number;
  /** Log records (log lines and events) the destination accepted. */
  logsSent: number;
  /** Requests the destination refused for good (a 4xx other than 429, or retries exhausted). */
  requestsRefused: number;
  /** Requests sent again after a 429, a 5xx or a network error. */
  retries: number;
  /** The last refusal's status and the start of its body, for the caller to show. */
  lastError: string | null;
}

/** The records of one stretch of time (a day in a replay, an interval in a stream). */
export interface SinkBatch {
  readonly metrics?: readonly MetricRecord[];
  readonly spans?: readonly SpanRecord[];
  readonly logs?: readonly LogRecord[];
  readonly events?: readonly EventRecord[];
  /** Where each host runs: spans and log lines name only their host. Needed with spans or logs. */
  readonly hosts?: ReadonlyMap<string, OtlpHost>;
}

/** A destination for a dataset's records. */
export interface Sink {
  /** The signals it carries; the others are not read for it. */
  readonly signals: readonly SinkSignal[];
  /** Delivers a batch's records of the sink's signals (any number; the sink batches). Rejects when a request is refused for good. */
  send(batch: SinkBatch): Promise<void>;
  /** Delivers what is still batched. */
  flush(): Promise<void>;
  stats(): Readonly<SinkStats>;
}

/** Empty stats, to start from. */
export function emptyStats(): SinkStats {
  return { samplesSent: 0, spansSent: 0, logsSent: 0, requestsRefused: 0, retries: 0, lastError: null };
}

/**
 * A metrics sink that batches rows and hands each full batch to `send` (which delivers it and counts it in
 * the stats it was given): the batching every metrics sink shares. Up to `inFlight` batches are
 * sent at once, so reading and encoding the next overlaps the destination's ingestion; 1 keeps the
 * batches in order (what a receiver without an out-of-order window needs).
 */
export function createBatchingSink(batchRows: number, send: (rows: readonly MetricRecord[], stats: SinkStats) => Promise<void>, inFlight = 1): Sink {
  const stats = emptyStats();
  let pending: MetricRecord[] = [];
  const running = new Set<Promise<void>>();
  let failure: unknown = null;
  async function launch(batch: readonly MetricRecord[]): Promise<void> {
    while (running.size >= inFlight) await Promise.race(running);
    if (failure !== null) throw failure;
    const p: Promise<void> = send(batch, stats).then(
      () => void running.delete(p),
      (e: unknown) => {
        running.delete(p);
        failure ??= e;
      },
    );
    running.add(p);
  }
  return {
    signals: ['metrics'],
    async send({ metrics }) {
      if (metrics === undefined || metrics.length === 0) return;
      for (const r of metrics) pending.push(r);
      while (pending.length >= batchRows) {
        const batch = pending.slice(0, batchRows);
        pending = pending.slice(batchRows);
        await launch(batch);
      }
    },
    async flush() {
      const batch = pending;
      pending = [];
      if (batch.length > 0) await launch(batch);
      await Promise.all(running);
      if (failure !== null) throw failure;
    },
    stats: () => ({ ...stats }),
  };
}
