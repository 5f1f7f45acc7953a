import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordExamples } from '../../scripts/examples.ts';
import { buildApp } from '../../src/app.ts';
import { EXAMPLES } from '../../src/routes/examples.ts';
import { watchDocumented } from '../helpers/documented.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The requests behind the document's examples provoke every status the routes can send (409, 410,
// 413, 415, 422, 429, 500, 507 ...) on real servers; each response is checked against the
// document, and the recorded examples must still be what is committed.
test('every status, header and problem code the routes send is in the document, and the committed examples are current', async () => {
  const findings: (() => string[])[] = [];
  const recorded = await recordExamples(async (options, extend) => {
    const app = await buildApp(options);
    findings.push(watchDocumented(app));
    extend?.(app);
    await app.ready();
    return app;
  });
  assert.deepEqual(findings.flatMap((f) => f()), []);

  assert.deepEqual(Object.keys(recorded.responses).sort(), Object.keys(EXAMPLES.responses).sort(), 'run `npm run examples` then `npm run openapi`');
  assert.deepEqual(Object.keys(recorded.problems).sort(), Object.keys(EXAMPLES.problems).sort());
  // The dataset behind the examples is deterministic: its records, catalog and report are the committed ones.
  for (const key of ['getMetricsDay 200', 'getEventsDay 200', 'getLogsDay 200', 'getTracesDay 200', 'getLabels 200', 'getCatalog 200', 'getReport 200', 'getReportText 200']) {
    assert.deepEqual(recorded.responses[key], EXAMPLES.responses[key], key);
  }
});

test('HEAD answers what GET would, without a body, and is documented', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'meltgen-head-'));
  const app = await buildApp({ dataDir });
  const undocumented = watchDocumented(app);
  await app.ready();
  t.after(async () => {
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const job = (await app.inject({ method: 'POST', url: '/v1/jobs', payload: { days: 1, hostsPerService: 1, granularityMinutes: 60, seed: 2 } })).json<{ id: string }>();
  for (;;) {
    const s = (await app.inject({ url: `/v1/jobs/${job.id}` })).json<{ status: string }>().status;
    if (s === 'succeeded') break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const urls = ['/', '/healthz', '/v1/jobs', `/v1/jobs/${job.id}`, `/v1/jobs/${job.id}/files`, `/v1/jobs/${job.id}/files/metrics/2024-06-01`, `/v1/jobs/${job.id}/files/events/2024-06-01`, `/v1/jobs/${job.id}/catalog`, `/v1/jobs/${job.id}/labels/2024-06-01`, `/v1/jobs/${job.id}/report`];
  for (const url of urls) {
    const get = await app.inject({ url });
    const head = await app.inject({ method: 'HEAD', url });
    assert.equal(head.statusCode, get.statusCode, url);
    assert.equal(head.rawPayload.length, 0, url);
    if (get.headers.etag) assert.equal(head.headers.etag, get.headers.etag, url);
    if (get.headers['content-length'] && !get.headers['content-encoding']) assert.equal(head.headers['content-length'], get.headers['content-length'], url);
  }
  assert.equal((await app.inject({ method: 'HEAD', url: `/v1/jobs/${job.id}/files/metrics/2030-01-01` })).statusCode, 404);
  assert.deepEqual(undocumented(), []);
});
