import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';

/** Prometheus scrape endpoint. */
export const metricsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/metrics',
    {
      schema: {
        summary: 'The service’s own metrics, in Prometheus text format',
        description: 'Jobs by state, queue length, days generated, bytes written, request latency histogram, and Node.js process metrics (meltgen_process_*, meltgen_nodejs_*).',
        tags: ['service'],
        response: { 200: { description: 'Prometheus exposition format.', content: { 'text/plain': { schema: Type.String() } } } },
      },
    },
    async (_request, reply) => {
      reply.type(app.metrics.registry.contentType);
      return app.metrics.registry.metrics();
    },
  );
};
