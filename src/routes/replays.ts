import { TypeBoxValidatorCompiler, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { schemaRef } from '../core/record-schemas.ts';
import { AppError } from '../plugins/errors.ts';
import type { SinkSpec } from '../sinks/create-sink.ts';
import type { PushRecord } from '../storage/push-store.ts';
import { ownedJob, succeededDataset } from './job-access.ts';
import { ReplayListSchema, ReplayParamsSchema, ReplayRequestBodySchema, ReplayRequestSchema, ReplaySchema } from './push-schemas.ts';
import { JobIdParamsSchema, json, NoQuerySchema, problems } from './schemas.ts';

/** A replay record as the API shows it. */
export function replayView(r: PushRecord): Record<string, unknown> {
  return {
    id: r.id,
    jobId: r.jobId,
    status: r.status,
    sink: r.request.sink,
    timeShift: r.request.timeShift,
    progress: r.progress,
    error: r.error,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
  };
}

async function ownedReplay(app: FastifyInstance, request: FastifyRequest, jobId: string, replayId: string): Promise<PushRecord> {
  await ownedJob(app, request, jobId);
  const r = app.pushes.get(replayId);
  if (!r || r.kind !== 'replay' || r.jobId !== jobId || r.owner !== request.owner) throw new AppError(404, 'REPLAY_NOT_FOUND', `No replay ${replayId} of job ${jobId}.`);
  return r;
}

/** /v1/jobs/{id}/replays: push a finished dataset into Prometheus, VictoriaMetrics or an OTLP receiver. */
export const replayRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/jobs/:id/replays',
    {
      schema: {
        operationId: 'createReplay',
        summary: 'Replay a finished dataset into an observability platform',
        description:
          'Pushes the job’s records into one sink, day by day, as fast as it takes them, in a background thread: metrics to prometheus-remote-write or victoriametrics; metrics, traces, logs and events to otlp-http. ' +
          'Metric names and labels are the OpenMetrics files’ (`system_cpu_util{host_id, service, region}`). ' +
          '`timeShift: now` moves the dataset so that it ends now. The sink’s host:port must be in the server’s MELT_SINK_ALLOWLIST (403 SINK_NOT_ALLOWED otherwise); ' +
          'redirects are never followed. Counts against the key’s quota of running replays and streams. Poll the answer’s URL; DELETE it to stop.',
        tags: ['platforms'],
        params: JobIdParamsSchema,
        querystring: NoQuerySchema,
        body: schemaRef(ReplayRequestSchema),
        response: {
          202: json(ReplaySchema, 'Started; `Location` is the replay.', 'location'),
          ...problems(400, 401, 403, 404, 409, 410, 413, 415, 429, 500),
        },
      },
      validatorCompiler: (route) => TypeBoxValidatorCompiler(route.httpPart === 'body' ? { ...route, schema: ReplayRequestBodySchema } : route),
    },
    async (request, reply) => {
      const job = await succeededDataset(app, request, reply, request.params.id, 'Only a finished dataset can be replayed');
      const body = request.body as { sink: SinkSpec; timeShift?: 'none' | 'now' };
      const dir = app.datasets.datasetDir(job.id);
      const r = await app.pushes.startReplay(request.owner, job.id, dir, body.sink, body.timeShift ?? 'none');
      return reply.status(202).header('location', `/v1/jobs/${job.id}/replays/${r.id}`).send(replayView(app.pushes.get(r.id) ?? r));
    },
  );

  app.get(
    '/jobs/:id/replays',
    {
      schema: {
        operationId: 'listReplays',
        summary: 'List a job’s replays, newest first',
        tags: ['platforms'],
        params: JobIdParamsSchema,
        querystring: NoQuerySchema,
        response: { 200: json(ReplayListSchema, 'The job’s replays.'), ...problems(400, 401, 404, 429, 500) },
      },
    },
    async (request) => {
      await ownedJob(app, request, request.params.id);
      return { replays: app.pushes.list(request.owner, 'replay', request.params.id).map(replayView) };
    },
  );

  app.get(
    '/jobs/:id/replays/:replayId',
    {
      schema: {
        operationId: 'getReplay',
        summary: 'Get a replay: status, days pushed, samples/spans/logs sent, errors',
        tags: ['platforms'],
        params: ReplayParamsSchema,
        querystring: NoQuerySchema,
        response: { 200: json(ReplaySchema, 'The replay.'), ...problems(400, 401, 404, 429, 500) },
      },
    },
    async (request) => replayView(await ownedReplay(app, request, request.params.id, request.params.replayId)),
  );

  app.delete(
    '/jobs/:id/replays/:replayId',
    {
      schema: {
        operationId: 'cancelReplay',
        summary: 'Stop a replay',
        description: 'A running replay stops after the request in flight; the answer is the replay, now `canceled`. A finished one is returned as it is.',
        tags: ['platforms'],
        params: ReplayParamsSchema,
        querystring: NoQuerySchema,
        response: { 200: json(ReplaySchema, 'The replay, stopped.'), ...problems(400, 401, 404, 429, 500) },
      },
    },
    async (request) => {
      const r = await ownedReplay(app, request, request.params.id, request.params.replayId);
      return replayView((await app.pushes.cancel(r.id)) ?? r);
    },
  );
};
