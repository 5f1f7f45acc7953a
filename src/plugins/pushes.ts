import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { GenerationConfig } from '../core/config.ts';
import { startPushThread, type PushThread } from '../jobs/push-thread.ts';
import type { PushWorkerInput } from '../jobs/push-run.ts';
import type { Limits } from '../limits.ts';
import type { SinkSpec } from '../sinks/create-sink.ts';
import { checkDestination, DestinationRefused, type DestinationPattern } from '../sinks/destination-guard.ts';
import type { TimeShift } from '../sinks/replay.ts';
import type { Announcement } from '../sinks/stream.ts';
import type { PushKind, PushRecord, PushStore } from '../storage/push-store.ts';
import { createSqlitePushStore } from '../storage/sqlite-push-store.ts';
import { AppError, FieldsError, type FieldError } from './errors.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Replays and live streams into observability platforms. */
    pushes: PushService;
  }
}

/** What a push's listeners hear while it runs. */
export type PushEvent =
  | { readonly type: 'announcement'; readonly announcement: Announcement }
  | { readonly type: 'progress'; readonly push: PushRecord }
  | { readonly type: 'end'; readonly push: PushRecord };

/** How a sink is shown back: its type and URL, the names of its headers (never their values). */
export function redactedSink(spec: SinkSpec): Record<string, unknown> {
  return { type: spec.type, url: spec.url, headers: Object.keys(spec.headers ?? {}).sort(), ...(spec.type === 'otlp-http' ? { encoding: spec.encoding ?? 'protobuf' } : {}) };
}

/**
 * Runs replays and streams, each in a thread of its own, and keeps their record: allowlist and
 * quotas checked before anything starts; progress saved about once a second; the end saved.
 */
export interface PushService {
  /** Replays a finished job's dataset (in `dir`) into one sink. */
  startReplay(owner: string, jobId: string, dir: string, sink: SinkSpec, timeShift: TimeShift): Promise<PushRecord>;
  /** Plays a normalized config out live into the sinks. */
  startStream(owner: string, config: GenerationConfig, sinks: readonly SinkSpec[], speed: number, timeShift: TimeShift): Promise<PushRecord>;
  get(id: string): PushRecord | null;
  list(owner: string, kind: PushKind, jobId?: string): PushRecord[];
  /** How many of a kind run now. */
  runningCount(kind: PushKind): number;
  /** A stream's announcements after `seq`. */
  announcements(id: string, after: number): Announcement[];
  /** Asks a running push to stop and waits for it: the record, now `canceled`. */
  cancel(id: string): Promise<PushRecord | null>;
  /** Listens to a running push; returns the function that stops listening. Nothing is heard from a finished one. */
  subscribe(id: string, listener: (e: PushEvent) => void): () => void;
  /** Forgets the replays and streams that ended before `cutoff` (ISO time), announcements included; returns how many. */
  expire(cutoff: string): number;
  /** Stops every running push (`interrupted`: the server stops); their event streams end with them. */
  stopAll(): Promise<void>;
  /** Stops what still runs and closes the store. */
  close(): Promise<void>;
}

export interface PushServiceOptions {
  readonly dbPath: string;
  readonly allowlist: readonly DestinationPattern[];
  readonly limits: Pick<Limits, 'quotaConcurrentStreams' | 'maxStreams'>;
  /** Resolves a host's addresses for the allowlist check (tests pass their own). */
  readonly resolve?: (host: string) => Promise<string[]>;
  readonly log: FastifyInstance['log'];
}

