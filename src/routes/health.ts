import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { GENERATOR_VERSION } from '../version.ts';

/** Liveness for load balancers and the container HEALTHCHECK. */
export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Health check',
        tags: ['service'],
        response: { 200: { ...Type.Object({ status: Type.Literal('ok'), version: Type.String() }), description: 'The service is up.' } },
      },
    },
    async () => ({ status: 'ok' as const, version: GENERATOR_VERSION }),
  );
};
