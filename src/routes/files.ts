import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { join } from 'node:path';
import { FORMATS, SIGNALS, type Format, type Signal } from '../core/config.ts';
import { CatalogSchema, EventRecordSchema, LabelRecordSchema, LogRecordSchema, MetricRecordSchema, schemaRef, SpanRecordSchema } from '../core/record-schemas.ts';
import { DAY_MS, parseDate } from '../core/time.ts';
import type { DatasetFile, Job } from '../jobs/job-types.ts';
import { CATALOG_PATH } from '../output/json-writer.ts';
import { CATALOG_PARQUET_PATH, dayPath, FORMAT_CONTENT, formatFromAccept, MEDIA_TYPES, parseDayPath, type DayContent } from '../output/layout.ts';
import { AppError, FieldsError } from '../plugins/errors.ts';
import { ownedDataset } from './job-access.ts';
import { BinarySchema, CatalogQuerySchema, DateParamsSchema, dayRangeQuerySchema, DayParamsSchema, DayQuerySchema, RANGE_FILTERS, type DayRangeQuery, FileListSchema, headers, JobIdParamsSchema, json, LabelsQuerySchema, NoQuerySchema, NOT_MODIFIED, problems, TextSchema } from './schemas.ts';
import { sendDatasetFile } from './send-file.ts';
import { parseDayFilter, readFilteredDay, type DayFilter } from './day-filter.ts';
import { createHash } from 'node:crypto';
import { access } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { Type, type TSchema } from '../typebox.ts';

/** What a file of the dataset is, and where to fetch it alone. */
function describe(jobId: string, f: DatasetFile): { signal: Signal | null; date: string | null; format: Format | null; mediaType: string; url: string | null } {
  const day = parseDayPath(f.path);
  if (day) {
    const query = day.format === 'json' ? '' : `?format=${day.format}`;
    const mediaType = MEDIA_TYPES[day.format];
    if (day.content === 'labels') return { signal: null, date: day.date, format: day.format, mediaType, url: `/v1/jobs/${jobId}/labels/${day.date}${query}` };
    return { signal: day.content, date: day.date, format: day.format, mediaType, url: `/v1/jobs/${jobId}/files/${day.content}/${day.date}${query}` };
  }
  if (f.path === CATALOG_PATH) return { signal: null, date: null, format: 'json', mediaType: MEDIA_TYPES.json, url: `/v1/jobs/${jobId}/catalog` };
  if (f.path === CATALOG_PARQUET_PATH) return { signal: null, date: null, format: 'parquet', mediaType: MEDIA_TYPES.parquet, url: `/v1/jobs/${jobId}/catalog?format=parquet` };
  return { signal: null, date: null, format: null, mediaType: 'text/plain; charset=utf-8', url: null };
}

/** The format a request asks for: `?format=`, else an Accept header naming one of ours, else json. */
function askedFormat(request: FastifyRequest, query: string | undefined, allowed: readonly Format[]): Format {
  if (query !== undefined) return query as Format;
  const accepted = formatFromAccept(typeof request.headers.accept === 'string' ? request.headers.accept : undefined);
  return accepted !== null && allowed.includes(accepted) ? accepted : 'json';
}

/** 404 unless the job wrote `format` (and the format carries what is asked for). */
function checkFormat(job: Job, format: Format, content: DayContent | 'catalog'): void {
  if (!job.config.formats.includes(format)) {
    throw new AppError(404, 'FORMAT_NOT_GENERATED', `The job does not write ${format}; it writes ${job.config.formats.join(', ')}.`, { formats: job.config.formats });
  }
  if (content !== 'catalog' && !FORMAT_CONTENT[format].includes(content)) {
    throw new AppError(404, 'FORMAT_NOT_GENERATED', `${format} does not carry ${content}; it carries ${FORMAT_CONTENT[format].join(', ')}.`, { formats: job.config.formats });
  }
}

/** 400 unless `date` is a calendar date; 404 unless it is one of the job's days. */
function checkDay(job: Job, date: string): void {
  const dayMs = parseDate(date);
  if (Number.isNaN(dayMs)) throw new FieldsError('A path parameter is invalid; `errors` names each one.', [{ field: '/params/date', message: 'is not a calendar date' }]);
  const index = (dayMs - parseDate(job.config.startDate)) / DAY_MS;
  if (index < 0 || index >= job.config.days) {
    throw new AppError(404, 'DAY_OUT_OF_RANGE', `${date} is not one of the job’s days (${job.config.startDate} and the ${job.config.days - 1} after).`);
  }
}

