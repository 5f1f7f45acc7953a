import { validate } from '@readme/openapi-parser';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { build } from './helpers/build.ts';

const COMMITTED = new URL('../openapi/openapi.json', import.meta.url);

type Operation = { summary?: string; tags?: string[]; responses: Record<string, { content?: Record<string, unknown> }>; requestBody?: { content: Record<string, { examples?: unknown }> } };

test('openapi/openapi.json is what the server serves (run `npm run openapi` after changing a route)', async (t) => {
  const app = await build(t);
  const served = (await app.inject({ url: '/openapi.json' })).json();
  const committed = JSON.parse(await readFile(COMMITTED, 'utf8'));
  assert.deepEqual(served, committed);
});

test('the document is valid OpenAPI 3, and every operation has a summary, tags and typed responses', async () => {
  const text = await readFile(COMMITTED, 'utf8');
  const doc = JSON.parse(text) as { openapi: string; paths: Record<string, Record<string, Operation>> };
  const result = await validate(JSON.parse(text) as Parameters<typeof validate>[0]);
  assert.equal(result.valid, true, JSON.stringify(result));
  assert.match(doc.openapi, /^3\./);
  const expected = ['/healthz', '/metrics', '/v1/jobs', '/v1/jobs/{id}', '/v1/jobs/{id}/files', '/v1/jobs/{id}/files/{signal}/{date}', '/v1/jobs/{id}/catalog', '/v1/jobs/{id}/archive', '/v1/jobs/{id}/labels/{date}', '/v1/jobs/{id}/report'];
  assert.deepEqual(Object.keys(doc.paths).sort(), expected.sort());
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      assert.ok(op.summary, `${method} ${path} has a summary`);
      assert.ok(op.tags && op.tags.length > 0, `${method} ${path} has tags`);
      for (const [status, response] of Object.entries(op.responses)) {
        if (['204', '304'].includes(status)) continue;
        assert.ok(response.content && Object.keys(response.content).length > 0, `${method} ${path} ${status} has a schema`);
        if (Number(status) >= 400) assert.deepEqual(Object.keys(response.content), ['application/problem+json'], `${method} ${path} ${status}`);
      }
      if (path.startsWith('/v1')) {
        assert.ok(op.responses['400'], `${method} ${path} documents 400`);
        assert.ok(op.responses['401'], `${method} ${path} documents 401`);
        assert.ok(op.responses['429'], `${method} ${path} documents 429`);
      }
    }
  }
  const post = doc.paths['/v1/jobs']?.post as Operation;
  assert.ok(post.requestBody?.content['application/json']?.examples, 'the config has examples');
  for (const status of ['202', '200', '400']) assert.ok(post.responses[status], `POST /v1/jobs documents ${status}`);
  assert.ok(doc.paths['/v1/jobs/{id}/files/{signal}/{date}']?.get?.responses['409']);
  assert.ok(doc.paths['/v1/jobs/{id}/archive']?.get?.responses['200']?.content?.['application/zip']);
});

test('Swagger UI is served at /docs', async (t) => {
  const app = await build(t);
  const res = await app.inject({ url: '/docs/' });
  assert.equal(res.statusCode, 200);
  assert.match(res.body, /swagger/i);
});
