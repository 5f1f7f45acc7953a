import type { FastifyReply, FastifyRequest } from 'fastify';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { access } from 'node:fs/promises';
import { constants as zlibConstants, createGunzip, createGzip } from 'node:zlib';
import type { DatasetFile } from '../jobs/job-types.ts';
import { AppError } from '../plugins/errors.ts';

/** Whether the client takes gzip (and has not refused it with q=0). */
export function acceptsGzip(request: FastifyRequest): boolean {
  const header = request.headers['accept-encoding'];
  if (typeof header !== 'string') return false;
  return header.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/**
 * Streams one finished dataset file: strong ETag from its sha256 (one per encoding), 304 on a
 * matching If-None-Match, gzip when the client accepts it. Files never change once written.
 * A file stored gzipped (`.gz`) goes as it is to a client that takes gzip and is unzipped on the
 * way for one that does not; a binary format (Parquet, compressed inside) is never gzipped again.
 */
export async function sendDatasetFile(request: FastifyRequest, reply: FastifyReply, absPath: string, file: DatasetFile, contentType: string): Promise<FastifyReply> {
  try {
    await access(absPath);
  } catch {
    // Indexed but gone: the job was deleted between the lookup and now.
    throw new AppError(404, 'FILE_NOT_FOUND', `${file.path} no longer exists.`);
  }
  const stored = file.path.endsWith('.gz');
  const binary = file.path.endsWith('.parquet');
  const gzip = !binary && acceptsGzip(request);
  const etag = `"${file.sha256.slice(0, 32)}${gzip ? '-gz' : ''}"`;
  reply.header('etag', etag).header('cache-control', 'private, max-age=3600').type(contentType);
  if (!binary) reply.header('vary', 'accept-encoding');
  const inm = request.headers['if-none-match'];
  if (typeof inm === 'string' && inm.split(',').some((t) => t.trim() === etag || t.trim() === '*')) {
    return reply.status(304).send();
  }
  // The bytes as stored are what is sent: with their length known.
  const asStored = stored === gzip;
  if (gzip) reply.header('content-encoding', 'gzip');
  if (asStored) reply.header('content-length', file.bytes);
  // HEAD: the headers alone (fastify would read the file through to discard it).
  if (request.method === 'HEAD') return reply.send(Readable.from([]));
  const stream = createReadStream(absPath);
  if (asStored) return reply.send(stream);
  if (stored) return reply.send(stream.pipe(createGunzip()));
  // Level 1: about 6x smaller for this JSON, at a small fraction of level 6's CPU.
  return reply.send(stream.pipe(createGzip({ level: zlibConstants.Z_BEST_SPEED })));
}