/** Sends a day's file (a signal's or the labels) once it is written; 409 (with Retry-After while the job runs) before. */
async function sendDayFile(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, job: Job, path: string, date: string, format: Format): Promise<FastifyReply> {
  const file = await app.store.getFile(job.id, path);
  if (!file) {
    if (job.status === 'queued' || job.status === 'running') reply.header('retry-after', '1');
    throw new AppError(409, 'DAY_NOT_READY', `${date} has not been generated (the job is ${job.status}).`, { jobStatus: job.status });
  }
  return sendDatasetFile(request, reply, join(app.datasets.datasetDir(job.id), path), file, MEDIA_TYPES[format]);
}

/** The 200 of a file that comes in several formats: the JSON schema, and the other media types. */
function formatContent(json: TSchema, formats: readonly Format[]): Record<string, { schema: TSchema }> {
  const content: Record<string, { schema: TSchema }> = { 'application/json': { schema: schemaRef(json) } };
  for (const f of formats) if (f !== 'json') content[(MEDIA_TYPES[f].split(';')[0] as string)] = { schema: f === 'parquet' ? BinarySchema : TextSchema };
  return content;
}

/** The array of one signal's day file, as a named schema of its own (one per signal). */
const dayArray = (id: string, record: TSchema, what: string): TSchema =>
  Type.Array(schemaRef(record), { $id: id, description: `One UTC day of ${what}, in time order: \`melt_data/${what}/YYYY-MM/${what}_YYYY-MM-DD.json\`.` });

/** Each signal's day file and the record schema of its rows. */
export const DAY_SCHEMAS = {
  metrics: dayArray('MetricsDay', MetricRecordSchema, 'metrics'),
  events: dayArray('EventsDay', EventRecordSchema, 'events'),
  logs: dayArray('LogsDay', LogRecordSchema, 'logs'),
  traces: dayArray('TracesDay', SpanRecordSchema, 'traces'),
} as const satisfies Record<Signal, TSchema>;

export const LabelsDaySchema = Type.Array(schemaRef(LabelRecordSchema), {
  $id: 'LabelsDay',
  description: 'The ground-truth labels of one UTC day: one row per host and interval with an active incident.',
});

export const DayFileSchema = Type.Union(
  SIGNALS.map((s) => schemaRef(DAY_SCHEMAS[s])),
  { $id: 'DayFile', description: 'The day file of any signal; the per-signal operations (getMetricsDay, ...) name the exact type.' },
);

/** The named schemas of this module, for app.addSchema. */
export const FILE_SCHEMAS: readonly TSchema[] = [...SIGNALS.map((s) => DAY_SCHEMAS[s]), LabelsDaySchema, DayFileSchema];

const CAPITALIZED: Record<Signal, string> = { metrics: 'Metrics', events: 'Events', logs: 'Logs', traces: 'Traces' };

const FILE_STATUSES = [400, 401, 404, 409, 410, 429, 500] as const;
const LABEL_FORMATS: readonly Format[] = ['json', 'ndjson', 'parquet'];
const CATALOG_FORMATS: readonly Format[] = ['json', 'parquet'];

