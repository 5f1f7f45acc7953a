import { Type, type Static, type TSchema } from 'typebox';
import { GenerationConfigSchema, SIGNALS } from '../core/config.ts';
import { JOB_STATUSES } from '../jobs/job-types.ts';

export const FieldErrorSchema = Type.Object({ field: Type.String(), message: Type.String() });

/** RFC 9457 problem details, as every 4xx and 5xx answer carries them. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ examples: ['about:blank'] }),
    title: Type.String({ examples: ['Bad Request'] }),
    status: Type.Integer({ examples: [400] }),
    code: Type.String({ description: 'Stable error code for programs.', examples: ['INVALID_CONFIG'] }),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(FieldErrorSchema, { description: 'Every bad field, as a JSON pointer into the request part.' })),
  },
  // Open: a problem may carry figures (limits, usage, the job's status) next to the standard fields.
  { $id: 'Problem', description: 'An error (RFC 9457 problem details).', additionalProperties: true },
);

/** A problem response for the given statuses, under the problem+json media type. */
export function problems(...statuses: number[]): Record<number, { description: string; content: Record<string, { schema: TSchema }> }> {
  const out: Record<number, { description: string; content: Record<string, { schema: TSchema }> }> = {};
  for (const s of statuses) out[s] = { description: PROBLEM_DESCRIPTIONS[s] ?? 'Error', content: { 'application/problem+json': { schema: Type.Ref('Problem') } } };
  return out;
}

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is invalid; `errors` names each bad field.',
  401: 'No API key, or not a valid one.',
  404: 'No such job (or not this key’s), file or route.',
  409: 'Not available yet in the job’s current state.',
  410: 'The job’s dataset has expired and was deleted.',
  422: 'Refused before any work: the job exceeds a server limit (the figures are in the body).',
  429: 'Too many queued or running jobs for this key, or too many requests.',
  500: 'Internal error.',
  507: 'Refused before any work: the key’s storage quota or the server’s disk would be exceeded.',
};

export const JobIdParamsSchema = Type.Object({ id: Type.String({ pattern: '^[0-9a-f-]{36}$', description: 'Job id (UUID).' }) });

export const JobStatusSchema = Type.Enum([...JOB_STATUSES], { description: 'queued -> running -> succeeded | failed; canceled by DELETE.' });

export const JobSchema = Type.Object(
  {
    id: Type.String(),
    status: JobStatusSchema,
    deduplicated: Type.Optional(Type.Boolean({ description: 'Only on POST: true when an existing job with the same normalized config and seed was returned.' })),
    progress: Type.Object({
      daysDone: Type.Integer(),
      daysTotal: Type.Integer(),
      percent: Type.Number(),
    }),
    config: GenerationConfigSchema,
    catalogReady: Type.Boolean({ description: 'The incident catalog is available (before the first day is done).' }),
    bytesWritten: Type.Integer(),
    estimatedBytes: Type.Integer({ description: 'Estimated size of the whole dataset, computed before the job was queued.' }),
    createdAt: Type.String({ format: 'date-time' }),
    startedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
    links: Type.Object({
      self: Type.String(),
      catalog: Type.String(),
      files: Type.String(),
      day: Type.String({ description: 'URI template of a day file.' }),
      archive: Type.String(),
    }),
  },
  { description: 'A generation job. `config` is normalized: every default filled in, with the seed actually used.' },
);
export type JobView = Static<typeof JobSchema>;

export const JobListSchema = Type.Object({
  jobs: Type.Array(JobSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next (older) page; null on the last.' }),
});

export const JobListQuerySchema = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Jobs per page (default 20).' })),
  cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
});

export const DatasetFileSchema = Type.Object({
  path: Type.String({ description: 'Path inside melt_data/.', examples: ['metrics/2024-06/metrics_2024-06-01.json'] }),
  signal: Type.Union([Type.Enum([...SIGNALS]), Type.Null()], { description: 'Null for the metadata files.' }),
  date: Type.Union([Type.String(), Type.Null()]),
  bytes: Type.Integer(),
  sha256: Type.String(),
  url: Type.Union([Type.String(), Type.Null()], { description: 'Where to fetch it alone; null for root_cause.txt (in the archive).' }),
});

export const FileListSchema = Type.Object({
  jobId: Type.String(),
  status: JobStatusSchema,
  complete: Type.Boolean({ description: 'True when the job succeeded: the list is the whole dataset.' }),
  totalBytes: Type.Integer(),
  files: Type.Array(DatasetFileSchema),
});

export const DayParamsSchema = Type.Object({
  id: JobIdParamsSchema.properties.id,
  signal: Type.Enum([...SIGNALS]),
  date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' }),
});

export const LabelParamsSchema = Type.Object({
  id: JobIdParamsSchema.properties.id,
  date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' }),
});

export const ArchiveQuerySchema = Type.Object({
  compression: Type.Optional(Type.Enum(['store', 'fast', 'best'], { default: 'fast', description: 'store: no compression (fastest); fast: deflate level 1; best: deflate level 9.' })),
});

/** A zip, streamed. */
export const ZipSchema = Type.Unsafe<NodeJS.ReadableStream>({ type: 'string', format: 'binary' });

/** A JSON array of records, streamed from disk. */
export const RecordArraySchema = Type.Array(Type.Object({}, { additionalProperties: true }));

export const ReportQuerySchema = Type.Object({
  format: Type.Optional(Type.Enum(['json', 'text'], { description: 'json (default) or text: the table `npm run validate` prints.' })),
});

const RatioSchema = Type.Object(
  { numerator: Type.Integer(), denominator: Type.Integer(), value: Type.Union([Type.Number(), Type.Null()]) },
  { additionalProperties: true, description: 'numerator / denominator; value null when nothing was measured.' },
);

/** The validation report (the main parts; src/validation/report.ts documents every field). */
export const ReportSchema = Type.Object(
  {
    dataset: Type.Object({}, { additionalProperties: true }),
    method: Type.Object({}, { additionalProperties: true }),
    detection: Type.Record(Type.String(), RatioSchema),
    falseAlarms: RatioSchema,
    traces: Type.Object({}, { additionalProperties: true }),
    logs: Type.Object({}, { additionalProperties: true }),
    errorRate: Type.Object({}, { additionalProperties: true }),
    latency: Type.Object({}, { additionalProperties: true }),
    alerts: RatioSchema,
    cascades: RatioSchema,
    causalOrder: RatioSchema,
    midnight: RatioSchema,
    causeEvents: RatioSchema,
    ranker: Type.Object({ top1: RatioSchema, top3: RatioSchema }, { additionalProperties: true }),
    bars: Type.Array(
      Type.Object({ name: Type.String(), value: Type.Union([Type.Number(), Type.Null()]), op: Type.String(), bound: Type.Number(), pass: Type.Boolean() }),
    ),
  },
  { additionalProperties: true },
);
