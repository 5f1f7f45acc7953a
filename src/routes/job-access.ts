import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Job } from '../jobs/job-types.ts';
import { AppError } from '../plugins/errors.ts';

/**
 * The job, if the request's key owns it. Another key's job is a 404, exactly like a missing one,
 * so ids cannot be probed.
 */
export function ownedJob(app: FastifyInstance, request: FastifyRequest, id: string): Job {
  const job = app.store.get(id);
  if (!job || job.owner !== request.owner) throw new AppError(404, 'JOB_NOT_FOUND', `No job ${id}.`);
  return job;
}

/** The job, with its dataset still there: 410 once retention has deleted it. */
export function ownedDataset(app: FastifyInstance, request: FastifyRequest, id: string): Job {
  const job = ownedJob(app, request, id);
  if (job.status === 'expired') throw new AppError(410, 'JOB_EXPIRED', `The dataset of job ${id} has expired and was deleted; submit the config again to regenerate it.`);
  return job;
}
