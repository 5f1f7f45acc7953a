import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { GenerationConfigSchema, normalizeConfig, totalHosts } from '../core/config.ts';
import { estimateDatasetBytes } from '../core/estimate.ts';
import { schemaRef } from '../core/record-schemas.ts';
import { configBodyValidator, quotaError, sizeRefusal } from './jobs.ts';
import { EstimateSchema, json, NoQuerySchema, problems } from './schemas.ts';
import type { Static } from '../typebox.ts';

type Estimate = Static<typeof EstimateSchema>;
type Refusal = NonNullable<Estimate['refusal']>;

/**
 * /v1/estimates: what a config would make and whether the server would take it, without a job.
 * The console shows it before a submission, field errors included (the same check as createJob).
 */
export const estimateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/estimates',
    {
      schema: {
        operationId: 'createEstimate',
        summary: 'Estimate the size of a config’s dataset, and whether the server would take it (nothing is generated)',
        description:
          'The same body and the same checks as createJob (a bad config is the same 400 with the same `errors`), but nothing is queued: the answer is the estimated size, ' +
          'the hosts, the server’s limits, what the key uses of its quotas, and the code createJob would refuse it with now (`refusal`, null when it would queue it). ' +
          'The disk’s free space is checked at submission only.',
        tags: ['jobs'],
        querystring: NoQuerySchema,
        body: schemaRef(GenerationConfigSchema),
        response: { 200: json(EstimateSchema, 'The estimate.'), ...problems(400, 401, 413, 415, 429, 500) },
      },
      validatorCompiler: configBodyValidator,
    },
    async (request): Promise<Estimate> => {
      // The seed changes no size: any will do.
      const config = normalizeConfig(request.body ?? {}, 0);
      const estimatedBytes = estimateDatasetBytes(config);
      const usage = await app.store.usage(request.owner);
      const { limits } = app;
      let error = sizeRefusal(app, config, estimatedBytes);
      if (!error && usage.activeJobs >= limits.quotaConcurrentJobs) error = quotaError(app, 'jobs', usage, estimatedBytes);
      if (!error && usage.storedBytes + estimatedBytes > limits.quotaStoredBytes) error = quotaError(app, 'bytes', usage, estimatedBytes);
      return {
        estimatedBytes,
        bytesPerDay: Math.round(estimatedBytes / config.days),
        days: config.days,
        hosts: totalHosts(config),
        services: config.services.length,
        limits: {
          maxHosts: limits.maxHosts,
          maxJobBytes: limits.maxJobBytes,
          quotaStoredBytes: limits.quotaStoredBytes,
          usedBytes: usage.storedBytes,
          quotaConcurrentJobs: limits.quotaConcurrentJobs,
          activeJobs: usage.activeJobs,
        },
        refusal: error ? { code: error.code as Refusal['code'], detail: error.message } : null,
      };
    },
  );
};
