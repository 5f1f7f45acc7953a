import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../plugins/errors.ts';
import { formatReport } from '../validation/format.ts';
import type { ValidationReport } from '../validation/report.ts';
import { ownedDataset } from './job-access.ts';
import { JobIdParamsSchema, problems, ReportQuerySchema, ReportSchema } from './schemas.ts';

/** The validation report of a finished dataset. */
export const reportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/jobs/:id/report',
    {
      schema: {
        summary: 'Get the validation report of a finished dataset',
        description:
          'What `npm run validate` prints for the job’s dataset: signatures detected per incident type, false alarms, trace trees, log joins, ' +
          'error-rate agreement, alerts, cascade direction and causal order, and the baseline root-cause ranker’s accuracy, each with numerator and denominator, ' +
          'and the bars of the ground-truth checks. Computed on the first request (seconds for a year, in a background thread) and kept with the dataset. ' +
          '`format=text` gives the table for people. 409 until the job has succeeded.',
        tags: ['datasets'],
        params: JobIdParamsSchema,
        querystring: ReportQuerySchema,
        response: {
          200: {
            description: 'The report.',
            content: { 'application/json': { schema: ReportSchema }, 'text/plain': { schema: Type.String() } },
          },
          ...problems(400, 401, 404, 409, 410, 429, 500),
        },
      },
    },
    async (request, reply) => {
      const job = ownedDataset(app, request, request.params.id);
      if (job.status !== 'succeeded') {
        if (job.status === 'queued' || job.status === 'running') reply.header('retry-after', '5');
        throw new AppError(409, 'JOB_NOT_FINISHED', `The report is made from a finished dataset; the job is ${job.status}.`, { jobStatus: job.status });
      }
      let text: string;
      try {
        text = await app.reports.get(job.id);
      } catch (e) {
        request.log.error({ err: e }, 'validation failed');
        throw new AppError(500, 'VALIDATION_FAILED', 'The dataset could not be validated.');
      }
      if (request.query.format === 'text') return reply.type('text/plain; charset=utf-8').send(formatReport(JSON.parse(text) as ValidationReport));
      // Already JSON: sent as it is, not serialized again.
      return reply.type('application/json; charset=utf-8').send(text);
    },
  );
};
