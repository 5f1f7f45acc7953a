import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { join } from 'node:path';
import { SIGNALS, type Signal } from '../core/config.ts';
import { DAY_MS, parseDate } from '../core/time.ts';
import { datasetDir } from '../jobs/job-runner.ts';
import type { DatasetFile, Job } from '../jobs/job-types.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ownedDataset } from './job-access.ts';
import { CATALOG_PATH, dayFilePath, labelFilePath } from '../output/json-writer.ts';
import { AppError } from '../plugins/errors.ts';
import { DayParamsSchema, FileListSchema, JobIdParamsSchema, LabelParamsSchema, problems, RecordArraySchema } from './schemas.ts';
import { sendDatasetFile } from './send-file.ts';
import { Type } from 'typebox';

function describe(jobId: string, f: DatasetFile): { signal: Signal | null; date: string | null; url: string | null } {
  const m = /^([a-z]+)\/\d{4}-\d{2}\/[a-z]+_(\d{4}-\d{2}-\d{2})\.json$/.exec(f.path);
  if (m && (SIGNALS as readonly string[]).includes(m[1] as string)) {
    return { signal: m[1] as Signal, date: m[2] as string, url: `/v1/jobs/${jobId}/files/${m[1]}/${m[2]}` };
  }
  const l = /^metadata\/labels\/\d{4}-\d{2}\/labels_(\d{4}-\d{2}-\d{2})\.json$/.exec(f.path);
  if (l) return { signal: null, date: l[1] as string, url: `/v1/jobs/${jobId}/labels/${l[1] as string}` };
  return { signal: null, date: null, url: f.path === CATALOG_PATH ? `/v1/jobs/${jobId}/catalog` : null };
}

/** 404 unless `date` is one of the job's days. */
function checkDay(job: Job, date: string): void {
  const dayMs = parseDate(date);
  const index = (dayMs - parseDate(job.config.startDate)) / DAY_MS;
  if (Number.isNaN(dayMs) || index < 0 || index >= job.config.days) {
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

/** The dataset of a job: its file list, one day file, and the incident catalog. */
export const fileRoutes: FastifyPluginAsyncTypebox = async (app) => {

  app.get(
    '/jobs/:id/files',
    {
      schema: {
        summary: 'List the finished files of a job’s dataset, with sizes and checksums',
        description: 'Available while the job runs: lists what is finished so far.',
        tags: ['datasets'],
        params: JobIdParamsSchema,
        response: { 200: { ...FileListSchema, description: 'The files.' }, ...problems(400, 401, 404, 410, 429) },
      },
    },
    async (request) => {
      const job = ownedDataset(app, request, request.params.id);
      const files = app.store.listFiles(job.id).map((f) => ({ path: f.path, ...describe(job.id, f), bytes: f.bytes, sha256: f.sha256 }));
      return { jobId: job.id, status: job.status, complete: job.status === 'succeeded', totalBytes: files.reduce((a, f) => a + f.bytes, 0), files };
    },
  );

  app.get(
    '/jobs/:id/files/:signal/:date',
    {
      schema: {
        summary: 'Get one day file of one signal',
        description:
          'The JSON array of one signal for one UTC day, as in `melt_data/<signal>/YYYY-MM/<signal>_YYYY-MM-DD.json`. ' +
          'A finished day is served while the job still runs; a day in range but not generated yet is 409; a day outside the range is 404. ' +
          'Sent gzip-encoded when the client accepts it; strong ETag, 304 on If-None-Match.',
        tags: ['datasets'],
        params: DayParamsSchema,
        response: {
          200: { description: 'The day file.', content: { 'application/json': { schema: RecordArraySchema } } },
          304: { description: 'Not modified.', type: 'null' },
          ...problems(400, 401, 404, 409, 410, 429),
        },
      },
    },
    async (request, reply) => {
      const { id, signal, date } = request.params;
      const job = ownedDataset(app, request, id);
      checkDay(job, date);
      if (!job.config.signals.includes(signal)) {
        throw new AppError(404, 'SIGNAL_NOT_GENERATED', `The job does not generate ${signal}; it generates ${job.config.signals.join(', ')}.`);
      }
      return sendDayFile(app, request, reply, job, dayFilePath(signal, date), date);
    },
  );

  app.get(
    '/jobs/:id/labels/:date',
    {
      schema: {
        summary: 'Get the ground-truth labels of one day',
        description:
          '`metadata/labels/YYYY-MM/labels_YYYY-MM-DD.json`: one row per host and interval with an active incident, listing each incident (id, type, primary) ' +
          'and whether the host is its root cause or a symptom. Same rules as day files: served once the day is written, 409 before, gzip, ETag.',
        tags: ['datasets'],
        params: LabelParamsSchema,
        response: {
          200: { description: 'The label rows of the day.', content: { 'application/json': { schema: RecordArraySchema } } },
          304: { description: 'Not modified.', type: 'null' },
          ...problems(400, 401, 404, 409, 410, 429),
        },
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
        summary: 'Get the incident catalog (ground truth)',
        description: '`metadata/incident_catalog.json`: available as soon as the incident plan exists, before the days are done (409 until then).',
        tags: ['datasets'],
        params: JobIdParamsSchema,
        response: {
          200: { description: 'The catalog.', content: { 'application/json': { schema: Type.Object({}, { additionalProperties: true }) } } },
          304: { description: 'Not modified.', type: 'null' },
          ...problems(400, 401, 404, 409, 410, 429),
        },
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
