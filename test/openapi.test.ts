import { validate } from '@readme/openapi-parser';
import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { normalizeConfig } from '../src/core/config.ts';
import { MEDIA_TYPES } from '../src/output/layout.ts';
import { PROBLEM_CODES } from '../src/plugins/errors.ts';
import { EXAMPLES } from '../src/routes/examples.ts';
import { build } from './helpers/build.ts';

const COMMITTED = new URL('../openapi/openapi.json', import.meta.url);
const FORMAT_MEDIA = new Set(Object.values(MEDIA_TYPES).map((t) => t.split(';')[0] as string));

type Example = { value?: unknown; $ref?: string };
type Media = { schema?: unknown; examples?: Record<string, Example> };
type Operation = {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: unknown[];
  responses: Record<string, { description: string; headers?: Record<string, unknown>; content?: Record<string, Media> }>;
  requestBody?: { content: Record<string, Media> };
};
type Doc = {
  openapi: string;
  info: { title: string; license?: { name: string } };
  servers?: { url: string }[];
  tags: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, { enum?: string[]; properties?: Record<string, { enum?: string[] }> }>;
    securitySchemes: Record<string, { description?: string }>;
    examples: Record<string, { summary: string; value: unknown }>;
  };
};

const readDoc = async (): Promise<Doc> => JSON.parse(await readFile(COMMITTED, 'utf8')) as Doc;
const pointer = (...parts: string[]): string => parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

test('openapi/openapi.json is what the server serves (run `npm run openapi` after changing a route)', async (t) => {
  const app = await build(t);
  const served = (await app.inject({ url: '/openapi.json' })).json();
  assert.deepEqual(served, await readDoc());
});

