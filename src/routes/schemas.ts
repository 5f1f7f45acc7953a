import { Type, type Static, type TSchema } from '../typebox.ts';
import { FORMATS, NormalizedConfigSchema, SIGNALS } from '../core/config.ts';
import { schemaRef } from '../core/record-schemas.ts';
import { JOB_STATUSES } from '../jobs/job-types.ts';
import { PROBLEM_CODES } from '../plugins/errors.ts';

// The API's named schemas: each has an `$id`, is added to the app with addSchema and shows up in
// the OpenAPI document as components.schemas.<$id>; routes point at them with schemaRef(), so a
// generated client names every type. The records of the dataset files live in
// src/core/record-schemas.ts, the validation report's in src/validation/report-schema.ts.

export const FieldErrorSchema = Type.Object(
  {
    field: Type.String({ description: 'A JSON pointer that starts with the request part: `/body/days`, `/query/limit`, `/params/signal`.' }),
    message: Type.String({ description: 'What is wrong, with the allowed values where there is a list.' }),
  },
  { $id: 'FieldError', additionalProperties: false },
);

/** RFC 9457 problem details, as every 4xx and 5xx answer carries them. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'Always `about:blank`: `code` identifies the problem.' }),
    title: Type.String({ description: 'The HTTP status text.' }),
    status: Type.Integer({ description: 'The HTTP status, repeated.' }),
    code: Type.Enum(Object.keys(PROBLEM_CODES), { description: 'Stable error code for programs.' }),
    detail: Type.String({ description: 'What happened, for people.' }),
    instance: Type.Optional(Type.String({ description: 'The request path and query.' })),
    errors: Type.Optional(Type.Array(schemaRef(FieldErrorSchema), { description: 'On 400s about the request: every bad field, not only the first.' })),
  },
  // Open: a problem may carry figures (limits, usage, the job's status) next to the standard fields.
  { $id: 'Problem', description: 'An error (RFC 9457 problem details) with a stable `code`; some codes add figures such as `limit` or `jobStatus`.', additionalProperties: true },
);

export const JobStatusSchema = Type.Enum([...JOB_STATUSES], {
  $id: 'JobStatus',
  description: 'queued -> running -> succeeded | failed; canceled by DELETE; expired when retention has deleted the dataset.',
});

export const JobIdParamsSchema = Type.Object({ id: Type.String({ pattern: '^[0-9a-f-]{36}$', description: 'Job id (UUID).' }) }, { additionalProperties: false });

/** Routes without query parameters refuse any, so a mistyped one is a 400 rather than silently ignored. */
export const NoQuerySchema = Type.Object({}, { additionalProperties: false });

const jobProperties = {
  id: Type.String({ format: 'uuid' }),
  status: schemaRef(JobStatusSchema),
  progress: Type.Object(
    {
      daysDone: Type.Integer({ minimum: 0 }),
      daysTotal: Type.Integer({ minimum: 1 }),
      percent: Type.Number({ minimum: 0, maximum: 100, description: 'daysDone / daysTotal, one decimal.' }),
    },
    { additionalProperties: false },
  ),
  config: schemaRef(NormalizedConfigSchema),
  catalogReady: Type.Boolean({ description: 'The incident catalog is available (it is written before the first day).' }),
  bytesWritten: Type.Integer({ minimum: 0 }),
  estimatedBytes: Type.Integer({ minimum: 0, description: 'Estimated size of the whole dataset, computed before the job was queued.' }),
  createdAt: Type.String({ format: 'date-time' }),
  startedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  error: Type.Union([Type.Object({ code: Type.String({ description: 'GENERATION_FAILED, or a limit that stopped the job.' }), message: Type.String() }, { additionalProperties: false }), Type.Null()], {
    description: 'Why a failed job failed; null otherwise.',
  }),
  links: Type.Object(
    {
      self: Type.String(),
      catalog: Type.String(),
      files: Type.String(),
      day: Type.String({ description: 'URI template of a day file: replace {signal} and {date}.' }),
      archive: Type.String(),
      report: Type.String(),
    },
    { additionalProperties: false },
  ),
};

export const JobSchema = Type.Object(jobProperties, {
  $id: 'Job',
  additionalProperties: false,
  description: 'A generation job. `config` is normalized: every default filled in, with the seed actually used.',
});
export type JobView = Static<typeof JobSchema>;

