import type { FastifyInstance } from 'fastify';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { build } from '../helpers/build.ts';

type Event = { event: string; data: { status?: string; date?: string; dayIndex?: number; daysDone?: number; id?: string } };

const KEY = 'events-key-0123456789';
const OTHER = 'events-other-0123456789';
const auth = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });

/** Reads a job's event stream over a real socket until the server closes it; every event, parsed. */
async function readEvents(base: string, id: string, headers: Record<string, string>, onEvent?: (e: Event) => void): Promise<{ status: number; type: string | null; events: Event[] }> {
  const res = await fetch(`${base}/v1/jobs/${id}/events`, { headers });
  const events: Event[] = [];
  if (!res.ok || !res.body) return { status: res.status, type: res.headers.get('content-type'), events };
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const name = /^event: (.+)$/m.exec(block)?.[1];
      const data = /^data: (.+)$/m.exec(block)?.[1];
      if (name && data) {
        const e = { event: name, data: JSON.parse(data) as Event['data'] };
        events.push(e);
        onEvent?.(e);
      }
    }
  }
  return { status: res.status, type: res.headers.get('content-type'), events };
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

test('GET /v1/jobs/{id}/events: the status, each day once in order, then the end; the same key and access as getJob', async (t) => {
  const app = await build(t, { apiKeys: [{ name: 'a', key: KEY }, { name: 'b', key: OTHER }], threadsPerJob: 1 });
  const base = await listen(app);
  const created = await app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(KEY), payload: { days: 4, hostsPerService: 1, granularityMinutes: 60, seed: 3 } });
  const id = created.json<{ id: string }>().id;

  const { status, type, events } = await readEvents(base, id, auth(KEY));
  assert.equal(status, 200);
  assert.match(type ?? '', /^text\/event-stream/);
  assert.equal(events[0]?.event, 'status', 'the job as it is, first');
  const days = events.filter((e) => e.event === 'day');
  assert.deepEqual(
    days.map((e) => e.data.date),
    ['2024-06-01', '2024-06-02', '2024-06-03', '2024-06-04'],
  );
  assert.deepEqual(
    days.map((e) => e.data.dayIndex),
    [0, 1, 2, 3],
  );
  const counts = days.map((e) => e.data.daysDone ?? 0);
  assert.ok(counts.every((d, i) => i === 0 || d >= (counts[i - 1] ?? 0)), `days done never goes back: ${counts.join(', ')}`);
  const last = events.at(-1);
  assert.equal(last?.event, 'end');
  assert.equal(last?.data.status, 'succeeded');
  assert.equal(events.at(-2)?.event, 'status', 'the change to succeeded is a status event');

  // A finished job: its status, its days, the end, at once.
  const again = await readEvents(base, id, auth(KEY));
  assert.deepEqual(
    again.events.map((e) => e.event),
    ['status', 'day', 'day', 'day', 'day', 'end'],
  );
  // Another key's job is a 404, as for getJob; no key is a 401.
  assert.equal((await readEvents(base, id, auth(OTHER))).status, 404);
  assert.equal((await readEvents(base, id, {})).status, 401);
  const missing = await app.inject({ url: '/v1/jobs/00000000-0000-4000-8000-000000000000/events', headers: auth(KEY) });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json<{ code: string }>().code, 'JOB_NOT_FOUND');
});

test('a job canceled while its stream is open: a status event says canceled, then the end; closing the server ends open streams', async (t) => {
  const app = await build(t, { maxConcurrentJobs: 1, threadsPerJob: 1 });
  const base = await listen(app);
  // A long job in front, so the second one waits in the queue.
  const long = (await app.inject({ method: 'POST', url: '/v1/jobs', payload: { days: 3650, seed: 8 } })).json<{ id: string }>();
  const queued = (await app.inject({ method: 'POST', url: '/v1/jobs', payload: { days: 2, hostsPerService: 1, seed: 9 } })).json<{ id: string }>();
  let canceled = false;
  const { events } = await readEvents(base, queued.id, {}, (e) => {
    if (e.event === 'status' && !canceled) {
      canceled = true;
      void app.inject({ method: 'DELETE', url: `/v1/jobs/${queued.id}` });
    }
  });
  assert.equal(events[0]?.data.status, 'queued');
  assert.deepEqual(
    events.slice(-2).map((e) => [e.event, e.data.status]),
    [
      ['status', 'canceled'],
      ['end', 'canceled'],
    ],
  );

  // The long job's stream is open when the server closes: the close ends it instead of waiting.
  let opened: () => void = () => undefined;
  const first = new Promise<void>((r) => (opened = r));
  const stream = readEvents(base, long.id, {}, () => opened());
  await first;
  await app.close();
  const cut = await stream;
  assert.ok(cut.events.length >= 1);
  assert.notEqual(cut.events.at(-1)?.event, 'end', 'the job did not end: the server closed the stream');
});
