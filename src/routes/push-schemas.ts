import { Type, type TSchema } from '../typebox.ts';
import { GenerationConfigSchema, NormalizedConfigSchema } from '../core/config.ts';
import { IncidentSchema, schemaRef } from '../core/record-schemas.ts';
import { SINK_TYPES } from '../sinks/create-sink.ts';
import { ANNOUNCEMENT_TYPES } from '../sinks/stream.ts';

// The named schemas of replays and live streams (the routes in replays.ts and streams.ts).

const Time = (description: string) => Type.String({ format: 'date-time', description });
const NullableTime = (description: string) => Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description });
const Uuid = (description: string) => Type.String({ pattern: '^[0-9a-f-]{36}$', description });

export const SinkSchema = Type.Object(
  {
    type: Type.Enum([...SINK_TYPES], {
      description: 'prometheus-remote-write (remote write 1.0, snappy protobuf), victoriametrics (/api/v1/import JSON lines) or otlp-http (OTLP/HTTP to /v1/traces, /v1/logs, /v1/metrics).',
    }),
    url: Type.String({
      minLength: 1,
      maxLength: 2048,
      pattern: '^https?://',
      description:
        'prometheus-remote-write: the receiver (`http://prometheus:9090/api/v1/write`); victoriametrics: the server (`http://vm:8428`); otlp-http: the collector’s base URL (`http://collector:4318`). ' +
        'Its host:port must be in the server’s MELT_SINK_ALLOWLIST. No credentials in the URL: put them in `headers`.',
    }),
    headers: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' }), Type.String({ maxLength: 4096 }), {
        maxProperties: 16,
        description: 'Extra request headers (credentials: `Authorization`, `X-Scope-OrgID`…). Sent to the sink only: never logged, stored nor returned (only their names are).',
      }),
    ),
    encoding: Type.Optional(Type.Enum(['protobuf', 'json'], { description: 'otlp-http only: protobuf (the default, what every OTLP receiver takes) or json.' })),
  },
  { $id: 'Sink', additionalProperties: false, description: 'Where to push, and how.' },
);

export const SinkViewSchema = Type.Object(
  {
    type: Type.Enum([...SINK_TYPES]),
    url: Type.String(),
    headers: Type.Array(Type.String(), { description: 'The names of the headers given; their values are never returned.' }),
    encoding: Type.Optional(Type.Enum(['protobuf', 'json'])),
  },
  { $id: 'SinkView', additionalProperties: false, description: 'A sink as it is shown back: its headers’ names only.' },
);

export const SinkStatsSchema = Type.Object(
  {
    samplesSent: Type.Integer({ minimum: 0, description: 'Metric samples (one metric of one host at one time) the destination accepted.' }),
    spansSent: Type.Integer({ minimum: 0, description: 'Spans accepted (otlp-http).' }),
    logsSent: Type.Integer({ minimum: 0, description: 'Log records (log lines and events) accepted (otlp-http).' }),
    requestsRefused: Type.Integer({ minimum: 0, description: 'Requests refused for good: a 4xx other than 429, or retries exhausted.' }),
    retries: Type.Integer({ minimum: 0, description: 'Requests sent again after a 429, a 5xx or a network error (with backoff, honouring Retry-After).' }),
    lastError: Type.Union([Type.String(), Type.Null()], { description: 'The last refusal: its status and the start of its body.' }),
  },
  { $id: 'SinkStats', additionalProperties: false, description: 'What a sink has sent so far.' },
);

export const PushStatusSchema = Type.Enum(['running', 'succeeded', 'failed', 'canceled', 'interrupted'], {
  $id: 'PushStatus',
  description:
    'running, then succeeded (everything pushed), failed (a sink refused for good; `error` says why), canceled (DELETE) or interrupted (the server stopped or restarted: replays and streams survive nothing).',
});

