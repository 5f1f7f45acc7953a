import { TypeBoxValidatorCompiler, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance, RouteShorthandOptions } from 'fastify';
import { createHash, randomInt, randomUUID } from 'node:crypto';
import { statfs } from 'node:fs/promises';
import { ConfigError, GenerationConfigSchema, normalizeConfig, totalHosts, type GenerationConfig } from '../core/config.ts';
import { estimateDatasetBytes } from '../core/estimate.ts';
import { AppError } from '../plugins/errors.ts';
import { ownedJob } from './job-access.ts';
import type { OwnerUsage } from '../storage/job-store.ts';
import { GENERATOR_VERSION } from '../version.ts';
import { jobView } from './job-view.ts';
import { schemaRef } from '../core/record-schemas.ts';
import { JobIdParamsSchema, JobListQuerySchema, JobListSchema, JobSchema, json, NoQuerySchema, problems, SubmittedJobSchema } from './schemas.ts';

/**
 * Equal keys mean equal datasets for the same owner: the owner, the generator version and the
 * normalized config (seed included). The owner is part of it so one key never gets another's job.
 */
export function jobKey(owner: string, config: GenerationConfig): string {
  return createHash('sha256').update(`${owner}\n${GENERATOR_VERSION}\n${JSON.stringify(config)}`).digest('hex');
}

/** The refusal of a job that would pass its key's quota, with the figures. */
export function quotaError(app: FastifyInstance, refused: 'jobs' | 'bytes', usage: OwnerUsage, estimateBytes: number): AppError {
  const { limits } = app;
  if (refused === 'jobs') {
    return new AppError(429, 'TOO_MANY_JOBS', `${usage.activeJobs} jobs are queued or running for this key; the quota is ${limits.quotaConcurrentJobs}.`, { activeJobs: usage.activeJobs, limit: limits.quotaConcurrentJobs });
  }
  return new AppError(507, 'STORAGE_QUOTA_EXCEEDED', `This key stores ${usage.storedBytes} bytes; with about ${estimateBytes} more it would pass its quota of ${limits.quotaStoredBytes}. Delete jobs to make room.`, {
    usedBytes: usage.storedBytes,
    estimateBytes,
    quotaBytes: limits.quotaStoredBytes,
  });
}

/** The refusal of a config too large for the server (hosts, then bytes), or null. */
export function sizeRefusal(app: FastifyInstance, config: GenerationConfig, estimateBytes: number): AppError | null {
  const { limits } = app;
  const hosts = totalHosts(config);
  if (hosts > limits.maxHosts) {
    return new AppError(422, 'TOO_MANY_HOSTS', `The config simulates ${hosts} hosts (the sum of every service's hosts); this server allows ${limits.maxHosts}.`, { hosts, limit: limits.maxHosts });
  }
  if (estimateBytes > limits.maxJobBytes) {
    return new AppError(422, 'JOB_TOO_LARGE', `The dataset would be about ${estimateBytes} bytes; one job may write at most ${limits.maxJobBytes}.`, { estimateBytes, limitBytes: limits.maxJobBytes });
  }
  return null;
}

/**
 * The body check of createJob, and of every route that takes a generation config as its body:
 * the core's own check, with the same messages as the CLI, and semantic rules (cycles in the call
 * graph, a granularity that divides a day) that a schema cannot express.
 */
export const configBodyValidator: NonNullable<RouteShorthandOptions['validatorCompiler']> = (route) =>
  route.httpPart !== 'body'
    ? TypeBoxValidatorCompiler(route)
    : (data: unknown) => {
        try {
          normalizeConfig(data ?? {}, 0);
          return { value: data ?? {} };
        } catch (e) {
          if (e instanceof ConfigError) return { error: e };
          throw e;
        }
      };

/**
 * Refuses, before any work, a job the server cannot or will not do; the figures say why. The
 * key's quota is checked as the job is inserted (the store does both as one step).
 */
async function checkLimits(app: FastifyInstance, config: GenerationConfig): Promise<number> {
  const { limits } = app;
  const estimateBytes = estimateDatasetBytes(config);
  const refused = sizeRefusal(app, config, estimateBytes);
  if (refused) throw refused;
  const fs = await statfs(app.dataDir);
  const freeBytes = fs.bavail * fs.bsize;
  if (freeBytes - estimateBytes < limits.minFreeBytes) {
    throw new AppError(507, 'INSUFFICIENT_STORAGE', `The server has ${freeBytes} bytes free; the dataset needs about ${estimateBytes} and ${limits.minFreeBytes} must stay free.`, {
      freeBytes,
      estimateBytes,
      reserveBytes: limits.minFreeBytes,
    });
  }
  return estimateBytes;
}

