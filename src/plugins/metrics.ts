import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { JOB_STATUSES } from '../jobs/job-types.ts';

/** The service's own telemetry, in Prometheus form. */
export interface ServiceMetrics {
  readonly registry: Registry;
  readonly daysGenerated: Counter;
  readonly bytesWritten: Counter;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ServiceMetrics;
  }
}

/**
 * A registry per app (tests build many apps in one process): jobs by state and queue length read
 * from the store at scrape time, days and bytes counted as workers report them, and a latency
 * histogram of every request by route and status.
 */
export const metricsPlugin = fp(
  async (app: FastifyInstance) => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'meltgen_' });
    new Gauge({
      name: 'meltgen_jobs',
      help: 'Jobs by state.',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        const counts = await app.store.countByStatus();
        for (const s of JOB_STATUSES) this.set({ state: s }, counts[s] ?? 0);
      },
    });
    new Gauge({
      name: 'meltgen_queue_length',
      help: 'Jobs waiting for a worker.',
      registers: [registry],
      collect() {
        this.set(app.jobs.queueLength());
      },
    });
    new Gauge({
      name: 'meltgen_pushes_running',
      help: 'Replays and live streams running now.',
      labelNames: ['kind'],
      registers: [registry],
      collect() {
        for (const kind of ['replay', 'stream'] as const) this.set({ kind }, app.hasDecorator('pushes') ? app.pushes.runningCount(kind) : 0);
      },
    });
    const daysGenerated = new Counter({ name: 'meltgen_days_generated_total', help: 'Days rendered and written.', registers: [registry] });
    const bytesWritten = new Counter({ name: 'meltgen_bytes_written_total', help: 'Bytes of dataset files written.', registers: [registry] });
    const latency = new Histogram({
      name: 'meltgen_http_request_duration_seconds',
      help: 'Request latency by method, route and status code.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    app.decorate('metrics', { registry, daysGenerated, bytesWritten });
    app.addHook('onResponse', async (request, reply) => {
      latency.observe({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    });
  },
  { name: 'metrics' },
);