test('the document is valid OpenAPI 3: every operation has an id, a summary, tags, typed responses and its security', async () => {
  const doc = await readDoc();
  const result = await validate(JSON.parse(JSON.stringify(doc)) as Parameters<typeof validate>[0]);
  assert.equal(result.valid, true, JSON.stringify(result));
  assert.match(doc.openapi, /^3\./);
  assert.equal(doc.info.title, 'meltgen API');
  assert.ok(doc.info.license?.name);
  assert.deepEqual(doc.servers?.map((s) => s.url), ['/']);
  for (const tag of doc.tags) assert.ok(tag.description, `tag ${tag.name} has a description`);
  assert.match(doc.components.securitySchemes.apiKey?.description ?? '', /operator.*Authorization: Bearer/s, 'the scheme says how to get and send a key');
  const expected = [
    '/',
    '/healthz',
    '/metrics',
    '/v1/jobs',
    '/v1/jobs/{id}',
    '/v1/jobs/{id}/events',
    '/v1/estimates',
    '/v1/jobs/{id}/files',
    '/v1/jobs/{id}/files/{signal}/{date}',
    '/v1/jobs/{id}/files/metrics/{date}',
    '/v1/jobs/{id}/files/events/{date}',
    '/v1/jobs/{id}/files/logs/{date}',
    '/v1/jobs/{id}/files/traces/{date}',
    '/v1/jobs/{id}/catalog',
    '/v1/jobs/{id}/archive',
    '/v1/jobs/{id}/labels/{date}',
    '/v1/jobs/{id}/report',
    '/v1/jobs/{id}/report.txt',
    '/v1/jobs/{id}/evaluations',
    '/v1/jobs/{id}/replays',
    '/v1/jobs/{id}/replays/{replayId}',
    '/v1/streams',
    '/v1/streams/{id}',
    '/v1/streams/{id}/events',
  ];
  assert.deepEqual(Object.keys(doc.paths).sort(), expected.sort());
  const ids = new Set<string>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const where = `${method} ${path}`;
      assert.ok(op.operationId && /^[a-z][A-Za-z]+$/.test(op.operationId), `${where} has an operationId`);
      assert.ok(!ids.has(op.operationId), `${op.operationId} is unique`);
      ids.add(op.operationId);
      assert.ok(op.summary, `${where} has a summary`);
      assert.ok(op.tags && op.tags.length > 0, `${where} has tags`);
      if (!path.startsWith('/v1')) assert.deepEqual(op.security, [], `${where} is open: security []`);
      else assert.deepEqual(op.security, [{ apiKey: [] }], `${where} needs a key`);
      for (const [status, response] of Object.entries(op.responses)) {
        assert.ok(response.headers?.['X-Request-Id'], `${where} ${status} has X-Request-Id`);
        if (method === 'head' || ['204', '303', '304'].includes(status)) {
          assert.equal(response.content, undefined, `${where} ${status} has no body`);
          continue;
        }
        assert.ok(response.content && Object.keys(response.content).length > 0, `${where} ${status} has a schema`);
        if (Number(status) >= 400) assert.deepEqual(Object.keys(response.content), ['application/problem+json'], `${where} ${status}`);
        else {
          // One JSON type for typed clients; the other media types are the dataset formats of the same file.
          const types = Object.keys(response.content);
          assert.ok(types.length === 1 || (types.filter((t) => t === 'application/json').length === 1 && types.every((t) => FORMAT_MEDIA.has(t))), `${where} ${status}: ${types.join(', ')}`);
        }
      }
      if (path.startsWith('/v1')) for (const s of ['400', '401', '429', '500']) assert.ok(op.responses[s], `${where} documents ${s}`);
      if (path.startsWith('/v1') && method !== 'head') for (const h of ['X-RateLimit-Limit', 'X-RateLimit-Remaining']) assert.ok(op.responses['200']?.headers?.[h] ?? op.responses['202']?.headers?.[h], `${where}: ${h}`);
    }
  }
  const operations = [
    'createJob', 'listJobs', 'getJob', 'getJobEvents', 'createEstimate', 'deleteJob', 'listFiles', 'getDayFile', 'getMetricsDay', 'getEventsDay', 'getLogsDay', 'getTracesDay', 'getLabels',
    'getCatalog', 'getArchive', 'getReport', 'getReportText', 'getHealth', 'getMetrics', 'getHome',
  ];
  for (const id of operations) assert.ok(ids.has(id), `operation ${id}`);
  const post = doc.paths['/v1/jobs']?.post as Operation;
  for (const status of ['202', '200', '400', '413', '415', '422', '429', '507']) assert.ok(post.responses[status], `POST /v1/jobs documents ${status}`);
  assert.ok(post.responses['202']?.headers?.Location);
  assert.ok(doc.paths['/v1/jobs/{id}/files/{signal}/{date}']?.get?.responses['200']?.headers?.ETag);
  assert.ok(doc.paths['/v1/jobs/{id}/files/{signal}/{date}']?.get?.responses['409']?.headers?.['Retry-After']);
  assert.ok(doc.paths['/v1/jobs/{id}/files/{signal}/{date}']?.get?.responses['304']);
  assert.ok(doc.paths['/v1/jobs/{id}']?.get?.responses['401']?.headers?.['WWW-Authenticate']);
  const archive = doc.paths['/v1/jobs/{id}/archive']?.get?.responses['200'];
  assert.ok(archive?.content?.['application/zip'] && archive.headers?.['Content-Disposition'] && archive.headers['Content-Length']);
  assert.ok(doc.paths['/v1/jobs/{id}/archive']?.head, 'HEAD operations are described');
});

test('the schemas are named and referenced: every record, the job, the config both ways, every problem code', async () => {
  const doc = await readDoc();
  const names = Object.keys(doc.components.schemas);
  const expected = [
    'GenerationConfig', 'NormalizedConfig', 'Job', 'SubmittedJob', 'JobList', 'JobEvent', 'JobDay', 'Estimate', 'FileList', 'FileEntry', 'Catalog', 'Incident', 'CatalogSummary',
    'LabelRecord', 'MetricRecord', 'EventRecord', 'LogRecord', 'SpanRecord', 'Report', 'Problem',
  ];
  for (const name of expected) assert.ok(names.includes(name), `components.schemas.${name}`);
  assert.deepEqual([...(doc.components.schemas.Problem?.properties?.code?.enum ?? [])].sort(), Object.keys(PROBLEM_CODES).sort());
  // Named, not repeated: the job's shape appears once, under components.
  const text = JSON.stringify(doc.paths);
  assert.doesNotMatch(text, /"catalogReady"/, 'the job is referenced, not inlined');
  assert.doesNotMatch(text, /additionalProp|"type":"object","additionalProperties":true\}/, 'no untyped bodies');
  const normalized = doc.components.schemas.NormalizedConfig as { required?: string[]; properties: Record<string, unknown> };
  assert.deepEqual([...(normalized.required ?? [])].sort(), Object.keys(normalized.properties).sort(), 'every field of the normalized config is required');
});

