// What API nodes and workers agree on about the cluster's BullMQ queues: names, task ids, the
// flow of a job and the Redis connection. One place, so both sides cannot drift.
import { FlowProducer, type FlowJob, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Job } from './job-types.ts';

/** The queue of day tasks (and each job's metadata task). */
export const DAYS_QUEUE = 'days';
/** The queue of job parents: one per job, processed once every child has completed. */
export const JOBS_QUEUE = 'jobs';

/** A day index, or the metadata (catalog and the rest of `metadata/`), written once per job. */
export type Unit = number | 'meta';

export interface DayTaskData {
  readonly jobId: string;
  readonly unit: Unit;
}

export interface JobTaskData {
  readonly jobId: string;
}

/** What a day task returns into its parent: small, BullMQ keeps it in Redis until the job ends. */
export interface DayTaskResult {
  readonly files: number;
  readonly bytes: number;
  /** The day was already recorded (a re-run after a stall): nothing was rendered. */
  readonly skipped?: boolean;
}

/** How the cluster's queues are reached and how hard a task is retried. */
export interface ClusterSettings {
  /** `redis://host:6379/0`. */
  readonly redisUrl: string;
  /** BullMQ key prefix: several deployments (or test runs) can share one Redis. */
  readonly prefix: string;
  /** Attempts per day task before the job fails. */
  readonly attempts: number;
  /** First retry delay; doubled at each attempt. */
  readonly backoffMs: number;
}

export const DEFAULT_CLUSTER: Omit<ClusterSettings, 'redisUrl'> = { prefix: 'meltgen', attempts: 5, backoffMs: 2000 };

/** A Redis counter of the tasks workers found stalled (and put back), for the API nodes' /metrics. */
export const stalledCounterKey = (prefix: string): string => `${prefix}:meltgen-stalled-total`;

/**
 * A day task's BullMQ id: `<jobId>.<day>` or `<jobId>.meta`. Deterministic, so adding a task twice
 * (two API nodes re-enqueueing after Redis lost its data) adds it once. BullMQ refuses `:` in
 * custom ids (it separates its key names), hence the dot.
 */
export const taskId = (jobId: string, unit: Unit): string => `${jobId}.${unit}`;

/**
 * A Redis connection for BullMQ: `maxRetriesPerRequest: null` (a worker's blocking commands must
 * wait out a Redis restart instead of failing), reconnecting with a capped backoff.
 */
export function redisConnection(url: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(200 * times, 2000),
  });
}

/**
 * A Redis connection for the request path (rate limits): a command fails at once while Redis is
 * unreachable instead of holding the request until it is back.
 */
export function requestRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000, retryStrategy: (times) => Math.min(200 * times, 2000) });
}

/**
 * The flow of a job: a parent `job` task with one child per unit still to do. Children run in any
 * order on any worker; the parent runs once all have completed, and a child's final failure fails
 * the parent. Days are prioritized by their index, so the days of concurrent jobs interleave (day
 * 3 of every job before day 4 of any) instead of the first job taking every worker.
 */
export function jobFlow(job: Pick<Job, 'id'>, units: readonly Unit[], settings: Pick<ClusterSettings, 'attempts' | 'backoffMs'>): FlowJob {
  const childOpts = (unit: Unit): JobsOptions => ({
    jobId: taskId(job.id, unit),
    attempts: settings.attempts,
    backoff: { type: 'exponential', delay: settings.backoffMs },
    priority: unit === 'meta' ? 1 : Math.min(unit + 2, 2_000_000),
    failParentOnFailure: true,
    // PostgreSQL holds what is done; Redis keeps only the work still to do (and recent failures).
    removeOnComplete: true,
    removeOnFail: { age: 24 * 3600, count: 1000 },
  });
  return {
    name: 'job',
    queueName: JOBS_QUEUE,
    data: { jobId: job.id } satisfies JobTaskData,
    opts: { jobId: job.id, removeOnComplete: true, removeOnFail: { age: 24 * 3600, count: 1000 } },
    children: units.map((unit) => ({ name: unit === 'meta' ? 'meta' : 'day', queueName: DAYS_QUEUE, data: { jobId: job.id, unit } satisfies DayTaskData, opts: childOpts(unit) })),
  };
}

/** Adds a job's flow. */
export async function addJobFlow(producer: FlowProducer, job: Pick<Job, 'id'>, units: readonly Unit[], settings: ClusterSettings): Promise<void> {
  await producer.add(jobFlow(job, units, settings));
}