const PushErrorSchema = Type.Union([Type.Object({ code: Type.String(), message: Type.String() }, { additionalProperties: false }), Type.Null()], {
  description: 'Why it failed or was interrupted; null otherwise. Codes: PUSH_FAILED, SERVER_STOPPED, SERVER_RESTARTED.',
});

const TimeShiftSchema = (fallback: 'none' | 'now', description: string) => Type.Enum(['none', 'now'], { default: fallback, description });

export const ReplayRequestSchema = Type.Object(
  {
    sink: schemaRef(SinkSchema),
    timeShift: Type.Optional(
      TimeShiftSchema('none', 'none keeps the dataset’s times; now moves it so that it ends at the current interval (most platforms refuse samples older than their retention or out-of-order window).'),
    ),
  },
  { $id: 'ReplayRequest', additionalProperties: false, description: 'A replay of a finished job’s dataset into one sink.' },
);

export const ReplaySchema = Type.Object(
  {
    id: Uuid('The replay’s id.'),
    jobId: Uuid('The replayed job.'),
    status: schemaRef(PushStatusSchema),
    sink: schemaRef(SinkViewSchema),
    timeShift: Type.Enum(['none', 'now']),
    progress: Type.Union(
      [
        Type.Object(
          {
            daysDone: Type.Integer({ minimum: 0 }),
            daysTotal: Type.Integer({ minimum: 0 }),
            shiftMs: Type.Integer({ description: 'Milliseconds added to every timestamp.' }),
            sink: schemaRef(SinkStatsSchema),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      { description: 'Days pushed and what the sink sent; null until the thread has started.' },
    ),
    error: PushErrorSchema,
    createdAt: Time('When it was asked for.'),
    finishedAt: NullableTime('When it ended; null while running.'),
  },
  { $id: 'Replay', additionalProperties: false, description: 'A replay: a finished job’s records pushed into a sink, day by day, as fast as the sink takes them.' },
);

export const ReplayListSchema = Type.Object({ replays: Type.Array(schemaRef(ReplaySchema), { description: 'The job’s replays, newest first (at most 100).' }) }, { $id: 'ReplayList', additionalProperties: false });

export const StreamRequestSchema = Type.Object(
  {
    config: schemaRef(GenerationConfigSchema),
    sinks: Type.Array(schemaRef(SinkSchema), { minItems: 1, maxItems: 4, description: 'Where each interval goes (1–4 sinks; metrics-only sinks take the metrics).' }),
    speed: Type.Optional(Type.Number({ minimum: 0.01, maximum: 1_000_000, default: 1, description: '1 = wall clock; N = N× faster (1440 plays a day in a minute).' })),
    timeShift: Type.Optional(
      TimeShiftSchema(
        'now',
        'now (the default): the first interval starts at the current one, so at speed 1 the records carry the wall-clock time (faster, they run ahead of it); none: the config’s own dates.',
      ),
    ),
  },
  { $id: 'StreamRequest', additionalProperties: false, description: 'A live stream: a generation config played out interval by interval into sinks.' },
);

export const AnnouncementSchema = Type.Object(
  {
    seq: Type.Integer({ minimum: 1, description: '1, 2, 3… in the order sent; the SSE event id.' }),
    type: Type.Enum([...ANNOUNCEMENT_TYPES], {
      description: 'incident.started (a primary: a root cause), incident.cascaded (an incident another one caused), incident.detected (its first alert fired), incident.resolved.',
    }),
    time: Time('When it happened on the stream’s clock (the pushed records’ time).'),
    simulated_time: Time('The same instant in the dataset’s own time: where a job with this config has it.'),
    incident: schemaRef(IncidentSchema),
  },
  {
    $id: 'Announcement',
    additionalProperties: false,
    description: 'Ground truth as it happens: sent when the stream’s clock passes `time`, in causal order (a cause before what it caused). The incident is its catalog entry, its times moved like the records.',
  },
);

const StreamProgressSchema = Type.Object(
  {
    intervalsDone: Type.Integer({ minimum: 0 }),
    intervalsTotal: Type.Integer({ minimum: 0 }),
    streamTime: NullableTime('The last pushed interval’s end on the stream’s clock.'),
    lagMs: Type.Number({ minimum: 0, description: 'How late the last interval went out (the sinks were slower than the speed asks).' }),
    announcements: Type.Integer({ minimum: 0 }),
    sinks: Type.Array(schemaRef(SinkStatsSchema), { description: 'Per sink, in the order given.' }),
  },
  { additionalProperties: false },
);

export const StreamSchema = Type.Object(
  {
    id: Uuid('The stream’s id.'),
    status: schemaRef(PushStatusSchema),
    config: schemaRef(NormalizedConfigSchema),
    sinks: Type.Array(schemaRef(SinkViewSchema)),
    speed: Type.Number(),
    timeShift: Type.Enum(['none', 'now']),
    shiftMs: Type.Union([Type.Integer(), Type.Null()], { description: 'Milliseconds added to every record’s time (and the announcements’); null before the start.' }),
    progress: Type.Union([StreamProgressSchema, Type.Null()], { description: 'Where the stream is; null until its thread has started.' }),
    announcements: Type.Optional(
      Type.Array(schemaRef(AnnouncementSchema), { description: 'GET /v1/streams/{id} only: the announcements so far (those after `?after=` when given), for clients that poll rather than listen.' }),
    ),
    error: PushErrorSchema,
    createdAt: Time('When it was asked for.'),
    finishedAt: NullableTime('When it ended; null while running.'),
  },
  { $id: 'Stream', additionalProperties: false, description: 'A live stream.' },
);

export const StreamListSchema = Type.Object({ streams: Type.Array(schemaRef(StreamSchema), { description: 'The key’s streams, newest first (at most 100), without their announcements.' }) }, { $id: 'StreamList', additionalProperties: false });

export const StreamIdParamsSchema = Type.Object({ id: Uuid('Stream id (UUID).') }, { additionalProperties: false });
export const ReplayParamsSchema = Type.Object({ id: Uuid('Job id (UUID).'), replayId: Uuid('Replay id (UUID).') }, { additionalProperties: false });
export const StreamQuerySchema = Type.Object(
  { after: Type.Optional(Type.Integer({ minimum: 0, description: 'Only the announcements with `seq` above this.' })) },
  { additionalProperties: false },
);
export const StreamEventsQuerySchema = Type.Object(
  { after: Type.Optional(Type.Integer({ minimum: 0, description: 'Resume after this announcement (as the Last-Event-ID header does).' })) },
  { additionalProperties: false },
);

/** The named schemas of this module, for app.addSchema. */
export const PUSH_SCHEMAS: readonly TSchema[] = [SinkSchema, SinkViewSchema, SinkStatsSchema, PushStatusSchema, ReplayRequestSchema, ReplaySchema, ReplayListSchema, StreamRequestSchema, AnnouncementSchema, StreamSchema, StreamListSchema];

/** A copy of a schema with each `$ref` to one of `named` replaced by that schema: what a route's validator compiles. */
function inlined(schema: TSchema, named: Readonly<Record<string, unknown>>): TSchema {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && ref in named) return walk(named[ref]);
    return Object.fromEntries(Object.entries(node).filter(([k]) => k !== '$id').map(([k, v]) => [k, walk(v)]));
  };
  return walk(JSON.parse(JSON.stringify(schema))) as TSchema;
}

/** The replay body as the route checks it (the document shows ReplayRequest with its refs). */
export const ReplayRequestBodySchema = inlined(ReplayRequestSchema, { Sink: SinkSchema });
/** The stream body as the route checks it; the config is checked by the core (the same messages as POST /v1/jobs). */
export const StreamRequestBodySchema = inlined(StreamRequestSchema, { Sink: SinkSchema, GenerationConfig: {} });
