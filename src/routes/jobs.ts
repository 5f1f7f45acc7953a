import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createHash, randomInt, randomUUID } from 'node:crypto';
import { ConfigError, GenerationConfigSchema, normalizeConfig, type GenerationConfig } from '../core/config.ts';
import { AppError } from '../plugins/errors.ts';
import { GENERATOR_VERSION } from '../version.ts';
import { jobView } from './job-view.ts';
import { JobIdParamsSchema, JobListQuerySchema, JobListSchema, JobSchema, problems } from './schemas.ts';

/** Equal keys mean equal datasets: the normalized config (seed included) and the generator version. */
export function jobKey(config: GenerationConfig): string {
  return createHash('sha256').update(`${GENERATOR_VERSION}\n${JSON.stringify(config)}`).digest('hex');
}

const CONFIG_EXAMPLES = [
  { days: 7, seed: 42 },
  { startDate: '2024-06-01', days: 2, hostsPerService: 2, granularityMinutes: 15, seed: 7, incidentRate: 2, signals: ['metrics', 'traces'] },
  {
    days: 30,
    seed: 1,
    services: [
      { name: 'api', calls: ['orders', 'users'] },
      { name: 'orders', calls: ['db'] },
      { name: 'users', calls: ['db'] },
      { name: 'db' },
    ],
    incidentMix: { DB_CONTENTION: 2, CASCADING_FAILURE: 1 },
  },
];

/** /v1/jobs: submit, list, inspect and cancel generation jobs. */
export const jobRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/jobs',
    {
      schema: {
        summary: 'Submit a generation job',
        description:
          'Validates the generation config (every field optional, the original generator’s defaults) and queues a job. ' +
          'Posting the same normalized config with the same seed again returns the existing job (200, `deduplicated: true`) instead of generating twice. ' +
          'Without a seed, one is drawn and shown in the job’s `config.seed`.',
        tags: ['jobs'],
        body: { ...GenerationConfigSchema, examples: CONFIG_EXAMPLES },
        response: {
          202: { ...JobSchema, description: 'Queued; `Location` is the job.' },
          200: { ...JobSchema, description: 'An existing job with the same config and seed.' },
          ...problems(400, 500),
        },
      },
      // The core's own check: the same messages as the CLI, and semantic rules (cycles in the call
      // graph, a granularity that divides a day) that a schema cannot express.
      validatorCompiler: () => (data: unknown) => {
        try {
          normalizeConfig(data ?? {}, 0);
          return { value: data ?? {} };
        } catch (e) {
          if (e instanceof ConfigError) return { error: e };
          throw e;
        }
      },
    },
    async (request, reply) => {
      const config = normalizeConfig(request.body ?? {}, randomInt(0, 2 ** 32));
      const key = jobKey(config);
      const existing = app.store.findReusable(key);
      if (existing) {
        return reply.status(200).header('location', `/v1/jobs/${existing.id}`).send({ ...jobView(existing), deduplicated: true });
      }
      const job = app.store.insert({ id: randomUUID(), key, config, createdAt: new Date().toISOString() });
      app.jobs.enqueue(job);
      return reply
        .status(202)
        .header('location', `/v1/jobs/${job.id}`)
        .send({ ...jobView(app.store.get(job.id) ?? job), deduplicated: false });
    },
  );

  app.get(
    '/jobs',
    {
      schema: {
        summary: 'List jobs, newest first',
        tags: ['jobs'],
        querystring: JobListQuerySchema,
        response: { 200: { ...JobListSchema, description: 'A page of jobs.' }, ...problems(400) },
      },
    },
    async (request) => {
      const before = request.query.cursor === undefined ? undefined : Number(request.query.cursor);
      const page = app.store.list(request.query.limit ?? 20, before);
      return { jobs: page.jobs.map(jobView), nextCursor: page.next === null ? null : String(page.next) };
    },
  );

  app.get(
    '/jobs/:id',
    {
      schema: {
        summary: 'Get a job: status, progress, normalized config, times, error',
        tags: ['jobs'],
        params: JobIdParamsSchema,
        response: { 200: { ...JobSchema, description: 'The job.' }, ...problems(400, 404) },
      },
    },
    async (request) => {
      const job = app.store.get(request.params.id);
      if (!job) throw new AppError(404, 'JOB_NOT_FOUND', `No job ${request.params.id}.`);
      return jobView(job);
    },
  );

  app.delete(
    '/jobs/:id',
    {
      schema: {
        summary: 'Cancel a job, or delete a finished one',
        description:
          'A queued or running job is canceled (its worker stops at once) and its files are deleted; the answer is the job, now `canceled`. ' +
          'A finished job (succeeded, failed or canceled) is deleted with its files: 204.',
        tags: ['jobs'],
        params: JobIdParamsSchema,
        response: { 200: { ...JobSchema, description: 'Canceled.' }, 204: { description: 'Deleted.', type: 'null' }, ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      const job = app.store.get(request.params.id);
      if (!job) throw new AppError(404, 'JOB_NOT_FOUND', `No job ${request.params.id}.`);
      if (job.status === 'queued' || job.status === 'running') {
        const canceled = await app.jobs.cancel(job.id);
        return jobView(canceled ?? job);
      }
      await app.jobs.remove(job.id);
      return reply.status(204).send(null);
    },
  );
};
