import type { Job } from '../jobs/job-types.ts';
import type { JobView } from './schemas.ts';

/** The API's view of a job: progress, normalized config, times and links to everything about it. */
export function jobView(job: Job): JobView {
  const base = `/v1/jobs/${job.id}`;
  return {
    id: job.id,
    status: job.status,
    progress: {
      daysDone: job.daysDone,
      daysTotal: job.daysTotal,
      percent: job.daysTotal === 0 ? 100 : Math.round((1000 * job.daysDone) / job.daysTotal) / 10,
    },
    // The stored config is readonly; the view is a plain copy for the serializer.
    config: structuredClone(job.config) as JobView['config'],
    catalogReady: job.catalogReady,
    bytesWritten: job.bytesWritten,
    estimatedBytes: job.estimatedBytes,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    error: job.error,
    links: {
      self: base,
      catalog: `${base}/catalog`,
      files: `${base}/files`,
      day: `${base}/files/{signal}/{date}`,
      archive: `${base}/archive`,
      report: `${base}/report`,
    },
  };
}
