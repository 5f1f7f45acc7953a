import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ZipArchive } from 'archiver';
import { join } from 'node:path';
import { datasetDir } from '../jobs/job-runner.ts';
import { AppError } from '../plugins/errors.ts';
import { ownedDataset } from './job-access.ts';
import { ArchiveQuerySchema, JobIdParamsSchema, problems, ZipSchema } from './schemas.ts';

const LEVELS = { fast: 1, best: 9 } as const;

/** The whole dataset as a zip of the melt_data/ layout, streamed while it is built. */
export const archiveRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/jobs/:id/archive',
    {
      schema: {
        summary: 'Download the dataset as a zip of melt_data/',
        description:
          'Streams a zip whose entries are `melt_data/...`, built while it is sent (no temporary copy). ' +
          '`compression`: store (no compression, fastest), fast (deflate level 1, the default) or best (deflate level 9). 409 until the job has succeeded.',
        tags: ['datasets'],
        params: JobIdParamsSchema,
        querystring: ArchiveQuerySchema,
        response: {
          200: { description: 'The zip.', content: { 'application/zip': { schema: ZipSchema } } },
          ...problems(400, 401, 404, 409, 410, 429),
        },
      },
    },
    async (request, reply) => {
      const job = ownedDataset(app, request, request.params.id);
      if (job.status !== 'succeeded') throw new AppError(409, 'JOB_NOT_FINISHED', `The archive is available once the job has succeeded; it is ${job.status}.`, { jobStatus: job.status });
      const mode = request.query.compression ?? 'fast';
      const archive = mode === 'store' ? new ZipArchive({ store: true }) : new ZipArchive({ zlib: { level: LEVELS[mode] } });
      const root = datasetDir(app.dataDir, job.id);
      // Entries dated when the job finished, not when downloaded: the same dataset gives the same zip listing.
      const date = new Date(job.finishedAt ?? job.createdAt);
      for (const f of app.store.listFiles(job.id)) archive.file(join(root, f.path), { name: `melt_data/${f.path}`, date });
      archive.on('warning', (err) => request.log.warn({ err }, 'archive warning'));
      archive.on('error', (err) => request.log.error({ err }, 'archive failed'));
      // A client that goes away mid-download must not leave the archiver reading files for nobody.
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) archive.abort();
      });
      const name = `meltgen-${job.config.seed}-${job.id.slice(0, 8)}.zip`;
      reply.type('application/zip').header('content-disposition', `attachment; filename="${name}"`);
      // finalize() only queues the end of the archive; the bytes flow as the reply reads them.
      void archive.finalize();
      return reply.send(archive);
    },
  );
};
