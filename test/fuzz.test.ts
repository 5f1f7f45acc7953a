// Property-based fuzz of the API, driven by its own OpenAPI document: for every operation, random
// and malformed path parameters, query strings, bodies and headers. No answer may be a 5xx, and
// every error must be a problem document.
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { build } from './helpers/build.ts';

type Schema = {
  type?: string | string[];
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
};
type Operation = { requestBody?: { content: Record<string, { schema: Schema }> } };

/** Values that follow the schema most of the time, and stray from it the rest. */
function fromSchema(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  const wild = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant('../../etc/passwd'));
  if (depth > 3) return wild;
  let typed: fc.Arbitrary<unknown>;
  if (schema.enum) typed = fc.constantFrom(...schema.enum);
  else if (schema.anyOf) typed = fc.oneof(...schema.anyOf.map((s) => fromSchema(s, depth + 1)));
  else {
    const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
    switch (type) {
      case 'string':
        typed = schema.pattern ? fc.stringMatching(new RegExp(schema.pattern)) : fc.string({ maxLength: 40 });
        break;
      case 'integer':
        typed = fc.integer({ min: Math.max(schema.minimum ?? -1e6, -1e9) - 2, max: Math.min(schema.maximum ?? 1e6, 1e9) + 2 });
        break;
      case 'number':
        typed = fc.double({ min: (schema.minimum ?? -1e6) - 1, max: (schema.maximum ?? 1e6) + 1, noNaN: true });
        break;
      case 'boolean':
        typed = fc.boolean();
        break;
      case 'array':
        typed = fc.array(fromSchema(schema.items ?? {}, depth + 1), { maxLength: 6 });
        break;
      case 'object': {
        const props = Object.entries(schema.properties ?? {});
        typed = fc.record(Object.fromEntries(props.map(([k, s]) => [k, fromSchema(s, depth + 1)])), { requiredKeys: [] });
        break;
      }
      default:
        typed = wild;
    }
  }
  return fc.oneof({ weight: 4, arbitrary: typed }, { weight: 1, arbitrary: wild });
}

const nasty = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom('..', '%2e%2e', '..%2F..', '%00', '/', '%2F', 'C:%5C', '{id}', ' ', '%', '%zz', '😀', '0'.repeat(300)),
);

test('fuzz: random and malformed requests to every operation never get a 5xx', async (t) => {
  const spec = JSON.parse(await readFile(new URL('../openapi/openapi.json', import.meta.url), 'utf8')) as { paths: Record<string, Record<string, Operation>> };
  const keys = [{ name: 'fuzz', key: 'f'.repeat(24) }];
  const app = await build(t, { apiKeys: keys, limits: { rateLimitPerMinute: 1e6, maxJobBytes: 2e6, quotaConcurrentJobs: 2 } });
  const ops = Object.entries(spec.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), op })));
  // Operations with a body have the largest input space: drawn three times as often.
  const operation = fc.oneof(...ops.map((o) => ({ weight: o.op.requestBody ? 3 : 1, arbitrary: fc.constant(o) })));
  const request = operation.chain((o) =>
    fc.record({
      op: fc.constant(o),
      params: fc.dictionary(fc.constantFrom('id', 'signal', 'date'), fc.oneof(nasty, fc.uuid(), fc.constantFrom('metrics', 'logs', '2024-06-01'))),
      // Most real requests have no query string: without one half the time, the bodies reach their checks.
      query: fc.oneof(fc.constant({}), fc.dictionary(fc.constantFrom('limit', 'cursor', 'compression', 'x', '__proto__'), nasty, { maxKeys: 3 })),
      // For the config: mostly values shaped by its schema (valid ones included), else any JSON or text.
      body: o.op.requestBody
        ? fc.oneof(
            { weight: 3, arbitrary: fromSchema(o.op.requestBody.content['application/json']?.schema ?? {}) },
            { weight: 2, arbitrary: fc.record({ days: fc.integer({ min: 1, max: 2 }), hostsPerService: fc.integer({ min: 1, max: 2 }), granularityMinutes: fc.constantFrom(60, 120, 1440), seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }) }) },
            fc.jsonValue({ maxDepth: 3 }),
            fc.string(),
          )
        : fc.constant(undefined),
      contentType: fc.constantFrom('application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', ''),
      auth: fc.oneof({ weight: 8, arbitrary: fc.constant(`Bearer ${keys[0]?.key}`) }, fc.constantFrom('', 'Bearer ', 'Basic Zm9vOmJhcg==', `Bearer ${'x'.repeat(5000)}`, 'Bearer a b')),
      acceptEncoding: fc.constantFrom('gzip', 'gzip;q=0', '*', 'br', 'gzip;q=abc', ''),
      ifNoneMatch: fc.constantFrom('', '*', '"abc"', 'W/"x"', ',,,'),
    }),
  );

  const statuses = new Map<number, number>();
  // Configs the API took: a job queued (202), or an estimate made of the same checks (200).
  let accepted = 0;
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      let url = r.op.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(String(r.params[name] ?? '00000000-0000-4000-8000-000000000000')).replace(/%25/g, '%'));
      const qs = Object.entries(r.query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
      if (qs) url += `?${qs}`;
      const headers: Record<string, string> = {};
      if (r.auth) headers.authorization = r.auth;
      if (r.acceptEncoding) headers['accept-encoding'] = r.acceptEncoding;
      if (r.ifNoneMatch) headers['if-none-match'] = r.ifNoneMatch;
      let payload: string | undefined;
      if (r.op.method === 'POST') {
        payload = typeof r.body === 'string' ? r.body : JSON.stringify(r.body ?? {});
        if (r.contentType) headers['content-type'] = r.contentType;
      }
      const res = await app.inject({ method: r.op.method as 'GET', url, headers, payload });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      if ((r.op.path === '/v1/jobs' && res.statusCode === 202) || (r.op.path === '/v1/estimates' && res.statusCode === 200)) accepted++;
      assert.ok(res.statusCode < 500, `${r.op.method} ${url} ${JSON.stringify(headers)} ${payload?.slice(0, 200)} -> ${res.statusCode} ${res.body.slice(0, 300)}`);
      if (res.statusCode >= 400) assert.match(res.headers['content-type'] as string, /^application\/problem\+json/, `${r.op.method} ${url} -> ${res.statusCode}`);
    }),
    // A fixed seed: the same requests every run. Adding operations shifts every draw, so the seed
    // was moved (20261128 -> 20261129) when the estimate and job-event operations came.
    { numRuns: 400, seed: 20261129 },
  );
  // The fuzz reached the successful paths too, not only the refusals.
  const seen = [...statuses.keys()];
  assert.ok(accepted > 0, `some configs were accepted: ${JSON.stringify([...statuses])}`);
  assert.ok(seen.some((s) => s === 200) && seen.some((s) => s === 400) && seen.some((s) => s === 401) && seen.some((s) => s === 404), JSON.stringify([...statuses]));
  // Whatever the fuzz queued is canceled, so closing does not wait for it.
  for (const job of await app.store.listUnfinished()) await app.jobs.cancel(job.id);
});
