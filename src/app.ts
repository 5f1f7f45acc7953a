import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { resolve } from 'node:path';
import { errorsPlugin } from './plugins/errors.ts';
import { jobsPlugin } from './plugins/jobs.ts';
import { archiveRoutes } from './routes/archive.ts';
import { fileRoutes } from './routes/files.ts';
import { healthRoutes } from './routes/health.ts';
import { jobRoutes } from './routes/jobs.ts';
import { ProblemSchema } from './routes/schemas.ts';
import { GENERATOR_VERSION } from './version.ts';

export interface AppOptions {
  /** Where the job database and the datasets live. */
  readonly dataDir: string;
  /** Jobs generated at the same time. Default 1. */
  readonly maxConcurrentJobs?: number;
  /** Fastify's logger option: false in tests, pino options in the server. */
  readonly logger?: FastifyServerOptions['logger'];
}

/**
 * Builds the service: plugins, routes and the OpenAPI document. Does not listen (src/server.ts
 * does), so tests drive it with `inject` or on a port of their own.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: 1024 * 1024,
    // Generation configs are small; a larger body is a mistake or an attack.
    requestIdHeader: 'x-request-id',
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  // The API takes JSON only; a text body is a client mistake worth a 415, not a config error.
  app.removeContentTypeParser('text/plain');

  await app.register(errorsPlugin);
  app.addSchema(ProblemSchema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'meltgen',
        version: GENERATOR_VERSION,
        description:
          'Synthetic MELT telemetry (metrics, events, logs, traces) with injected incidents and a ground-truth incident catalog. ' +
          'Submit a generation config as a job, poll it, then fetch day files, the catalog or a zip of the melt_data/ layout. ' +
          'Errors are application/problem+json (RFC 9457) with a stable `code`.',
      },
      tags: [
        { name: 'jobs', description: 'Generation jobs' },
        { name: 'datasets', description: 'The files of a job’s dataset' },
        { name: 'service', description: 'The service itself' },
      ],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(jobsPlugin, { dataDir: resolve(options.dataDir), maxConcurrentJobs: options.maxConcurrentJobs ?? 1 });

  await app.register(healthRoutes);
  await app.register(jobRoutes, { prefix: '/v1' });
  await app.register(fileRoutes, { prefix: '/v1' });
  await app.register(archiveRoutes, { prefix: '/v1' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