export const SubmittedJobSchema = Type.Object(
  {
    ...jobProperties,
    deduplicated: Type.Boolean({ description: 'True when an existing job with the same normalized config and seed was returned (200) instead of a new one (202).' }),
  },
  { $id: 'SubmittedJob', additionalProperties: false, description: 'The answer to a submission: the job, and whether it already existed.' },
);

/** The data of a job's `day` event: one more day whose files are all written. */
export const JobDaySchema = Type.Object(
  {
    jobId: Type.String({ format: 'uuid' }),
    date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'The UTC day, YYYY-MM-DD: its files can be fetched now.' }),
    dayIndex: Type.Integer({ minimum: 0, description: 'Its index, 0 for the first day.' }),
    daysDone: Type.Integer({ minimum: 0, description: 'Days done so far, this one included.' }),
    daysTotal: Type.Integer({ minimum: 1 }),
  },
  { $id: 'JobDay', additionalProperties: false, description: 'A finished day of a job, as its `day` event announces it.' },
);
export type JobDayView = Static<typeof JobDaySchema>;

/** The events of GET /v1/jobs/{id}/events, in the order a client sees them. */
export const JOB_EVENT_TYPES = ['status', 'progress', 'day', 'end', 'deleted'] as const;

/** One event of a job's event stream, parsed: its name and its JSON data. */
export const JobEventSchema = Type.Union(
  [
    Type.Object(
      { event: Type.Literal('status', { description: 'The job as it is: sent first, then at every change of status (queued, running, succeeded, ...).' }), data: schemaRef(JobSchema) },
      { additionalProperties: false },
    ),
    Type.Object({ event: Type.Literal('progress', { description: 'The job, when days done, bytes written or the catalog changed.' }), data: schemaRef(JobSchema) }, { additionalProperties: false }),
    Type.Object({ event: Type.Literal('day', { description: 'A finished day (the days already done are sent first, after the opening status).' }), data: schemaRef(JobDaySchema) }, { additionalProperties: false }),
    Type.Object({ event: Type.Literal('end', { description: 'The job in its final status; the server then closes the stream.' }), data: schemaRef(JobSchema) }, { additionalProperties: false }),
    Type.Object(
      { event: Type.Literal('deleted', { description: 'The job was deleted while the stream was open; the server then closes it.' }), data: Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false }) },
      { additionalProperties: false },
    ),
  ],
  {
    $id: 'JobEvent',
    description:
      'One Server-Sent Event of getJobEvents, as a client parses it: `event:` names it and `data:` is one line of JSON. The stream is text/event-stream; this schema types what each event carries.',
  },
);

