import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NoQuerySchema, problems, TextSchema } from './schemas.ts';

/** Prometheus scrape endpoint. */
export const metricsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/metrics',
    {
      schema: {
        operationId: 'getMetrics',
        summary: 'The service’s own metrics, in Prometheus text format',
        description: 'Jobs by state, queue length, days generated, bytes written, request latency histogram, and Node.js process metrics (meltgen_process_*, meltgen_nodejs_*).',
        tags: ['service'],
        querystring: NoQuerySchema,
        response: { 200: { description: 'Prometheus exposition format (version 0.0.4).', content: { 'text/plain': { schema: TextSchema } } }, ...problems(400, 500) },
      },
    },
    async (_request, reply) => {
      reply.type(app.metrics.registry.contentType);
      return app.metrics.registry.metrics();
    },
  );
};
