import assert from 'node:assert/strict';
import { test } from 'node:test';
import { build, finished, submit, waitFor } from '../helpers/build.ts';

// Path parameters must never reach outside a job's folder: every attempt is a 4xx problem, never
// a 5xx and never some other file's bytes.
test('traversal attempts through every path parameter are refused', async (t) => {
  const app = await build(t, { limits: { rateLimitPerMinute: 10_000 } });
  const { job } = await submit(app, { days: 1, hostsPerService: 1, granularityMinutes: 60, seed: 1 });
  await waitFor(app, job.id, finished);
  const attacks = [
    '..',
    '../..',
    '..%2F..%2Fmeltgen.db',
    '%2e%2e%2f%2e%2e%2fmeltgen.db',
    '%2Fetc%2Fpasswd',
    '/etc/passwd',
    '..\\..\\meltgen.db',
    'metrics%00.json',
    '%00',
    '2024-06-01%00',
    '2024-06-01%2F..%2F..',
    '....//....//',
    '%252e%252e%252f',
    'C:%5Cwindows',
  ];
  const urls: string[] = [];
  for (const a of attacks) {
    urls.push(`/v1/jobs/${a}`, `/v1/jobs/${a}/files`, `/v1/jobs/${a}/catalog`, `/v1/jobs/${a}/archive`, `/v1/jobs/${a}/report`);
    urls.push(`/v1/jobs/${job.id}/files/${a}/2024-06-01`, `/v1/jobs/${job.id}/files/metrics/${a}`, `/v1/jobs/${job.id}/files/${a}/${a}`, `/v1/jobs/${job.id}/labels/${a}`);
  }
  for (const url of urls) {
    const res = await app.inject({ url });
    // Dot segments are resolved before routing: `/v1/jobs/../..` is the home page, not a way out.
    if (new URL(url, 'http://x').pathname === '/') {
      assert.equal(res.statusCode, 200, url);
      assert.match(res.headers['content-type'] as string, /^text\/html/, url);
      continue;
    }
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${url} -> ${res.statusCode}`);
    assert.match(res.headers['content-type'] as string, /problem\+json/, url);
    assert.doesNotMatch(res.body, /SQLite format|root:x:0:0/, url);
  }
});