/** What POST /v1/estimates answers: the size and the limits a config would meet, without a job. */
export const EstimateSchema = Type.Object(
  {
    estimatedBytes: Type.Integer({ minimum: 0, description: 'The dataset’s estimated size (within about ±25 %), as createJob computes it.' }),
    bytesPerDay: Type.Integer({ minimum: 0, description: 'estimatedBytes / days, rounded.' }),
    days: Type.Integer({ minimum: 1 }),
    hosts: Type.Integer({ minimum: 1, description: 'Hosts simulated: the sum of every service’s hosts.' }),
    services: Type.Integer({ minimum: 1 }),
    limits: Type.Object(
      {
        maxHosts: Type.Integer({ description: 'Most hosts of one job (MELT_MAX_HOSTS).' }),
        maxJobBytes: Type.Integer({ description: 'Largest estimated dataset of one job (MELT_MAX_JOB_BYTES).' }),
        quotaStoredBytes: Type.Integer({ description: 'Bytes the key may store, written plus still to write (MELT_QUOTA_STORED_BYTES).' }),
        usedBytes: Type.Integer({ minimum: 0, description: 'Bytes the key stores now, written plus still to write.' }),
        quotaConcurrentJobs: Type.Integer({ description: 'Jobs the key may have queued or running.' }),
        activeJobs: Type.Integer({ minimum: 0, description: 'Jobs the key has queued or running now.' }),
      },
      { additionalProperties: false, description: 'The limits createJob checks, and what the key uses of its quotas.' },
    ),
    refusal: Type.Union(
      [
        Type.Object(
          {
            code: Type.Enum(['TOO_MANY_HOSTS', 'JOB_TOO_LARGE', 'STORAGE_QUOTA_EXCEEDED', 'TOO_MANY_JOBS'], { description: 'The code createJob would answer with.' }),
            detail: Type.String(),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      { description: 'Why createJob would refuse this config now; null when it would queue it (the disk is checked only then).' },
    ),
  },
  { $id: 'Estimate', additionalProperties: false, description: 'The size of the dataset a config would make, and whether the server would take it: nothing is generated.' },
);

export const JobListSchema = Type.Object(
  {
    jobs: Type.Array(schemaRef(JobSchema)),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next (older) page; null on the last.' }),
  },
  { $id: 'JobList', additionalProperties: false, description: 'A page of jobs, newest first.' },
);

export const JobListQuerySchema = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Jobs per page (default 20).' })),
    cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$', description: 'The `nextCursor` of the previous page.' })),
  },
  { additionalProperties: false },
);

export const FileEntrySchema = Type.Object(
  {
    path: Type.String({ description: 'Path inside melt_data/.' }),
    signal: Type.Union([Type.Enum([...SIGNALS]), Type.Null()], { description: 'Null for the metadata files (catalog, labels, root_cause.txt).' }),
    date: Type.Union([Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }), Type.Null()], { description: 'The day of a day file or label file; null for the catalog and root_cause.txt.' }),
    format: Type.Union([Type.Enum([...FORMATS]), Type.Null()], { description: 'The file’s format; null for root_cause.txt.' }),
    mediaType: Type.String({ description: 'The media type it is served with (a gzipped file is served with Content-Encoding: gzip, or unzipped).' }),
    bytes: Type.Integer({ minimum: 0 }),
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    url: Type.Union([Type.String(), Type.Null()], { description: 'Where to fetch it alone; null for root_cause.txt (in the archive).' }),
  },
  { $id: 'FileEntry', additionalProperties: false, description: 'One finished file of a dataset.' },
);

export const FileListSchema = Type.Object(
  {
    jobId: Type.String({ format: 'uuid' }),
    status: schemaRef(JobStatusSchema),
    complete: Type.Boolean({ description: 'True when the job succeeded: the list is the whole dataset.' }),
    totalBytes: Type.Integer({ minimum: 0 }),
    files: Type.Array(schemaRef(FileEntrySchema)),
  },
  { $id: 'FileList', additionalProperties: false, description: 'The finished files of a dataset (so far, while the job runs).' },
);

const DateParam = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'A UTC day of the job, YYYY-MM-DD.' });

export const DayParamsSchema = Type.Object(
  { id: JobIdParamsSchema.properties.id, signal: Type.Enum([...SIGNALS], { description: 'metrics, events, logs or traces.' }), date: DateParam },
  { additionalProperties: false },
);

export const DateParamsSchema = Type.Object({ id: JobIdParamsSchema.properties.id, date: DateParam }, { additionalProperties: false });

const formatParam = (formats: readonly string[], what: string) =>
  Type.Object(
    { format: Type.Optional(Type.Enum([...formats], { default: 'json', description: `${what} Without it, an Accept header naming one of the media types picks it; else json.` })) },
    { additionalProperties: false },
  );

/** `?format=` of a day file: any format the job wrote that carries the signal. */
export const DayQuerySchema = formatParam(FORMATS, 'The format: json (the original), ndjson, parquet, otlp (OTLP/JSON lines) or openmetrics (metrics only).');
/** `?format=` of a label file. */
export const LabelsQuerySchema = formatParam(['json', 'ndjson', 'parquet'], 'The format: json, ndjson or parquet (long form: a row per host, interval and incident).');
/** `?format=` of the catalog. */
export const CatalogQuerySchema = formatParam(['json', 'parquet'], 'The format: json (the whole catalog) or parquet (the incidents, a row each).');

// ---- Ranges of a day file: what the console's charts and trace views fetch -----------------------

/** A comma-separated list of names (hosts, services): letters, digits and dashes. */
const NAME_LIST = '^[a-z0-9][a-z0-9-]{0,62}(,[a-z0-9][a-z0-9-]{0,62}){0,99}$';
/** A UTC instant: `2024-06-01T10:00:00Z`, with optional seconds and milliseconds. */
export const INSTANT_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,3})?)?Z$';