test('every example is true: it validates against its schema, and every JSON or text body has one', async () => {
  const doc = await readDoc();
  const ajv = new Ajv({ strict: false, allErrors: true });
  formats.default(ajv);
  ajv.addSchema(doc as object, 'doc');
  let checked = 0;
  // Examples are referenced from components.examples, where each is kept once.
  const valueOf = (ex: Example): unknown => (ex.$ref ? doc.components.examples[ex.$ref.replace('#/components/examples/', '')]?.value : ex.value);
  const check = (path: string, example: Example, where: string): void => {
    const value = valueOf(example);
    assert.notEqual(value, undefined, `${where}: the example resolves`);
    const validateFn = ajv.getSchema(`doc#/${path}`);
    assert.ok(validateFn, `schema at ${path}`);
    assert.equal(validateFn(value), true, `${where}: ${JSON.stringify(validateFn.errors?.slice(0, 3))}`);
    checked++;
  };
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      for (const [mediaType, media] of Object.entries(op.requestBody?.content ?? {})) {
        assert.ok(media.examples && Object.keys(media.examples).length > 0, `${method} ${path}: request examples`);
        for (const [name, ex] of Object.entries(media.examples)) {
          check(pointer('paths', path, method, 'requestBody', 'content', mediaType, 'schema'), ex, `${op.operationId} request ${name}`);
          if (op.operationId === 'createJob') assert.doesNotThrow(() => normalizeConfig(valueOf(ex), 0), `${name} is a config the server accepts`);
        }
      }
      for (const [status, response] of Object.entries(op.responses)) {
        for (const [mediaType, media] of Object.entries(response.content ?? {})) {
          if (mediaType === 'application/zip' || mediaType === 'application/vnd.apache.parquet') continue;
          assert.ok(media.examples && Object.keys(media.examples).length > 0, `${op.operationId} ${status} ${mediaType} has examples (else Swagger UI makes some up)`);
          for (const [name, ex] of Object.entries(media.examples)) {
            check(pointer('paths', path, method, 'responses', status, 'content', mediaType, 'schema'), ex, `${op.operationId} ${status} ${name}`);
            if (mediaType === 'application/problem+json') {
              const p = valueOf(ex) as { status: number; code: keyof typeof PROBLEM_CODES };
              assert.equal(String(p.status), status, `${op.operationId} ${status}: example ${name} has the status it is listed under`);
              assert.equal(PROBLEM_CODES[p.code], p.status);
            }
          }
        }
      }
    }
  }
  assert.ok(checked > 100, `${checked} examples checked`);
  // Every problem code has a real example, except the two that only happen before routing.
  const missing = Object.keys(PROBLEM_CODES).filter((c) => !(c in EXAMPLES.problems));
  assert.deepEqual(missing.sort(), ['BAD_REQUEST', 'BAD_URL', 'NOT_FOUND']);
});

test('Swagger UI is served at /docs with the API’s title', async (t) => {
  const app = await build(t);
  const res = await app.inject({ url: '/docs/' });
  assert.equal(res.statusCode, 200);
  assert.match(res.body, /<title>meltgen API<\/title>/);
});

test('GET / is the console for people: what the service is, where the docs are, how to get a key', async (t) => {
  const open = await build(t);
  const res = await open.inject({ url: '/' });
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /^text\/html/);
  for (const link of ['href="/docs"', 'href="/openapi.json"', 'id="keys"', 'id="formats"']) assert.ok(res.body.includes(link), link);
  assert.match(res.body, /runs <strong>open<\/strong>/);
  const keyed = await build(t, { apiKeys: [{ name: 'a', key: 'k'.repeat(20) }] });
  const page = await keyed.inject({ url: '/' });
  assert.equal(page.statusCode, 200, 'open even when keys are required');
  assert.match(page.body, /Ask its operator for one/);
});
