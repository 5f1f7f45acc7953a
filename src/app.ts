import rateLimit from '@fastify/rate-limit';
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import type { IncomingMessage } from 'node:http';
import { resolve } from 'node:path';
import type { ApiKey } from './env.ts';
import { DEFAULT_LIMITS, type Limits } from './limits.ts';
import { authPlugin } from './plugins/auth.ts';
import { AppError, errorsPlugin, sendProblem } from './plugins/errors.ts';
import { jobsPlugin, type ClusterOptions } from './plugins/jobs.ts';
import { requestRedis } from './jobs/cluster-queue.ts';
import { metricsPlugin } from './plugins/metrics.ts';
import { openApiPlugin } from './plugins/openapi.ts';
import { reportsPlugin } from './plugins/reports.ts';
import { archiveRoutes } from './routes/archive.ts';
import { fileRoutes } from './routes/files.ts';
import { evaluationsPlugin } from './plugins/evaluations.ts';
import { healthRoutes } from './routes/health.ts';
import { homeRoutes } from './routes/home.ts';
import { jobRoutes } from './routes/jobs.ts';
import { jobEventRoutes } from './routes/job-events.ts';
import { estimateRoutes } from './routes/estimates.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { reportRoutes } from './routes/report.ts';
import { evaluationRoutes } from './routes/evaluations.ts';
import { pushesPlugin } from './plugins/pushes.ts';
import { replayRoutes } from './routes/replays.ts';
import { streamRoutes } from './routes/streams.ts';
import type { DestinationPattern } from './sinks/destination-guard.ts';
import { lazySerializers } from './serializers.ts';

export interface AppOptions {
  /** Where the job database and the datasets live. */
  readonly dataDir: string;
  /** Jobs generated at the same time. Default 1. */
  readonly maxConcurrentJobs?: number;
  /** Threads rendering one job's days in parallel. Default: the machine's cores. */
  readonly threadsPerJob?: number;
  /** API keys; none means the server runs open. */
  readonly apiKeys?: readonly ApiKey[];
  /** Limits, quotas and retention; unset ones take DEFAULT_LIMITS. */
  readonly limits?: Partial<Limits>;
  /** Where replays and streams may push (MELT_SINK_ALLOWLIST, parsed); none by default. */
  readonly sinkAllowlist?: readonly DestinationPattern[];
  /** Resolves a sink host's addresses for the allowlist check; the system's by default (tests pass their own). */
  readonly resolveSinkHost?: (host: string) => Promise<string[]>;
  /**
   * Cluster mode (MELT_REDIS_URL and MELT_DATABASE_URL): jobs, keys' usage and rate limits are
   * shared by every API node; worker nodes (`npm run worker`) run the days. Unset: embedded mode.
   */
  readonly cluster?: ClusterOptions;
  /** Where the built web console is (index.html, assets/); default dist/web. Without one, `/` is a plain page. */
  readonly consoleDir?: string;
  /** Fastify's logger option: false in tests, pino options in the server. */
  readonly logger?: FastifyServerOptions['logger'];
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** A client's X-Request-Id when it is a sane token (it goes into every log line), else a new one. */
function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Builds the service: plugins, routes and the OpenAPI document. Does not listen (src/server.ts
 * does), so tests drive it with `inject` or on a port of their own.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const logger = options.logger === undefined || options.logger === false ? false : { ...(typeof options.logger === 'object' ? options.logger : {}), redact: ['req.headers.authorization'] };
  const app = Fastify({
    logger,
    bodyLimit: limits.bodyLimitBytes,
    genReqId: requestId,
    requestIdHeader: false,
    // Response serializers compiled on first use, not all at start (src/serializers.ts).
    schemaController: { compilersFactory: { buildSerializer: lazySerializers() } },
    // Errors raised before routing (a URL that does not decode) bypass the error handler.
    frameworkErrors: (error, _request, reply) => {
      sendProblem(reply, 400, error.code === 'FST_ERR_BAD_URL' ? 'BAD_URL' : 'BAD_REQUEST', error.code === 'FST_ERR_BAD_URL' ? 'The URL is not valid (bad percent-encoding).' : 'The request is invalid.');
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  // The API takes JSON only; a text body is a client mistake worth a 415, not a config error.
  app.removeContentTypeParser('text/plain');
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(errorsPlugin);
  await app.register(authPlugin, { keys: options.apiKeys ?? [] });
  // After auth, so the limit is counted per key (per address when the server runs open). In a
  // cluster the counts live in Redis, so a key's limit holds across API nodes.
  const rateRedis = options.cluster ? requestRedis(options.cluster.redisUrl) : null;
  if (rateRedis) {
    rateRedis.on('error', () => undefined);
    app.addHook('onClose', async () => {
      rateRedis.disconnect();
    });
  }
  await app.register(rateLimit, {
    ...(rateRedis ? { redis: rateRedis, nameSpace: `${options.cluster?.prefix ?? 'meltgen'}:rate-limit:`, skipOnError: true } : {}),
    max: limits.rateLimitPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => request.owner || request.ip,
    allowList: (request) => !(request.routeOptions.url ?? '').startsWith('/v1'),
    errorResponseBuilder: (_request, context) =>
      new AppError(429, 'RATE_LIMITED', `More than ${context.max} requests in a minute; retry in ${context.after}.`, { limit: context.max, windowSeconds: 60 }),
  });
  await app.register(metricsPlugin);
  await app.register(openApiPlugin);
  await app.register(jobsPlugin, { dataDir: resolve(options.dataDir), maxConcurrentJobs: options.maxConcurrentJobs ?? 1, threadsPerJob: options.threadsPerJob ?? availableParallelism(), limits, ...(options.cluster ? { cluster: options.cluster } : {}) });

  await app.register(reportsPlugin);
  await app.register(evaluationsPlugin);
  await app.register(pushesPlugin, {
    dataDir: resolve(options.dataDir),
    // Replays and streams run on the node that accepted them, so their records are the node's own
    // (a node starting marks its interrupted ones, not another node's running ones).
    ...(options.cluster ? { dbPath: resolve(options.dataDir, 'nodes', options.cluster.nodeName ?? hostname(), 'pushes.db') } : {}),
    allowlist: options.sinkAllowlist ?? [],
    limits,
    ...(options.resolveSinkHost ? { resolve: options.resolveSinkHost } : {}),
  });

  await app.register(homeRoutes, { keysRequired: (options.apiKeys ?? []).length > 0, ...(options.consoleDir !== undefined ? { consoleDir: options.consoleDir } : {}) });
  await app.register(healthRoutes);
  await app.register(metricsRoutes);
  await app.register(
    async (v1) => {
      v1.addHook('onRoute', (route) => {
        route.schema = { ...route.schema, security: [{ apiKey: [] }] };
      });
      await v1.register(jobRoutes);
      await v1.register(jobEventRoutes);
      await v1.register(estimateRoutes);
      await v1.register(fileRoutes);
      await v1.register(archiveRoutes);
      await v1.register(reportRoutes);
      await v1.register(evaluationRoutes, { bodyLimit: limits.predictionsLimitBytes });
      await v1.register(replayRoutes);
      await v1.register(streamRoutes);
    },
    { prefix: '/v1' },
  );
  return app;
}