/** Headers the sink sets itself, or the connection's: a caller may not replace them. */
const RESERVED_HEADERS = new Set(['host', 'content-type', 'content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'expect', 'x-prometheus-remote-write-version']);

/** A sink's place in the request body: a replay has one `sink`, a stream a list of `sinks`. */
const sinkPointer = (kind: PushKind) => (i: number): string => (kind === 'replay' ? '/body/sink' : `/body/sinks/${i}`);

interface Running {
  readonly kind: PushKind;
  readonly thread: PushThread;
  readonly listeners: Set<(e: PushEvent) => void>;
  lastSaved: number;
  stopping: 'canceled' | 'interrupted' | null;
  readonly ended: Promise<PushRecord | null>;
}

export function createPushService(options: PushServiceOptions): PushService {
  const store: PushStore = createSqlitePushStore(options.dbPath);
  const interrupted = store.interruptRunning(new Date().toISOString(), 'The server restarted while this ran; replays and streams do not survive a restart. Start it again.');
  if (interrupted > 0) options.log.warn({ interrupted }, 'replays and streams of the previous run marked interrupted');
  const running = new Map<string, Running>();
  // Each running push as it is now (the store has its progress up to a second late).
  const live = new Map<string, PushRecord>();
  const withProgress = (r: PushRecord): PushRecord => (r.status === 'running' ? (live.get(r.id) ?? r) : r);
  // Pushes being checked (allowlist, DNS) but not yet in the store count against the quotas too.
  const starting = new Map<string, number>();

  /** The checks that need no waiting: headers and quotas (pushes being started count too). */
  function precheck(owner: string, sinks: readonly SinkSpec[], pointer: (i: number) => string): void {
    const bad: FieldError[] = [];
    for (const [i, sink] of sinks.entries()) {
      for (const name of Object.keys(sink.headers ?? {})) {
        if (!/^[A-Za-z0-9-]{1,64}$/.test(name) || RESERVED_HEADERS.has(name.toLowerCase())) {
          bad.push({ field: `${pointer(i)}/headers/${name}`, message: 'is not a header a sink may be given (letters, digits and dashes; not one the sink sets itself)' });
        }
      }
    }
    if (bad.length > 0) throw new FieldsError('A sink header is invalid; `errors` names each one.', bad);
    const mine = store.countRunning(owner) + (starting.get(owner) ?? 0);
    if (mine >= options.limits.quotaConcurrentStreams) {
      throw new AppError(429, 'TOO_MANY_STREAMS', `${mine} replays and streams run for this key; the quota is ${options.limits.quotaConcurrentStreams}. Stop one (DELETE) or wait for it to end.`, {
        running: mine,
        limit: options.limits.quotaConcurrentStreams,
      });
    }
    const all = store.countRunning() + [...starting.values()].reduce((a, b) => a + b, 0);
    if (all >= options.limits.maxStreams) {
      throw new AppError(429, 'TOO_MANY_STREAMS', `The server runs ${all} replays and streams, its limit; retry later.`, { running: all, limit: options.limits.maxStreams });
    }
  }

  /** The allowlist, which may resolve names. */
  async function checkSinks(sinks: readonly SinkSpec[], pointer: (i: number) => string): Promise<void> {
    for (const [i, sink] of sinks.entries()) {
      try {
        await checkDestination(sink.url, options.allowlist, options.resolve);
      } catch (e) {
        if (e instanceof DestinationRefused) throw new AppError(403, 'SINK_NOT_ALLOWED', `The sink URL is refused: ${e.message}.`, { field: `${pointer(i)}/url` });
        throw e;
      }
    }
  }

  async function start(owner: string, kind: PushKind, jobId: string | null, request: Record<string, unknown>, sinks: readonly SinkSpec[], input: PushWorkerInput): Promise<PushRecord> {
    precheck(owner, sinks, sinkPointer(kind));
    starting.set(owner, (starting.get(owner) ?? 0) + 1);
    try {
      await checkSinks(sinks, sinkPointer(kind));
    } finally {
      const n = (starting.get(owner) ?? 1) - 1;
      if (n === 0) starting.delete(owner);
      else starting.set(owner, n);
    }
    const record = store.insert({ id: randomUUID(), kind, owner, jobId, request, createdAt: new Date().toISOString() });
    const listeners = new Set<(e: PushEvent) => void>();
    const emit = (e: PushEvent): void => {
      for (const l of listeners) l(e);
    };
    let entry: Running | undefined;
    const thread = startPushThread(input, (m) => {
      if (m.type === 'announcement') {
        store.addAnnouncement(record.id, m.announcement);
        emit({ type: 'announcement', announcement: m.announcement });
        return;
      }
      const now = Date.now();
      const before = live.get(record.id) ?? record;
      const current: PushRecord = { ...before, progress: m.progress as unknown as Record<string, unknown>, shiftMs: m.shiftMs ?? before.shiftMs };
      live.set(record.id, current);
      // Saved about once a second (a fast stream reports hundreds of intervals a second); the first and the last always.
      if (entry === undefined || m.shiftMs !== undefined || now - entry.lastSaved >= 1000) {
        store.setProgress(record.id, current.progress ?? {}, m.shiftMs);
        if (entry) entry.lastSaved = now;
      }
      emit({ type: 'progress', push: current });
    });
    const ended = thread.done.then((end) => {
      const last = live.get(record.id);
      if (last?.progress) store.setProgress(record.id, last.progress);
      live.delete(record.id);
      const how = entry?.stopping ?? end.outcome;
      const error =
        how === 'failed'
          ? { code: 'PUSH_FAILED', message: end.message ?? 'failed' }
          : how === 'interrupted'
            ? { code: 'SERVER_STOPPED', message: 'The server stopped while this ran; replays and streams do not survive a restart. Start it again.' }
            : null;
      const done = store.finish(record.id, how === 'succeeded' ? 'succeeded' : how, new Date().toISOString(), error);
      running.delete(record.id);
      if (how === 'failed') options.log.warn({ pushId: record.id, kind, reason: end.message }, 'push failed');
      if (done) emit({ type: 'end', push: done });
      listeners.clear();
      return done;
    });
    entry = { kind, thread, listeners, lastSaved: Date.now(), stopping: null, ended };
    running.set(record.id, entry);
    return record;
  }


  return {
    startReplay(owner, jobId, dir, sink, timeShift) {
      return start(owner, 'replay', jobId, { sink: redactedSink(sink), timeShift }, [sink], { kind: 'replay', dir, sink, timeShift, allowlist: options.allowlist });
    },
    startStream(owner, config, sinks, speed, timeShift) {
      return start(owner, 'stream', null, { config, sinks: sinks.map(redactedSink), speed, timeShift }, sinks, { kind: 'stream', config, sinks, speed, timeShift, allowlist: options.allowlist });
    },
    get(id) {
      const r = store.get(id);
      return r === null ? null : withProgress(r);
    },
    list(owner, kind, jobId) {
      return store.list(owner, kind, 100, jobId).map(withProgress);
    },
    announcements(id, after) {
      return store.announcements(id, after);
    },
    runningCount(kind) {
      let n = 0;
      for (const r of running.values()) if (r.kind === kind) n++;
      return n;
    },
    async cancel(id) {
      const r = running.get(id);
      if (!r) return store.get(id);
      r.stopping ??= 'canceled';
      r.thread.cancel();
      return r.ended;
    },
    subscribe(id, listener) {
      const r = running.get(id);
      if (!r) return () => undefined;
      r.listeners.add(listener);
      return () => r.listeners.delete(listener);
    },
    expire(cutoff) {
      return store.deleteEndedBefore(cutoff);
    },
    async stopAll() {
      const all = [...running.values()];
      for (const r of all) {
        r.stopping ??= 'interrupted';
        r.thread.cancel();
      }
      await Promise.all(all.map((r) => r.ended));
    },
    async close() {
      await this.stopAll();
      store.close();
    },
  };
}

/** Decorates the app with `pushes`. */
export const pushesPlugin = fp(
  async (app: FastifyInstance, opts: { dataDir: string; dbPath?: string; allowlist: readonly DestinationPattern[]; limits: Limits; resolve?: (host: string) => Promise<string[]> }) => {
    const pushes = createPushService({ dbPath: opts.dbPath ?? join(opts.dataDir, 'meltgen.db'), allowlist: opts.allowlist, limits: opts.limits, log: app.log, ...(opts.resolve ? { resolve: opts.resolve } : {}) });
    app.decorate('pushes', pushes);
    // Ended replays and streams are kept as long as datasets are (MELT_RETENTION_HOURS), then forgotten.
    const sweep = (): void => {
      const n = pushes.expire(new Date(Date.now() - opts.limits.retentionMs).toISOString());
      if (n > 0) app.log.info({ forgotten: n }, 'ended replays and streams past retention deleted');
    };
    const timer = setInterval(sweep, opts.limits.sweepIntervalMs);
    timer.unref();
    app.addHook('onReady', async () => sweep());
    app.addHook('onClose', async () => clearInterval(timer));
    // Before the server waits for its connections to end: a stream's event listeners stay
    // connected until the stream ends, so the streams are stopped first.
    app.addHook('preClose', async () => pushes.stopAll());
    app.addHook('onClose', async () => pushes.close());
  },
  { name: 'pushes', dependencies: ['jobs'] },
);