const rangeFilters = {
  host: Type.Optional(Type.String({ pattern: NAME_LIST, description: 'Only these hosts (comma-separated host ids, up to 100).' })),
  service: Type.Optional(Type.String({ pattern: NAME_LIST, description: 'Only these services (comma-separated).' })),
  trace: Type.Optional(Type.String({ pattern: '^[0-9a-f]{32}(,[0-9a-f]{32}){0,99}$', description: 'Only these traces (comma-separated trace ids, up to 100).' })),
  type: Type.Optional(Type.String({ pattern: '^[A-Z_]+(,[A-Z_]+){0,19}$', description: 'Only these event types (comma-separated), e.g. `ALERT_TRIGGER,CASCADE_TRIGGER`.' })),
  from: Type.Optional(Type.String({ pattern: INSTANT_PATTERN, description: 'Only records at or after this UTC instant (`timestamp >= from`), e.g. `2024-06-01T10:00:00Z`.' })),
  to: Type.Optional(Type.String({ pattern: INSTANT_PATTERN, description: 'Only records before this UTC instant (`timestamp < to`).' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'At most this many records (the first ones, in file order).' })),
};

/** The range filters each signal's records can be cut by. */
export const RANGE_FILTERS = {
  metrics: ['host', 'service', 'from', 'to', 'limit'],
  events: ['service', 'type', 'from', 'to', 'limit'],
  logs: ['host', 'service', 'trace', 'from', 'to', 'limit'],
  traces: ['host', 'service', 'trace', 'from', 'to', 'limit'],
} as const satisfies Record<(typeof SIGNALS)[number], readonly (keyof typeof rangeFilters)[]>;

const RANGE_NOTE =
  ' With any filter, the answer is the JSON array of the matching records only (read from the json or ndjson file; no other format), so a client fetches one host and window instead of a whole day.';

const rangeFormat = Type.Optional(
  Type.Enum([...FORMATS], {
    default: 'json',
    description: `The format: json (the original), ndjson, parquet, otlp (OTLP/JSON lines) or openmetrics (metrics only). Without it, an Accept header naming one of the media types picks it; else json.${RANGE_NOTE}`,
  }),
);
/** Every filter at once: the static type of each signal's query (each takes the ones its records carry). */
const AnyDayRangeQuery = Type.Object({ format: rangeFormat, ...rangeFilters }, { additionalProperties: false });

/** The query of a day range: `format` and the filters; any filter makes the answer the JSON records that match. */
export type DayRangeQuery = Static<typeof AnyDayRangeQuery>;

/** `?format=` plus the range filters of one signal's day file. */
export function dayRangeQuerySchema(signal: (typeof SIGNALS)[number]): typeof AnyDayRangeQuery {
  const picked = Object.fromEntries(RANGE_FILTERS[signal].map((k) => [k, rangeFilters[k]]));
  // The signal's own filters only, so another one is refused (400) rather than ignored.
  return Type.Object({ format: rangeFormat, ...picked }, { additionalProperties: false }) as unknown as typeof AnyDayRangeQuery;
}