/** /v1/jobs: submit, list, inspect and cancel generation jobs. */
export const jobRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/jobs',
    {
      schema: {
        operationId: 'createJob',
        summary: 'Submit a generation job',
        description:
          'Validates the generation config (every field optional, the original generator’s defaults) and queues a job. ' +
          'Posting the same normalized config with the same seed again returns the existing job (200, `deduplicated: true`) instead of generating twice. ' +
          'Without a seed, one is drawn and shown in the job’s `config.seed`.',
        tags: ['jobs'],
        querystring: NoQuerySchema,
        body: schemaRef(GenerationConfigSchema),
        response: {
          202: json(SubmittedJobSchema, 'Queued (`deduplicated: false`); `Location` is the job.', 'location'),
          200: json(SubmittedJobSchema, 'An existing job with the same normalized config and seed (`deduplicated: true`); `Location` is the job.', 'location'),
          ...problems(400, 401, 413, 415, 422, 429, 500, 507),
        },
      },
      validatorCompiler: configBodyValidator,
    },
    async (request, reply) => {
      const config = normalizeConfig(request.body ?? {}, randomInt(0, 2 ** 32));
      const key = jobKey(request.owner, config);
      const existing = await app.store.findReusable(key);
      if (existing) {
        return reply.status(200).header('location', `/v1/jobs/${existing.id}`).send({ ...jobView(existing), deduplicated: true });
      }
      const estimatedBytes = await checkLimits(app, config);
      const inserted = await app.store.insertWithinQuota(
        { id: randomUUID(), key, owner: request.owner, estimatedBytes, config, createdAt: new Date().toISOString() },
        { maxActiveJobs: app.limits.quotaConcurrentJobs, maxStoredBytes: app.limits.quotaStoredBytes },
      );
      if ('refused' in inserted) throw quotaError(app, inserted.refused, inserted.usage, estimatedBytes);
      const { job } = inserted;
      app.jobs.enqueue(job);
      return reply
        .status(202)
        .header('location', `/v1/jobs/${job.id}`)
        .send({ ...jobView((await app.store.get(job.id)) ?? job), deduplicated: false });
    },
  );

  app.get(
    '/jobs',
    {
      schema: {
        operationId: 'listJobs',
        summary: 'List jobs, newest first',
        description: 'Pages of at most `limit` jobs of the calling key, newest first; follow `nextCursor` for older ones.',
        tags: ['jobs'],
        querystring: JobListQuerySchema,
        response: { 200: json(JobListSchema, 'A page of the key’s jobs.'), ...problems(400, 401, 429, 500) },
      },
    },
    async (request) => {
      const before = request.query.cursor === undefined ? undefined : Number(request.query.cursor);
      const page = await app.store.list(request.owner, request.query.limit ?? 20, before);
      return { jobs: page.jobs.map(jobView), nextCursor: page.next === null ? null : String(page.next) };
    },
  );

  app.get(
    '/jobs/:id',
    {
      schema: {
        operationId: 'getJob',
        summary: 'Get a job: status, progress, normalized config, times, error',
        description: 'Poll this until `status` is succeeded (or failed/canceled). Finished days can be fetched before that.',
        tags: ['jobs'],
        params: JobIdParamsSchema,
        querystring: NoQuerySchema,
        response: { 200: json(JobSchema, 'The job.'), ...problems(400, 401, 404, 429, 500) },
      },
    },
    async (request) => {
      return jobView(await ownedJob(app, request, request.params.id));
    },
  );

  app.delete(
    '/jobs/:id',
    {
      schema: {
        operationId: 'deleteJob',
        summary: 'Cancel a job, or delete a finished one',
        description:
          'A queued or running job is canceled (its worker stops at once) and its files are deleted; the answer is the job, now `canceled`. ' +
          'A finished job (succeeded, failed or canceled) is deleted with its files: 204.',
        tags: ['jobs'],
        params: JobIdParamsSchema,
        querystring: NoQuerySchema,
        response: { 200: json(JobSchema, 'Canceled: the job, now `canceled`.'), 204: { description: 'Deleted.', type: 'null' }, ...problems(400, 401, 404, 429, 500) },
      },
    },
    async (request, reply) => {
      const job = await ownedJob(app, request, request.params.id);
      if (job.status === 'queued' || job.status === 'running') {
        const canceled = await app.jobs.cancel(job.id);
        return jobView(canceled ?? job);
      }
      await app.jobs.remove(job.id);
      return reply.status(204).send(null);
    },
  );
};
