import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServerResponse } from 'node:http';
import { DAY_MS, parseDate } from '../core/time.ts';
import { FINAL_STATUSES, type Job } from '../jobs/job-types.ts';
import { openEventStream, sseEvent } from './event-stream.ts';
import { ownedJob } from './job-access.ts';
import { jobView } from './job-view.ts';
import { Type } from '../typebox.ts';
import { schemaRef } from '../core/record-schemas.ts';
import { JobEventSchema, JobIdParamsSchema, NoQuerySchema, problems, type JobDayView } from './schemas.ts';

/**
 * How often an open stream looks at its job. The stream polls the job store rather than listening
 * to the runner: the store is the one place both modes share (SQLite beside the embedded runner's
 * threads; PostgreSQL written by a cluster's worker nodes, which no API node hears from), so the
 * same code serves both, and a day is announced once it is recorded, when its files can be fetched.
 */
const POLL_MS = 500;
/** How often an idle stream says it is alive (proxies close silent connections). */
const HEARTBEAT_MS = 15_000;

/**
 * The body as the document gives it. It is text (the first branch); OpenAPI 3.0 cannot type the
 * items of a stream, so the second branch names what each event parses to, and generated clients
 * get the `JobEvent` type from the operation itself.
 */
const EventStreamSchema = Type.Union(
  [Type.String({ description: 'The stream as sent: `event:` and `data:` lines, a blank line after each event.' }), schemaRef(JobEventSchema)],
  { description: 'Server-Sent Events. Each event, parsed (its `event:` name and the JSON of its `data:` line), is a `JobEvent`.' },
);


/** What makes a `progress` event: a change the job view shows beyond its status. */
const progressKey = (job: Job): string => `${job.daysDone}|${job.bytesWritten}|${job.catalogReady}`;

/** The UTC date of a job's day `index`. */
function dateOf(job: Job, index: number): string {
  return new Date(parseDate(job.config.startDate) + index * DAY_MS).toISOString().slice(0, 10);
}

/** GET /v1/jobs/{id}/events: a job's progress as Server-Sent Events. */
export const jobEventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Open streams, ended when the server closes: they would otherwise hold its close up forever.
  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const raw of open) raw.end();
  });

  app.get(
    '/jobs/:id/events',
    {
      schema: {
        operationId: 'getJobEvents',
        summary: 'Follow a job’s progress (Server-Sent Events): status changes, progress, each finished day',
        description:
          'A text/event-stream; each event’s `data:` is one line of JSON, typed by the `JobEvent` schema. First `status` (the job as it is), then a `day` event for each day already done; ' +
          'then, as they happen: `progress` (the `Job`, when days done, bytes written or the catalog changed), `day` (a `JobDay`: one more finished day, whose files can be fetched now) ' +
          'and `status` (the `Job`, at each change of status). A job that has ended gets `end` (the `Job` in its final status) and the server closes the stream; ' +
          'one deleted meanwhile gets `deleted`. Changes are seen within about half a second, in embedded and cluster mode alike. ' +
          'A comment line every 15 s keeps idle connections open. The same key and job access as getJob. Try it with `curl -N`.',
        tags: ['jobs'],
        params: JobIdParamsSchema,
        querystring: NoQuerySchema,
        response: {
          200: {
            description: 'The event stream.',
            content: { 'text/event-stream': { schema: EventStreamSchema } },
          },
          ...problems(400, 401, 404, 429, 500),
        },
      },
    },
    async (request, reply) => {
      let job = await ownedJob(app, request, request.params.id);
      const raw = reply.raw;
      reply.hijack();
      openEventStream(raw, request.id, 'meltgen job events');
      open.add(raw);
      raw.write(sseEvent('status', jobView(job)));
      let announced = new Set<number>();
      /** `day` events for the days recorded since the last look, in day order among them (days recorded at different looks come in the order they were recorded: threads and workers finish days out of order). */
      const announceDays = async (current: Job): Promise<void> => {
        if (current.daysDone === announced.size) return;
        const done = await app.store.doneDays(current.id);
        for (const index of [...done].filter((d) => !announced.has(d)).sort((a, b) => a - b)) {
          const day: JobDayView = { jobId: current.id, date: dateOf(current, index), dayIndex: index, daysDone: current.daysDone, daysTotal: current.daysTotal };
          raw.write(sseEvent('day', day));
        }
        announced = done;
      };
      await announceDays(job);

      let timer: NodeJS.Timeout | undefined;
      let closed = false;
      const finish = (): void => {
        closed = true;
        clearTimeout(timer);
        clearInterval(heartbeat);
        open.delete(raw);
        if (!raw.writableEnded) raw.end();
      };
      const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      raw.once('close', finish);

      const look = async (): Promise<void> => {
        const current = await app.store.get(job.id);
        if (closed) return;
        if (!current || current.owner !== job.owner) {
          raw.write(sseEvent('deleted', { id: job.id }));
          return finish();
        }
        await announceDays(current);
        if (current.status !== job.status) raw.write(sseEvent('status', jobView(current)));
        else if (progressKey(current) !== progressKey(job)) raw.write(sseEvent('progress', jobView(current)));
        job = current;
        if (FINAL_STATUSES.has(current.status)) {
          raw.write(sseEvent('end', jobView(current)));
          return finish();
        }
      };
      const schedule = (): void => {
        if (closed) return;
        timer = setTimeout(() => {
          look().then(schedule, (err: unknown) => {
            // A store that fails (a database restart) ends the stream; the client reconnects.
            request.log.warn({ err, jobId: job.id }, 'job events: the job could not be read');
            finish();
          });
        }, POLL_MS);
      };
      if (FINAL_STATUSES.has(job.status)) {
        raw.write(sseEvent('end', jobView(job)));
        finish();
      } else schedule();
    },
  );
};
