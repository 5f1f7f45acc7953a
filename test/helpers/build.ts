import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { TestContext } from 'node:test';
import { buildApp, type AppOptions } from '../../src/app.ts';
import { tempDir } from './dataset.ts';
import { watchDocumented } from './documented.ts';
import assert from 'node:assert/strict';

/**
 * Builds the app on a fresh data directory, closed when the test ends. Every response it sends is
 * checked against the OpenAPI document: the test fails when one has a status, header or problem
 * code the document does not list for its operation.
 */
export async function build(t: TestContext, options: Partial<AppOptions> = {}): Promise<FastifyInstance> {
  const app = await buildApp({ dataDir: options.dataDir ?? (await tempDir(t, 'meltgen-app-')), ...options });
  const undocumented = watchDocumented(app);
  t.after(async () => {
    await app.close();
    assert.deepEqual(undocumented(), [], 'every response is described by the OpenAPI document');
  });
  await app.ready();
  return app;
}

export type JobBody = { id: string; status: string; progress: { daysDone: number; daysTotal: number; percent: number }; catalogReady: boolean; config: Record<string, unknown>; error: { code: string; message: string } | null; deduplicated?: boolean };

export async function submit(app: FastifyInstance, config: Record<string, unknown>): Promise<{ res: LightMyRequestResponse; job: JobBody }> {
  const res = await app.inject({ method: 'POST', url: '/v1/jobs', payload: config });
  return { res, job: res.json<JobBody>() };
}

export async function getJob(app: FastifyInstance, id: string, headers: Record<string, string> = {}): Promise<JobBody> {
  return (await app.inject({ url: `/v1/jobs/${id}`, headers })).json<JobBody>();
}

/**
 * Polls until the job reaches one of `statuses` (or the predicate holds); fails after `ms`. A 429
 * (the key's rate limit: polling a slow job on a loaded machine reaches it) waits its Retry-After.
 */
export async function waitFor(app: FastifyInstance, id: string, until: (job: JobBody) => boolean, ms = 30_000, headers: Record<string, string> = {}): Promise<JobBody> {
  const deadline = Date.now() + ms;
  for (;;) {
    const res = await app.inject({ url: `/v1/jobs/${id}`, headers });
    if (res.statusCode === 429) {
      if (Date.now() > deadline) throw new Error(`job ${id}: still rate limited after ${ms} ms`);
      await new Promise((r) => setTimeout(r, 1000 * Number(res.headers['retry-after'] ?? 1)));
      continue;
    }
    const job = res.json<JobBody>();
    if (until(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status} (${JSON.stringify(job.progress)}) after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const finished = (job: JobBody): boolean => ['succeeded', 'failed', 'canceled'].includes(job.status);