/** The dataset of a job: its file list, one day file, and the incident catalog. */
export const fileRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/jobs/:id/files',
    {
      schema: {
        operationId: 'listFiles',
        summary: 'List the finished files of a job’s dataset, with sizes and checksums',
        description: 'Available while the job runs: lists what is finished so far (`complete` turns true when the job has succeeded).',
        tags: ['datasets'],
        params: JobIdParamsSchema,
        querystring: NoQuerySchema,
        response: { 200: json(FileListSchema, 'The files.'), ...problems(400, 401, 404, 410, 429, 500) },
      },
    },
    async (request) => {
      const job = await ownedDataset(app, request, request.params.id);
      const files = (await app.store.listFiles(job.id)).map((f) => ({ path: f.path, ...describe(job.id, f), bytes: f.bytes, sha256: f.sha256 }));
      return { jobId: job.id, status: job.status, complete: job.status === 'succeeded', totalBytes: files.reduce((a, f) => a + f.bytes, 0), files };
    },
  );

  const dayRules =
    'A finished day is served while the job still runs; a day in range but not generated yet is 409 (with Retry-After while the job runs); a day outside the range is 404; a date that is not a calendar date is 400. ' +
    'Sent gzip-encoded when the client accepts it; strong ETag per format and encoding, 304 on If-None-Match. ' +
    '`?format=` (or an Accept header naming its media type) picks one of the formats the job wrote: json (the original), ndjson, parquet, otlp (OTLP/JSON lines), openmetrics (metrics only); 404 FORMAT_NOT_GENERATED for one it did not.';

  app.get(
    '/jobs/:id/files/:signal/:date',
    {
      schema: {
        operationId: 'getDayFile',
        summary: 'Get one day file of any signal',
        description: `The JSON array of one signal for one UTC day, as in \`melt_data/<signal>/YYYY-MM/<signal>_YYYY-MM-DD.json\`. ${dayRules} Typed clients may prefer the per-signal operations (getMetricsDay, getEventsDay, getLogsDay, getTracesDay), whose answers have one record type.`,
        tags: ['datasets'],
        params: DayParamsSchema,
        querystring: DayQuerySchema,
        response: { 200: { description: 'The day file.', content: formatContent(DayFileSchema, FORMATS), headers: headers('etag', 'cache-control') }, 304: NOT_MODIFIED, ...problems(...FILE_STATUSES) },
      },
    },
    async (request, reply) => {
      const { id, signal, date } = request.params;
      return sendSignalDay(request, reply, id, signal, date, request.query.format);
    },
  );

  async function sendSignalDay(request: FastifyRequest, reply: FastifyReply, id: string, signal: Signal, date: string, query: string | undefined): Promise<FastifyReply> {
    const job = await ownedDataset(app, request, id);
    checkDay(job, date);
    if (!job.config.signals.includes(signal)) {
      throw new AppError(404, 'SIGNAL_NOT_GENERATED', `The job does not generate ${signal}; it generates ${job.config.signals.join(', ')}.`);
    }
    const format = askedFormat(request, query, FORMATS);
    checkFormat(job, format, signal);
    return sendDayFile(app, request, reply, job, dayPath(signal, date, format, job.config.compression), date, format);
  }

  // The same files under a fixed signal: one operation and one record type each, for typed clients.
  // Static segments take precedence over the parametric route above, with the same handler.
  for (const signal of SIGNALS) {
    app.get(
      `/jobs/:id/files/${signal}/:date`,
      {
        schema: {
          operationId: `get${CAPITALIZED[signal]}Day`,
          summary: `Get one day of ${signal}, or a range of it (${RANGE_FILTERS[signal].filter((k) => k !== 'limit').join(', ')})`,
          description:
            `\`melt_data/${signal}/YYYY-MM/${signal}_YYYY-MM-DD.json\`: the same file as getDayFile with signal=${signal}. ${dayRules} ` +
            `Ranges: \`${RANGE_FILTERS[signal].map((k) => `${k}=`).join('&')}\` keep only the matching records (lists are comma-separated; \`from\` inclusive, \`to\` exclusive), as a JSON array in file order; the same 409 before the day is written, an ETag per file and filter.`,
          tags: ['datasets'],
          params: DateParamsSchema,
          querystring: dayRangeQuerySchema(signal),
          response: {
            200: { description: `The ${signal} of the day (with a filter: the matching records).`, content: formatContent(DAY_SCHEMAS[signal], FORMATS.filter((f) => FORMAT_CONTENT[f].includes(signal))), headers: headers('etag', 'cache-control') },
            304: NOT_MODIFIED,
            ...problems(...FILE_STATUSES),
          },
        },
      },
      async (request, reply) => {
        const query = request.query;
        const filter = parseDayFilter(signal, query);
        if (filter === null) return sendSignalDay(request, reply, request.params.id, signal, request.params.date, query.format);
        return sendDayRange(request, reply, request.params.id, request.params.date, signal, filter, query);
      },
    );
  }

  /**
   * The records of one signal's day that pass a range filter. Read from the json file (else the
   * ndjson one): the one format that is the records themselves, a record a line. ETag: the file's,
   * and the filter's, so a chart that asks again for the same window gets a 304.
   */
  async function sendDayRange(request: FastifyRequest, reply: FastifyReply, id: string, date: string, signal: Signal, filter: DayFilter, query: DayRangeQuery): Promise<FastifyReply> {
    const job = await ownedDataset(app, request, id);
    checkDay(job, date);
    if (!job.config.signals.includes(signal)) {
      throw new AppError(404, 'SIGNAL_NOT_GENERATED', `The job does not generate ${signal}; it generates ${job.config.signals.join(', ')}.`);
    }
    const format = (['json', 'ndjson'] as const).find((f) => job.config.formats.includes(f));
    if (format === undefined) {
      throw new AppError(404, 'FORMAT_NOT_GENERATED', `Ranges are read from the json or ndjson day files; the job writes ${job.config.formats.join(', ')}.`, { formats: job.config.formats });
    }
    const path = dayPath(signal, date, format, job.config.compression);
    const file = await app.store.getFile(job.id, path);
    if (!file) {
      if (job.status === 'queued' || job.status === 'running') reply.header('retry-after', '1');
      throw new AppError(409, 'DAY_NOT_READY', `${date} has not been generated (the job is ${job.status}).`, { jobStatus: job.status });
    }
    const asked = Object.entries(query)
      .filter(([k]) => k !== 'format')
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${String(v)}`)
      .join('&');
    const etag = `"${file.sha256.slice(0, 32)}-${createHash('sha256').update(asked).digest('hex').slice(0, 16)}"`;
    reply.header('etag', etag).header('cache-control', 'private, max-age=3600').type('application/json; charset=utf-8');
    const inm = request.headers['if-none-match'];
    if (typeof inm === 'string' && inm.split(',').some((t) => t.trim() === etag || t.trim() === '*')) return reply.status(304).send();
    const absPath = join(app.datasets.datasetDir(job.id), path);
    try {
      await access(absPath);
    } catch {
      throw new AppError(404, 'FILE_NOT_FOUND', `${file.path} no longer exists.`);
    }
    if (request.method === 'HEAD') return reply.send(Readable.from([]));
    // Already JSON text: sent as it is, not checked against the response schema again.
    return reply.send(JSON.stringify(await readFilteredDay(absPath, path.endsWith('.gz'), signal, filter)));
  }

  app.get(
    '/jobs/:id/labels/:date',
    {
      schema: {
        operationId: 'getLabels',
        summary: 'Get the ground-truth labels of one day',
        description:
          '`metadata/labels/YYYY-MM/labels_YYYY-MM-DD.json`: one row per host and interval with an active incident, listing each incident (id, type, primary) ' +
          `and whether the host is its root cause or a symptom; \`[]\` on a quiet day. ${dayRules}`,
        tags: ['datasets'],
        params: DateParamsSchema,
        querystring: LabelsQuerySchema,
        response: { 200: { description: 'The label rows of the day.', content: formatContent(LabelsDaySchema, LABEL_FORMATS), headers: headers('etag', 'cache-control') }, 304: NOT_MODIFIED, ...problems(...FILE_STATUSES) },
      },
    },
    async (request, reply) => {
      const { id, date } = request.params;
      const job = await ownedDataset(app, request, id);
      checkDay(job, date);
      const format = askedFormat(request, request.query.format, LABEL_FORMATS);
      checkFormat(job, format, 'labels');
      return sendDayFile(app, request, reply, job, dayPath('labels', date, format, job.config.compression), date, format);
    },
  );

  app.get(
    '/jobs/:id/catalog',
    {
      schema: {
        operationId: 'getCatalog',
        summary: 'Get the incident catalog (ground truth)',
        description:
          '`metadata/incident_catalog.json`: the generation config, every incident (primary and cascaded, with causes, hosts and times) and a summary. ' +
          'Available as soon as the incident plan exists, before the days are done (409 until then). gzip, ETag and 304 as for day files.',
        tags: ['datasets'],
        params: JobIdParamsSchema,
        querystring: CatalogQuerySchema,
        response: { 200: { description: 'The catalog.', content: formatContent(CatalogSchema, CATALOG_FORMATS), headers: headers('etag', 'cache-control') }, 304: NOT_MODIFIED, ...problems(400, 401, 404, 409, 410, 429, 500) },
      },
    },
    async (request, reply) => {
      const job = await ownedDataset(app, request, request.params.id);
      const format = askedFormat(request, request.query.format, CATALOG_FORMATS);
      // The JSON catalog is always written; the Parquet table with the parquet format.
      if (format !== 'json') checkFormat(job, format, 'catalog');
      const path = format === 'json' ? CATALOG_PATH : CATALOG_PARQUET_PATH;
      const file = job.catalogReady ? await app.store.getFile(job.id, path) : null;
      if (!file) {
        if (job.status === 'queued' || job.status === 'running') reply.header('retry-after', '1');
        throw new AppError(409, 'CATALOG_NOT_READY', `The incident catalog is not written yet (the job is ${job.status}).`, { jobStatus: job.status });
      }
      return sendDatasetFile(request, reply, join(app.datasets.datasetDir(job.id), path), file, MEDIA_TYPES[format]);
    },
  );
};

