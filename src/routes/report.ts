import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../plugins/errors.ts';
import { formatReport } from '../validation/format.ts';
import type { ValidationReport } from '../validation/report.ts';
import { ReportSchema } from '../validation/report-schema.ts';
import { ownedDataset } from './job-access.ts';
import { headers, JobIdParamsSchema, json, NoQuerySchema, problems, ReportQuerySchema, TextSchema } from './schemas.ts';

const ABOUT =
  'What `npm run validate` prints for the job’s dataset: signatures detected per incident type, false alarms, trace trees, log joins, ' +
  'error-rate agreement, alerts, cascade direction and causal order, and the baseline root-cause ranker’s accuracy, each with numerator and denominator, ' +
  'and the bars of the ground-truth checks. Computed on the first request (seconds for a year, in a background thread) and kept with the dataset. ' +
  '409 until the job has succeeded.';

/** The report's JSON text, once the job has succeeded. */
async function reportText(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, id: string): Promise<string> {
  const job = await ownedDataset(app, request, id);
  // The validator reads the original's JSON files.
  if (!job.config.formats.includes('json')) {
    throw new AppError(404, 'FORMAT_NOT_GENERATED', `The report is computed from the JSON day files; the job writes ${job.config.formats.join(', ')} only.`, { formats: job.config.formats });
  }
  if (job.status !== 'succeeded') {
    if (job.status === 'queued' || job.status === 'running') reply.header('retry-after', '5');
    throw new AppError(409, 'JOB_NOT_FINISHED', `The report is made from a finished dataset; the job is ${job.status}.`, { jobStatus: job.status });
  }
  try {
    return await app.reports.get(job.id);
  } catch (e) {
    request.log.error({ err: e }, 'validation failed');
    throw new AppError(500, 'VALIDATION_FAILED', 'The dataset could not be validated.');
  }
}

/**
 * The validation report of a finished dataset. JSON and the text table are two operations, not two
 * media types of one: a typed client gets `Report` from getReport without narrowing a union.
 */
export const reportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/jobs/:id/report',
    {
      schema: {
        operationId: 'getReport',
        summary: 'Get the validation report of a finished dataset (JSON)',
        description: `${ABOUT} The table for people is getReportText (/report.txt); \`?format=text\`, kept for older clients, redirects there.`,
        tags: ['datasets'],
        params: JobIdParamsSchema,
        querystring: ReportQuerySchema,
        response: {
          200: json(ReportSchema, 'The report.'),
          303: { description: '`format=text`: the table is at `Location` (getReportText).', type: 'null', headers: headers('location') },
          ...problems(400, 401, 404, 409, 410, 429, 500),
        },
      },
    },
    async (request, reply) => {
      if (request.query.format === 'text') return reply.status(303).header('location', `/v1/jobs/${request.params.id}/report.txt`).send();
      const text = await reportText(app, request, reply, request.params.id);
      // Already JSON: sent as it is, not serialized again.
      return reply.type('application/json; charset=utf-8').send(text);
    },
  );

  app.get(
    '/jobs/:id/report.txt',
    {
      schema: {
        operationId: 'getReportText',
        summary: 'Get the validation report as the table `npm run validate` prints',
        description: `${ABOUT} The same figures as getReport, as plain text for people.`,
        tags: ['datasets'],
        params: JobIdParamsSchema,
        querystring: NoQuerySchema,
        response: {
          200: { description: 'The report table.', content: { 'text/plain': { schema: TextSchema } } },
          ...problems(400, 401, 404, 409, 410, 429, 500),
        },
      },
    },
    async (request, reply) => {
      const text = await reportText(app, request, reply, request.params.id);
      return reply.type('text/plain; charset=utf-8').send(formatReport(JSON.parse(text) as ValidationReport));
    },
  );
};
