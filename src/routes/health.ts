import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { HealthSchema, json, NoQuerySchema, problems } from './schemas.ts';
import { GENERATOR_VERSION } from '../version.ts';

/** Liveness for load balancers and the container HEALTHCHECK. */
export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/healthz',
    {
      schema: {
        operationId: 'getHealth',
        summary: 'Health check',
        description: 'Open (no key needed), not rate limited: for load balancers and the container HEALTHCHECK.',
        tags: ['service'],
        querystring: NoQuerySchema,
        response: { 200: json(HealthSchema, 'The service is up.'), ...problems(400, 500) },
      },
    },
    async () => ({ status: 'ok' as const, version: GENERATOR_VERSION }),
  );
};
