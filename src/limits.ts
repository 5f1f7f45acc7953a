import type { ServiceEnv } from './env.ts';

/** What the service allows, checked before any work is done. */
export interface Limits {
  readonly bodyLimitBytes: number;
  /** Largest prediction document to evaluate. */
  readonly predictionsLimitBytes: number;
  /** Most hosts (the sum of every service's hosts) of one job. */
  readonly maxHosts: number;
  /** Largest estimated dataset of one job. */
  readonly maxJobBytes: number;
  /** Queued plus running jobs per key. */
  readonly quotaConcurrentJobs: number;
  /** Bytes per key: written plus still to write. */
  readonly quotaStoredBytes: number;
  readonly rateLimitPerMinute: number;
  /** Running replays plus streams per key. */
  readonly quotaConcurrentStreams: number;
  /** Running replays plus streams on the whole server. */
  readonly maxStreams: number;
  /** How long a finished job's dataset is kept. */
  readonly retentionMs: number;
  /** How often expired datasets are looked for. */
  readonly sweepIntervalMs: number;
  /** Disk space never to be used. */
  readonly minFreeBytes: number;
  /** On shutdown, how long the day in flight may take. */
  readonly shutdownGraceMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  bodyLimitBytes: 1024 * 1024,
  predictionsLimitBytes: 64 * 1024 * 1024,
  maxHosts: 1000,
  maxJobBytes: 20e9,
  quotaConcurrentJobs: 4,
  quotaStoredBytes: 50e9,
  rateLimitPerMinute: 600,
  quotaConcurrentStreams: 2,
  maxStreams: 8,
  retentionMs: 7 * 24 * 3_600_000,
  sweepIntervalMs: 60_000,
  minFreeBytes: 1024 ** 3,
  shutdownGraceMs: 30_000,
};

export function limitsFromEnv(env: ServiceEnv): Limits {
  const retentionMs = env.MELT_RETENTION_HOURS * 3_600_000;
  return {
    bodyLimitBytes: env.MELT_BODY_LIMIT_BYTES,
    predictionsLimitBytes: env.MELT_PREDICTIONS_LIMIT_BYTES,
    maxHosts: env.MELT_MAX_HOSTS,
    maxJobBytes: env.MELT_MAX_JOB_BYTES,
    quotaConcurrentJobs: env.MELT_QUOTA_CONCURRENT_JOBS,
    quotaStoredBytes: env.MELT_QUOTA_STORED_BYTES,
    rateLimitPerMinute: env.MELT_RATE_LIMIT_PER_MINUTE,
    quotaConcurrentStreams: env.MELT_QUOTA_CONCURRENT_STREAMS,
    maxStreams: env.MELT_MAX_STREAMS,
    retentionMs,
    sweepIntervalMs: Math.min(60_000, Math.max(1000, retentionMs / 10)),
    minFreeBytes: env.MELT_MIN_FREE_BYTES,
    shutdownGraceMs: env.MELT_SHUTDOWN_GRACE_SECONDS * 1000,
  };
}
