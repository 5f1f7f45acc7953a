import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ZipArchive } from 'archiver';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FORMATS, type Format } from '../core/config.ts';
import { CATALOG_PARQUET_PATH, parseDayPath } from '../output/layout.ts';
import { AppError, FieldsError } from '../plugins/errors.ts';
import { ownedDataset } from './job-access.ts';
import { ArchiveQuerySchema, headers, JobIdParamsSchema, problems, ZipSchema } from './schemas.ts';

const LEVELS = { fast: 1, best: 9 } as const;

// What archiver's zip writer (zip-stream) adds around each stored entry: a 30-byte local header, a
// 16-byte data descriptor (it streams, so sizes follow the data) and a 46-byte central directory
// record, the name twice; then the 22-byte end record. No extra fields, no comment.
const ENTRY_OVERHEAD = 30 + 16 + 46;
const END_RECORD = 22;
// Past these, zip-stream switches to ZIP64 records and the sum above no longer holds.
const ZIP32_MAX_BYTES = 0xffffffff;
const ZIP32_MAX_ENTRIES = 0xffff;

/**
 * The exact size of the zip that `compression=store` streams for these entries, or null when it
 * would need ZIP64 (then the response goes without Content-Length). A test compares it with the
 * bytes actually sent.
 */
export function storedZipBytes(entries: readonly { readonly name: string; readonly bytes: number }[]): number | null {
  if (entries.length >= ZIP32_MAX_ENTRIES) return null;
  let total = END_RECORD;
  for (const e of entries) {
    if (e.bytes >= ZIP32_MAX_BYTES) return null;
    total += ENTRY_OVERHEAD + 2 * Buffer.byteLength(e.name) + e.bytes;
  }
  return total < ZIP32_MAX_BYTES ? total : null;
}

/** The formats `?formats=` names, each one the job wrote; all of them without it. */
function chosenFormats(query: string | undefined, written: readonly Format[]): readonly Format[] {
  if (query === undefined) return written;
  const asked = [...new Set(query.split(','))];
  const bad = asked.filter((f) => !written.includes(f as Format));
  if (bad.length > 0) {
    const unknown = bad.filter((f) => !(FORMATS as readonly string[]).includes(f));
    throw new FieldsError('A query parameter is invalid; `errors` names each one.', [
      { field: '/query/formats', message: unknown.length > 0 ? `${unknown.join(', ')}: must be one of: ${FORMATS.join(', ')}` : `${bad.join(', ')}: not written by this job; it wrote ${written.join(', ')}` },
    ]);
  }
  return asked as Format[];
}

/** The whole dataset as a zip of the melt_data/ layout, streamed while it is built. */
export const archiveRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/jobs/:id/archive',
    {
      schema: {
        operationId: 'getArchive',
        summary: 'Download the dataset as a zip of melt_data/',
        description:
          'Streams a zip whose entries are `melt_data/...`, built while it is sent (no temporary copy). ' +
          '`compression`: store (no compression, fastest), fast (deflate level 1, the default) or best (deflate level 9). ' +
          '`formats`: which of the formats the job wrote go in (default all; the JSON catalog and root_cause.txt always do). ' +
          'With `store` the size is known in advance and sent as Content-Length (so clients show progress); deflated sizes are only known once compressed, so those responses are chunked. ' +
          '409 until the job has succeeded.',
        tags: ['datasets'],
        params: JobIdParamsSchema,
        querystring: ArchiveQuerySchema,
        response: {
          200: { description: 'The zip.', content: { 'application/zip': { schema: ZipSchema } }, headers: headers('content-disposition', 'content-length') },
          ...problems(400, 401, 404, 409, 410, 429, 500),
        },
      },
    },
    async (request, reply) => {
      const job = await ownedDataset(app, request, request.params.id);
      if (job.status !== 'succeeded') throw new AppError(409, 'JOB_NOT_FINISHED', `The archive is available once the job has succeeded; it is ${job.status}.`, { jobStatus: job.status });
      const mode = request.query.compression ?? 'fast';
      const chosen = chosenFormats(request.query.formats, job.config.formats);
      // Day files of the chosen formats; the metadata (catalog, root causes) always.
      const entries = (await app.store.listFiles(job.id))
        .filter((f) => {
          const day = parseDayPath(f.path);
          if (day) return chosen.includes(day.format);
          return f.path !== CATALOG_PARQUET_PATH || chosen.includes('parquet');
        })
        .map((f) => ({ path: f.path, name: `melt_data/${f.path}`, bytes: f.bytes }));
      const name = `meltgen-${job.config.seed}-${job.id.slice(0, 8)}.zip`;
      reply.type('application/zip').header('content-disposition', `attachment; filename="${name}"`);
      const size = mode === 'store' ? storedZipBytes(entries) : null;
      if (size !== null) reply.header('content-length', size);
      // HEAD: the headers alone, without zipping a whole dataset for nobody. An empty stream, since
      // fastify's HEAD handling keeps a stream's Content-Length but sets 0 for an empty body.
      if (request.method === 'HEAD') return reply.send(Readable.from([]));
      const archive = mode === 'store' ? new ZipArchive({ store: true }) : new ZipArchive({ zlib: { level: LEVELS[mode] } });
      const root = app.datasets.datasetDir(job.id);
      // Entries dated when the job finished, not when downloaded: the same dataset gives the same zip listing.
      const date = new Date(job.finishedAt ?? job.createdAt);
      for (const e of entries) archive.file(join(root, e.path), { name: e.name, date });
      archive.on('warning', (err) => request.log.warn({ err }, 'archive warning'));
      archive.on('error', (err) => request.log.error({ err }, 'archive failed'));
      // A client that goes away mid-download must not leave the archiver reading files for nobody.
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) archive.abort();
      });
      // finalize() only queues the end of the archive; the bytes flow as the reply reads them.
      void archive.finalize();
      return reply.send(archive);
    },
  );
};