export const ArchiveQuerySchema = Type.Object(
  {
    formats: Type.Optional(
      Type.String({
        pattern: '^[a-z]+(,[a-z]+)*$',
        description: 'Comma-separated formats to put in the zip (of those the job wrote), e.g. `parquet` or `json,ndjson`; default all. The catalog and root_cause.txt are always in.',
      }),
    ),
    compression: Type.Optional(
      Type.Enum(['store', 'fast', 'best'], {
        default: 'fast',
        description: 'store: no compression, fastest, and the only mode with Content-Length; fast: deflate level 1; best: deflate level 9.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const ReportQuerySchema = Type.Object(
  {
    format: Type.Optional(
      Type.Enum(['json', 'text'], { description: 'Only `json` (the default) is answered here; `text` is redirected (303) to the `getReportText` operation, /report.txt.' }),
    ),
  },
  { additionalProperties: false },
);

export const HealthSchema = Type.Object({ status: Type.Literal('ok'), version: Type.String({ description: 'The generator version; part of every dataset’s identity.' }) }, { $id: 'Health', additionalProperties: false });

/** A zip, streamed. */
export const ZipSchema = Type.Unsafe<NodeJS.ReadableStream>({ type: 'string', format: 'binary', description: 'A zip of melt_data/.' });

/** A binary file (Parquet). */
export const BinarySchema = Type.Unsafe<Uint8Array>({ type: 'string', format: 'binary' });

/** A text body (the report table, the Prometheus exposition). */
export const TextSchema = Type.Unsafe<string>({ type: 'string' });

/** The named schemas of this module, for app.addSchema. */
export const API_SCHEMAS: readonly TSchema[] = [FieldErrorSchema, ProblemSchema, JobStatusSchema, NormalizedConfigSchema, JobSchema, SubmittedJobSchema, JobListSchema, JobDaySchema, JobEventSchema, EstimateSchema, FileEntrySchema, FileListSchema, HealthSchema];

// ---- Responses -------------------------------------------------------------------------------

/** A response header as the OpenAPI document shows it. */
export interface HeaderSpec {
  readonly type: 'string' | 'integer';
  readonly description: string;
}

export const HEADERS = {
  location: { type: 'string', description: 'The job’s URL.' },
  etag: { type: 'string', description: 'Strong validator of this representation (one per content encoding); send it back in If-None-Match.' },
  'cache-control': { type: 'string', description: 'Dataset files never change once written: `private, max-age=3600`.' },
  'retry-after': { type: 'integer', description: 'Seconds to wait before asking again.' },
  'content-disposition': { type: 'string', description: 'attachment; filename="meltgen-<seed>-<job>.zip".' },
  'content-length': { type: 'integer', description: 'Size of the body in bytes, when known in advance.' },
  'www-authenticate': { type: 'string', description: '`Bearer realm="meltgen"`.' },
} as const satisfies Record<string, HeaderSpec>;
type HeaderName = keyof typeof HEADERS;

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is invalid; `errors` names each bad field as `/body/...`, `/query/...` or `/params/...`.',
  401: 'No API key, or not a valid one (only when the server has keys configured).',
  403: 'The sink’s destination is not in the server’s allowlist (MELT_SINK_ALLOWLIST), or not reachable by the rules for internal addresses.',
  404: 'No such job (or not this key’s), day, file, replay or stream.',
  409: 'Not available yet in the job’s current state (`jobStatus` says which).',
  410: 'The job’s dataset has expired and was deleted; submit the config again to regenerate it.',
  413: 'The body is larger than the server allows (MELT_BODY_LIMIT_BYTES).',
  415: 'The body is not sent as application/json.',
  422: 'Refused before any work: the job exceeds a server limit (the figures are in the body).',
  429: 'Too many queued or running jobs for this key (TOO_MANY_JOBS), too many running replays and streams (TOO_MANY_STREAMS), or too many requests (RATE_LIMITED).',
  500: 'Internal error (logged on the server with the request id).',
  507: 'Refused before any work: the key’s storage quota or the server’s disk would be exceeded.',
};

/** The headers each problem status carries beyond the ones every response has. */
const PROBLEM_HEADERS: Partial<Record<number, readonly HeaderName[]>> = { 401: ['www-authenticate'], 409: ['retry-after'], 429: ['retry-after'] };

/** Response headers for the OpenAPI document (fastify-swagger reads `headers` from a response schema). */
export function headers(...names: HeaderName[]): Record<string, HeaderSpec> {
  return Object.fromEntries(names.map((n) => [n, HEADERS[n]]));
}

type ResponseSpec = { description: string; content: Record<string, { schema: TSchema }>; headers?: Record<string, HeaderSpec> };

/** Problem responses for the given statuses, under the problem+json media type. */
export function problems(...statuses: number[]): Record<number, ResponseSpec> {
  const out: Record<number, ResponseSpec> = {};
  for (const s of statuses) {
    const hs = PROBLEM_HEADERS[s];
    out[s] = { description: PROBLEM_DESCRIPTIONS[s] ?? 'Error', content: { 'application/problem+json': { schema: Type.Ref('Problem') } }, ...(hs ? { headers: headers(...hs) } : {}) };
  }
  return out;
}

/** A JSON response of a named schema, with headers. */
export function json(schema: TSchema, description: string, ...hs: HeaderName[]): ResponseSpec {
  return { description, content: { 'application/json': { schema: schemaRef(schema) } }, ...(hs.length ? { headers: headers(...hs) } : {}) };
}

/** The 304 of a conditional GET. */
export const NOT_MODIFIED = { description: 'Not modified: the ETag in If-None-Match still matches.', type: 'null', headers: headers('etag', 'cache-control') } as const;
