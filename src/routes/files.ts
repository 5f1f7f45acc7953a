import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { join } from 'node:path';
import { SIGNALS, type Signal } from '../core/config.ts';
import { CatalogSchema, EventRecordSchema, LabelRecordSchema, LogRecordSchema, MetricRecordSchema, schemaRef, SpanRecordSchema } from '../core/record-schemas.ts';
import { DAY_MS, parseDate } from '../core/time.ts';
import { datasetDir } from '../jobs/job-runner.ts';
import type { DatasetFile, Job } from '../jobs/job-types.ts';
import { CATALOG_PATH, dayFilePath, labelFilePath } from '../output/json-writer.ts';
import { AppError, FieldsError } from '../plugins/errors.ts';
import { ownedDataset } from './job-access.ts';
import { DateParamsSchema, DayParamsSchema, FileListSchema, JobIdParamsSchema, json, NoQuerySchema, NOT_MODIFIED, problems } from './schemas.ts';
import { sendDatasetFile } from './send-file.ts';
import { Type, type TSchema } from 'typebox';

function describe(jobId: string, f: DatasetFile): { signal: Signal | null; date: string | null; url: string | null } {
  const m = /^([a-z]+)\/\d{4}-\d{2}\/[a-z]+_(\d{4}-\d{2}-\d{2})\.json$/.exec(f.path);
  if (m && (SIGNALS as readonly string[]).includes(m[1] as string)) {
    return { signal: m[1] as Signal, date: m[2] as string, url: `/v1/jobs/${jobId}/files/${m[1]}/${m[2]}` };
  }
  const l = /^metadata\/labels\/\d{4}-\d{2}\/labels_(\d{4}-\d{2}-\d{2})\.json$/.exec(f.path);
  if (l) return { signal: null, date: l[1] as string, url: `/v1/jobs/${jobId}/labels/${l[1] as string}` };
  return { signal: null, date: null, url: f.path === CATALOG_PATH ? `/v1/jobs/${jobId}/catalog` : null };
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
function sendDayFile(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, job: Job, path: string, date: string): Promise<FastifyReply> {
  const file = app.store.getFile(job.id, path);
  if (!file) {
    if (job.status === 'queued' || job.status === 'running') reply.header('retry-after', '1');
    throw new AppError(409, 'DAY_NOT_READY', `${date} has not been generated (the job is ${job.status}).`, { jobStatus: job.status });
  }
  return sendDatasetFile(request, reply, join(datasetDir(app.dataDir, job.id), path), file, 'application/json; charset=utf-8');
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
      const job = ownedDataset(app, request, request.params.id);
      const files = app.store.listFiles(job.id).map((f) => ({ path: f.path, ...describe(job.id, f), bytes: f.bytes, sha256: f.sha256 }));
      return { jobId: job.id, status: job.status, complete: job.status === 'succeeded', totalBytes: files.reduce((a, f) => a + f.bytes, 0), files };
    },
  );

  const dayRules =
    'A finished day is served while the job still runs; a day in range but not generated yet is 409 (with Retry-After while the job runs); a day outside the range is 404; a date that is not a calendar date is 400. ' +
    'Sent gzip-encoded when the client accepts it; strong ETag, 304 on If-None-Match.';

  app.get(
    '/jobs/:id/files/:signal/:date',
    {
      schema: {
        operationId: 'getDayFile',
        summary: 'Get one day file of any signal',
        description: `The JSON array of one signal for one UTC day, as in \`melt_data/<signal>/YYYY-MM/<signal>_YYYY-MM-DD.json\`. ${dayRules} Typed clients may prefer the per-signal operations (getMetricsDay, getEventsDay, getLogsDay, getTracesDay), whose answers have one record type.`,
        tags: ['datasets'],
        params: DayParamsSchema,
        querystring: NoQuerySchema,
        response: { 200: json(DayFileSchema, 'The day file.', 'etag', 'cache-control'), 304: NOT_MODIFIED, ...problems(...FILE_STATUSES) },
      },
    },
    async (request, reply) => {
      const { id, signal, date } = request.params;
      return sendSignalDay(request, reply, id, signal, date);
    },
  );

  async function sendSignalDay(request: FastifyRequest, reply: FastifyReply, id: string, signal: Signal, date: string): Promise<FastifyReply> {
    const job = ownedDataset(app, request, id);
    checkDay(job, date);
    if (!job.config.signals.includes(signal)) {
      throw new AppError(404, 'SIGNAL_NOT_GENERATED', `The job does not generate ${signal}; it generates ${job.config.signals.join(', ')}.`);
    }
    return sendDayFile(app, request, reply, job, dayFilePath(signal, date), date);
  }

  // The same files under a fixed signal: one operation and one record type each, for typed clients.
  // Static segments take precedence over the parametric route above, with the same handler.
  for (const signal of SIGNALS) {
    app.get(
      `/jobs/:id/files/${signal}/:date`,
      {
        schema: {
          operationId: `get${CAPITALIZED[signal]}Day`,
          summary: `Get one day of ${signal}`,
          description: `\`melt_data/${signal}/YYYY-MM/${signal}_YYYY-MM-DD.json\`: the same file as getDayFile with signal=${signal}. ${dayRules}`,
          tags: ['datasets'],
          params: DateParamsSchema,
          querystring: NoQuerySchema,
          response: { 200: json(DAY_SCHEMAS[signal], `The ${signal} of the day.`, 'etag', 'cache-control'), 304: NOT_MODIFIED, ...problems(...FILE_STATUSES) },
        },
      },
      async (request, reply) => sendSignalDay(request, reply, request.params.id, signal, request.params.date),
    );
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
        querystring: NoQuerySchema,
        response: { 200: json(LabelsDaySchema, 'The label rows of the day.', 'etag', 'cache-control'), 304: NOT_MODIFIED, ...problems(...FILE_STATUSES) },
      },
    },
    async (request, reply) => {
      const { id, date } = request.params;
      const job = ownedDataset(app, request, id);
      checkDay(job, date);
      return sendDayFile(app, request, reply, job, labelFilePath(date), date);
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
        querystring: NoQuerySchema,
        response: { 200: json(CatalogSchema, 'The catalog.', 'etag', 'cache-control'), 304: NOT_MODIFIED, ...problems(400, 401, 404, 409, 410, 429, 500) },
      },
    },
    async (request, reply) => {
      const job = ownedDataset(app, request, request.params.id);
      const file = job.catalogReady ? app.store.getFile(job.id, CATALOG_PATH) : null;
      if (!file) {
        if (job.status === 'queued' || job.status === 'running') reply.header('retry-after', '1');
        throw new AppError(409, 'CATALOG_NOT_READY', `The incident catalog is not written yet (the job is ${job.status}).`, { jobStatus: job.status });
      }
      return sendDatasetFile(request, reply, join(datasetDir(app.dataDir, job.id), CATALOG_PATH), file, 'application/json; charset=utf-8');
    },
  );
};

