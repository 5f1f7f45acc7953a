import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Job } from '../jobs/job-types.ts';
import { AppError } from '../plugins/errors.ts';

/**
 * The job, if the request's key owns it. Another key's job is a 404, exactly like a missing one,
 * so ids cannot be probed.
 */
export async function ownedJob(app: FastifyInstance, request: FastifyRequest, id: string): Promise<Job> {
  const job = await app.store.get(id);
  if (!job || job.owner !== request.owner) throw new AppError(404, 'JOB_NOT_FOUND', `No job ${id}.`);
  return job;
}

/** The job, with its dataset still there: 410 once retention has deleted it. */
export async function ownedDataset(app: FastifyInstance, request: FastifyRequest, id: string): Promise<Job> {
  const job = await ownedJob(app, request, id);
  if (job.status === 'expired') throw new AppError(410, 'JOB_EXPIRED', `The dataset of job ${id} has expired and was deleted; submit the config again to regenerate it.`);
  return job;
}

/** The job, finished with its dataset there: 409 (with Retry-After while it runs) until it has succeeded. */
export async function succeededDataset(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, id: string, what: string): Promise<Job> {
  const job = await ownedDataset(app, request, id);
  if (job.status !== 'succeeded') {
    if (job.status === 'queued' || job.status === 'running') reply.header('retry-after', '5');
    throw new AppError(409, 'JOB_NOT_FINISHED', `${what}; the job is ${job.status}.`, { jobStatus: job.status });
  }
  return job;
}
