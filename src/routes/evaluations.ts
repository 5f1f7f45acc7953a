import { TypeBoxValidatorCompiler, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EvaluationSchema, PredictionsSchema } from '../benchmark/predictions.ts';
import { schemaRef } from '../core/record-schemas.ts';
import { AppError } from '../plugins/errors.ts';
import { succeededDataset } from './job-access.ts';
import { JobIdParamsSchema, json, NoQuerySchema, problems } from './schemas.ts';

/**
 * Scores a model's answers against a finished dataset's ground truth: root-cause rankings per
 * primary incident (AC@k, Avg@5 at service and indicator level) and flagged host-intervals
 * (precision, recall, F1, incident recall). A computation, not a stored resource: the same
 * document gives the same answer.
 */
export const evaluationRoutes: FastifyPluginAsyncTypebox<{ bodyLimit: number }> = async (app, opts) => {
  app.post(
    '/jobs/:id/evaluations',
    {
      bodyLimit: opts.bodyLimit,
      schema: {
        operationId: 'createEvaluation',
        summary: 'Score predictions (root-cause rankings, flagged host-intervals) against the dataset’s ground truth',
        description:
          'The body is the prediction document `npm run evaluate` reads (`rca`: a ranking of `service` or `service:metric` entries per primary incident; `anomalies`: flagged host-intervals). ' +
          'Scored as `npm run evaluate` scores it: AC@1..5 and Avg@5 at service and at indicator level, overall and per incident type, with the incidents left unanswered listed; ' +
          'precision, recall and F1 per host-interval against the label files, and the share of incidents found. Computed in a background thread; nothing is stored. ' +
          '409 until the job has succeeded. The body may be up to MELT_PREDICTIONS_LIMIT_BYTES (64 MiB by default).',
        tags: ['datasets'],
        params: JobIdParamsSchema,
        querystring: NoQuerySchema,
        body: schemaRef(PredictionsSchema),
        response: {
          200: json(EvaluationSchema, 'The scores.'),
          ...problems(400, 401, 404, 409, 410, 413, 415, 429, 500),
        },
      },
      // The document names the body by reference; the check needs the schema itself.
      validatorCompiler: (route) => TypeBoxValidatorCompiler(route.httpPart === 'body' ? { ...route, schema: PredictionsSchema } : route),
    },
    async (request, reply) => {
      const job = await succeededDataset(app, request, reply, request.params.id, 'Predictions are scored against a finished dataset');
      try {
        return await app.evaluations.evaluate(job.id, request.body);
      } catch (e) {
        request.log.error({ err: e }, 'evaluation failed');
        throw new AppError(500, 'EVALUATION_FAILED', 'The predictions could not be scored against the dataset.');
      }
    },
  );
};
