import { TypeBoxValidatorCompiler, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { randomInt } from 'node:crypto';
import { ConfigError, normalizeConfig, totalHosts, type GenerationConfig } from '../core/config.ts';
import { schemaRef } from '../core/record-schemas.ts';
import { AppError } from '../plugins/errors.ts';
import type { PushEvent } from '../plugins/pushes.ts';
import type { SinkSpec } from '../sinks/create-sink.ts';
import type { Announcement } from '../sinks/stream.ts';
import type { PushRecord } from '../storage/push-store.ts';
import { openEventStream, sseEvent } from './event-stream.ts';
import { StreamEventsQuerySchema, StreamIdParamsSchema, StreamListSchema, StreamQuerySchema, StreamRequestBodySchema, StreamRequestSchema, StreamSchema } from './push-schemas.ts';
import { json, NoQuerySchema, problems } from './schemas.ts';

/** A stream record as the API shows it; with its announcements when given. */
export function streamView(r: PushRecord, announcements?: readonly Announcement[]): Record<string, unknown> {
  return {
    id: r.id,
    status: r.status,
    config: r.request.config,
    sinks: r.request.sinks,
    speed: r.request.speed,
    timeShift: r.request.timeShift,
    shiftMs: r.shiftMs,
    progress: r.progress,
    ...(announcements === undefined ? {} : { announcements }),
    error: r.error,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
  };
}

function ownedStream(app: FastifyInstance, request: FastifyRequest, id: string): PushRecord {
  const r = app.pushes.get(id);
  if (!r || r.kind !== 'stream' || r.owner !== request.owner) throw new AppError(404, 'STREAM_NOT_FOUND', `No stream ${id}.`);
  return r;
}

/** How often an idle event stream says it is alive (proxies close silent connections). */
const HEARTBEAT_MS = 15_000;
/** Progress events at most this often: a fast stream pushes hundreds of intervals a second. */
const PROGRESS_EVERY_MS = 1000;


/** /v1/streams: live telemetry into observability platforms, with the ground truth as it happens. */
export const streamRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/streams',
    {
      schema: {
        operationId: 'createStream',
        summary: 'Start a live stream of a generation config into sinks',
        description:
          'Plays the config out interval by interval, in a background thread: each interval’s records are pushed into every sink once the interval has passed on the stream’s clock ' +
          '(`speed` 1 = wall clock, N = N× faster), and the ground truth is announced as it happens on GET /v1/streams/{id}/events (Server-Sent Events) and GET /v1/streams/{id}. ' +
          'The same config and seed give the same records as a job (moved in time by `shiftMs`). The config is checked as POST /v1/jobs checks it (errors under `/body/config/…`). ' +
          'Each sink’s host:port must be in MELT_SINK_ALLOWLIST (403 SINK_NOT_ALLOWED). Counts against the key’s quota of running replays and streams; a server restart ends it (`interrupted`).',
        tags: ['platforms'],
        querystring: NoQuerySchema,
        body: schemaRef(StreamRequestSchema),
        response: {
          202: json(StreamSchema, 'Started; `Location` is the stream.', 'location'),
          ...problems(400, 401, 403, 413, 415, 422, 429, 500),
        },
      },
      validatorCompiler: (route) => TypeBoxValidatorCompiler(route.httpPart === 'body' ? { ...route, schema: StreamRequestBodySchema } : route),
    },
    async (request, reply) => {
      const body = request.body as { config: unknown; sinks: SinkSpec[]; speed?: number; timeShift?: 'none' | 'now' };
      let config: GenerationConfig;
      try {
        config = normalizeConfig(body.config ?? {}, randomInt(0, 2 ** 32));
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        const errors = e.issues.map((i) => ({ field: i.field === '/' ? '/body/config' : `/body/config${i.field}`, message: i.message }));
        throw new AppError(400, 'INVALID_CONFIG', 'The generation config is invalid; `errors` names each bad field.', { errors });
      }
      const hosts = totalHosts(config);
      if (hosts > app.limits.maxHosts) {
        throw new AppError(422, 'TOO_MANY_HOSTS', `The config simulates ${hosts} hosts (the sum of every service's hosts); this server allows ${app.limits.maxHosts}.`, { hosts, limit: app.limits.maxHosts });
      }
      const r = await app.pushes.startStream(request.owner, config, body.sinks, body.speed ?? 1, body.timeShift ?? 'now');
      return reply.status(202).header('location', `/v1/streams/${r.id}`).send(streamView(app.pushes.get(r.id) ?? r));
    },
  );

  app.get(
    '/streams',
    {
      schema: {
        operationId: 'listStreams',
        summary: 'List the key’s streams, newest first',
        tags: ['platforms'],
        querystring: NoQuerySchema,
        response: { 200: json(StreamListSchema, 'The key’s streams.'), ...problems(400, 401, 429, 500) },
      },
    },
    async (request) => ({ streams: app.pushes.list(request.owner, 'stream').map((r) => streamView(r)) }),
  );

  app.get(
    '/streams/:id',
    {
      schema: {
        operationId: 'getStream',
        summary: 'Get a stream: status, progress, what each sink sent, and the ground truth announced so far',
        description: 'For clients that poll: `announcements` holds every announcement so far, or those after `?after=<seq>`.',
        tags: ['platforms'],
        params: StreamIdParamsSchema,
        querystring: StreamQuerySchema,
        response: { 200: json(StreamSchema, 'The stream.'), ...problems(400, 401, 404, 429, 500) },
      },
    },
    async (request) => {
      const r = ownedStream(app, request, request.params.id);
      return streamView(r, app.pushes.announcements(r.id, request.query.after ?? 0));
    },
  );

  app.delete(
    '/streams/:id',
    {
      schema: {
        operationId: 'stopStream',
        summary: 'Stop a stream',
        description: 'A running stream stops after the interval in flight; the answer is the stream, now `canceled`. A finished one is returned as it is.',
        tags: ['platforms'],
        params: StreamIdParamsSchema,
        querystring: NoQuerySchema,
        response: { 200: json(StreamSchema, 'The stream, stopped.'), ...problems(400, 401, 404, 429, 500) },
      },
    },
    async (request) => {
      const r = ownedStream(app, request, request.params.id);
      return streamView((await app.pushes.cancel(r.id)) ?? r);
    },
  );

  app.get(
    '/streams/:id/events',
    {
      schema: {
        operationId: 'getStreamEvents',
        summary: 'Listen to a stream’s ground truth as it happens (Server-Sent Events)',
        description:
          'A text/event-stream. Events: `incident.started`, `incident.cascaded`, `incident.detected`, `incident.resolved` (data: an `Announcement`, id: its `seq`), in causal order; ' +
          '`progress` (data: the `Stream` without announcements, at most once a second); `end` (data: the finished `Stream`), after which the server closes the connection. ' +
          'Announcements already made are sent first, after `?after=` or the Last-Event-ID header when given, so a client that reconnects misses nothing. ' +
          'A comment line every 15 s keeps idle connections open. Try it with `curl -N`.',
        tags: ['platforms'],
        params: StreamIdParamsSchema,
        querystring: StreamEventsQuerySchema,
        response: {
          200: { description: 'The event stream.', content: { 'text/event-stream': { schema: { type: 'string', description: 'Server-Sent Events; each data line is JSON (Announcement or Stream).' } } } },
          ...problems(400, 401, 404, 429, 500),
        },
      },
    },
    async (request, reply) => {
      const r = ownedStream(app, request, request.params.id);
      const header = request.headers['last-event-id'];
      const fromHeader = typeof header === 'string' && /^\d{1,9}$/.test(header) ? Number(header) : 0;
      let last = request.query.after ?? fromHeader;
      // Listen first, then send what was announced before: nothing falls between the two.
      const buffered: PushEvent[] = [];
      let live = false;
      let lastProgress = 0;
      const raw = reply.raw;
      const write = (e: PushEvent): void => {
        if (e.type === 'announcement') {
          if (e.announcement.seq <= last) return;
          last = e.announcement.seq;
          raw.write(sseEvent(e.announcement.type, e.announcement, e.announcement.seq));
        } else if (e.type === 'progress') {
          const now = Date.now();
          if (now - lastProgress < PROGRESS_EVERY_MS) return;
          lastProgress = now;
          raw.write(sseEvent('progress', streamView(e.push)));
        } else {
          raw.write(sseEvent('end', streamView(e.push)));
          raw.end();
        }
      };
      const stop = app.pushes.subscribe(r.id, (e) => (live ? write(e) : buffered.push(e)));
      reply.hijack();
      openEventStream(raw, request.id, 'meltgen stream events');
      for (const a of app.pushes.announcements(r.id, last)) write({ type: 'announcement', announcement: a });
      for (const e of buffered) write(e);
      live = true;
      const current = app.pushes.get(r.id);
      if (current && current.status !== 'running' && !raw.writableEnded) {
        // It ended before we listened (every announcement is stored before the end, so all were
        // sent above): say how it ended.
        write({ type: 'end', push: current });
      }
      const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      const cleanup = (): void => {
        clearInterval(heartbeat);
        stop();
      };
      raw.once('close', cleanup);
      raw.once('finish', cleanup);
    },
  );
};
