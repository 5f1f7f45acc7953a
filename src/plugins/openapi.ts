import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { TSchema } from '../typebox.ts';
import { GenerationConfigSchema } from '../core/config.ts';
import { RECORD_SCHEMAS } from '../core/record-schemas.ts';
import { FILE_SCHEMAS } from '../routes/files.ts';
import { API_SCHEMAS } from '../routes/schemas.ts';
import { REPORT_SCHEMAS } from '../validation/report-schema.ts';
import { EvaluationSchema, PredictionsSchema } from '../benchmark/predictions.ts';
import { PUSH_SCHEMAS } from '../routes/push-schemas.ts';
import { GENERATOR_VERSION } from '../version.ts';
import { EXAMPLES } from '../routes/examples.ts';
import { PROBLEM_CODES, type ProblemCode } from './errors.ts';

/** Every named schema the API carries; each becomes components.schemas.<$id>. */
export const NAMED_SCHEMAS: readonly TSchema[] = [GenerationConfigSchema, ...API_SCHEMAS, ...RECORD_SCHEMAS, ...FILE_SCHEMAS, ...REPORT_SCHEMAS, PredictionsSchema, EvaluationSchema, ...PUSH_SCHEMAS];

// ---- What each operation can answer beyond its route schema ---------------------------------

const DATASET: readonly ProblemCode[] = ['JOB_NOT_FOUND', 'JOB_EXPIRED'];
const DAY: readonly ProblemCode[] = [...DATASET, 'DAY_OUT_OF_RANGE', 'DAY_NOT_READY', 'FILE_NOT_FOUND', 'FORMAT_NOT_GENERATED'];

/**
 * The problem codes each operation can send, besides the ones every /v1 operation can
 * (VALIDATION_ERROR, UNAUTHORIZED, RATE_LIMITED, INTERNAL_ERROR). They are listed in each
 * response's description and pick the examples; a test checks every code the routes really send
 * against this table.
 */
export const OPERATION_PROBLEMS: Readonly<Record<string, readonly ProblemCode[]>> = {
  createJob: ['INVALID_CONFIG', 'INVALID_JSON', 'BODY_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'JOB_TOO_LARGE', 'TOO_MANY_HOSTS', 'TOO_MANY_JOBS', 'STORAGE_QUOTA_EXCEEDED', 'INSUFFICIENT_STORAGE'],
  listJobs: [],
  getJob: ['JOB_NOT_FOUND'],
  getJobEvents: ['JOB_NOT_FOUND'],
  createEstimate: ['INVALID_CONFIG', 'INVALID_JSON', 'BODY_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'],
  deleteJob: ['JOB_NOT_FOUND'],
  listFiles: DATASET,
  getDayFile: [...DAY, 'SIGNAL_NOT_GENERATED'],
  getMetricsDay: [...DAY, 'SIGNAL_NOT_GENERATED'],
  getEventsDay: [...DAY, 'SIGNAL_NOT_GENERATED'],
  getLogsDay: [...DAY, 'SIGNAL_NOT_GENERATED'],
  getTracesDay: [...DAY, 'SIGNAL_NOT_GENERATED'],
  getLabels: DAY,
  getCatalog: [...DATASET, 'CATALOG_NOT_READY', 'FILE_NOT_FOUND', 'FORMAT_NOT_GENERATED'],
  getArchive: [...DATASET, 'JOB_NOT_FINISHED'],
  getReport: [...DATASET, 'JOB_NOT_FINISHED', 'VALIDATION_FAILED', 'FORMAT_NOT_GENERATED'],
  getReportText: [...DATASET, 'JOB_NOT_FINISHED', 'VALIDATION_FAILED', 'FORMAT_NOT_GENERATED'],
  createEvaluation: [...DATASET, 'JOB_NOT_FINISHED', 'EVALUATION_FAILED', 'INVALID_JSON', 'BODY_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'],
  createReplay: [...DATASET, 'JOB_NOT_FINISHED', 'SINK_NOT_ALLOWED', 'TOO_MANY_STREAMS', 'INVALID_JSON', 'BODY_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'],
  listReplays: ['JOB_NOT_FOUND'],
  getReplay: ['JOB_NOT_FOUND', 'REPLAY_NOT_FOUND'],
  cancelReplay: ['JOB_NOT_FOUND', 'REPLAY_NOT_FOUND'],
  createStream: ['INVALID_CONFIG', 'TOO_MANY_HOSTS', 'SINK_NOT_ALLOWED', 'TOO_MANY_STREAMS', 'INVALID_JSON', 'BODY_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'],
  listStreams: [],
  getStream: ['STREAM_NOT_FOUND'],
  stopStream: ['STREAM_NOT_FOUND'],
  getStreamEvents: ['STREAM_NOT_FOUND'],
};
const EVERY_V1_OPERATION: readonly ProblemCode[] = ['VALIDATION_ERROR', 'UNAUTHORIZED', 'RATE_LIMITED', 'INTERNAL_ERROR'];
/** The open routes: no key, no rate limit, but a query parameter they do not take is still a 400. */
const OPEN_OPERATIONS = new Set(['getHome', 'getHealth', 'getMetrics']);
const EVERY_OPEN_OPERATION: readonly ProblemCode[] = ['VALIDATION_ERROR', 'INTERNAL_ERROR'];

/** The problem codes an operation may answer with `status`. */
export function operationProblemCodes(operationId: string, status: number): ProblemCode[] {
  const codes = OPEN_OPERATIONS.has(operationId) ? EVERY_OPEN_OPERATION : [...EVERY_V1_OPERATION, ...(OPERATION_PROBLEMS[operationId] ?? [])];
  if (!OPEN_OPERATIONS.has(operationId) && !OPERATION_PROBLEMS[operationId]) return [];
  return codes.filter((c, i, all) => all.indexOf(c) === i && PROBLEM_CODES[c] === status);
}

// ---- The document's last touches ------------------------------------------------------------

interface Header {
  description?: string;
  schema?: { type: string };
  $ref?: string;
}
interface Example {
  summary?: string;
  value?: unknown;
  $ref?: string;
}
interface MediaType {
  schema?: unknown;
  example?: unknown;
  examples?: Record<string, Example>;
}
interface Response {
  description: string;
  headers?: Record<string, Header>;
  content?: Record<string, MediaType>;
}
interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: unknown[];
  requestBody?: { content: Record<string, MediaType>; required?: boolean; description?: string };
  responses: Record<string, Response>;
}
interface Document {
  openapi: string;
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown>; headers?: Record<string, Header>; examples?: Record<string, Example> };
  [key: string]: unknown;
}

/** Header names as people write them; fastify-swagger keeps the route's lower-case keys. */
const HEADER_NAMES: Record<string, string> = {
  location: 'Location',
  etag: 'ETag',
  'cache-control': 'Cache-Control',
  'retry-after': 'Retry-After',
  'content-disposition': 'Content-Disposition',
  'content-length': 'Content-Length',
  'www-authenticate': 'WWW-Authenticate',
};

/** Headers every response of a group carries, defined once under components.headers. */
const COMMON_HEADERS: Record<string, Header> = {
  'X-Request-Id': { description: 'The request’s id: the client’s X-Request-Id when it sent a sane one, else a new UUID. Every log line of the request carries it.', schema: { type: 'string' } },
  'X-RateLimit-Limit': { description: 'Requests allowed per minute for this key (per address on an open server).', schema: { type: 'integer' } },
  'X-RateLimit-Remaining': { description: 'Requests left in the current minute.', schema: { type: 'integer' } },
  'X-RateLimit-Reset': { description: 'Seconds until the current minute’s window ends.', schema: { type: 'integer' } },
};
const RATE_LIMIT_HEADERS = ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'];

const headVerb = (operationId: string): string => operationId.replace(/^(get|list)/, 'head');

/**
 * Finishes the generated document: canonical header names, the headers every response carries,
 * `security: []` on the open routes, HEAD operations (fastify answers HEAD on every GET route),
 * the problem codes of each status, and real examples for every request and response body.
 */
export function finishDocument(doc: Document): Document {
  const examples: Record<string, Example> = {};
  const byValue = new Map<string, string>();
  // Examples live once under components.examples: problem documents and day files recur across operations.
  const ref = (name: string, example: { summary: string; value: unknown }): Example => {
    const key = JSON.stringify(example.value);
    let id = byValue.get(key);
    if (id === undefined) {
      id = name;
      examples[id] = example;
      byValue.set(key, id);
    }
    return { $ref: `#/components/examples/${id}` };
  };
  doc.components = { ...doc.components, headers: { ...doc.components?.headers, ...COMMON_HEADERS } };
  for (const [path, ops] of Object.entries(doc.paths ?? {})) {
    const v1 = path.startsWith('/v1/');
    for (const op of Object.values(ops)) {
      if (!v1) op.security = [];
      for (const [status, res] of Object.entries(op.responses)) {
        const named: Record<string, Header> = {};
        for (const [name, h] of Object.entries(res.headers ?? {})) named[HEADER_NAMES[name] ?? name] = h;
        named['X-Request-Id'] = { $ref: '#/components/headers/X-Request-Id' };
        if (v1) for (const h of RATE_LIMIT_HEADERS) named[h] = { $ref: `#/components/headers/${h}` };
        res.headers = named;
        const codes = operationProblemCodes(op.operationId ?? '', Number(status));
        if (codes.length > 0) res.description = `${res.description} Codes: ${codes.map((c) => `\`${c}\``).join(', ')}.`;
        addExamples(op, status, res, codes, ref);
      }
      const body = op.requestBody?.content['application/json'];
      const requestExamples = EXAMPLES.requests[op.operationId ?? ''];
      if (body && requestExamples) {
        body.examples = Object.fromEntries(Object.entries(requestExamples).map(([name, ex]) => [name, ref(`${op.operationId ?? ''}-${name}`, ex)]));
      }
    }
    const get = ops.get;
    if (get?.operationId) {
      const responses: Record<string, Response> = {};
      for (const [status, res] of Object.entries(get.responses)) responses[status] = { description: res.description, ...(res.headers ? { headers: res.headers } : {}) };
      ops.head = {
        ...get,
        operationId: headVerb(get.operationId),
        summary: `Headers of ${get.operationId}, without the body`,
        description: `The same status and headers as ${get.operationId} (ETag, Content-Length where known), without a body.`,
        responses,
      };
    }
  }
  doc.components.examples = examples;
  return doc;
}

type ExampleRef = (name: string, example: { summary: string; value: unknown }) => Example;

function addExamples(op: Operation, status: string, res: Response, codes: readonly ProblemCode[], ref: ExampleRef): void {
  for (const [mediaType, media] of Object.entries(res.content ?? {})) {
    const named: Record<string, Example> = {};
    if (mediaType === 'application/problem+json') {
      for (const code of codes) {
        const value = EXAMPLES.problems[code];
        if (value) named[code] = ref(code, { summary: code, value });
      }
    } else {
      // By media type where an answer comes in several formats; the JSON one (or the only one) under the status alone.
      const single = Object.keys(res.content ?? {}).length === 1 || mediaType === 'application/json';
      const found = EXAMPLES.responses[`${op.operationId ?? ''} ${status} ${mediaType}`] ?? (single ? EXAMPLES.responses[`${op.operationId ?? ''} ${status}`] : undefined);
      for (const [name, ex] of Object.entries(found ?? {})) named[name] = ref(`${op.operationId ?? ''}-${name}`, ex);
    }
    if (Object.keys(named).length > 0) media.examples = named;
  }
}

// ---- The plugin -------------------------------------------------------------------------------

/** The OpenAPI document (/openapi.json), Swagger UI (/docs) and the named schemas they show. */
export const openApiPlugin = fp(
  async (app: FastifyInstance) => {
    for (const schema of NAMED_SCHEMAS) app.addSchema(schema);
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'meltgen API',
          version: GENERATOR_VERSION,
          license: { name: 'The Unlicense', url: 'https://unlicense.org/' },
          description:
            'Synthetic MELT telemetry (metrics, events, logs, traces) with injected incidents and an exact ground truth. ' +
            'Submit a generation config as a job (createJob), poll it (getJob), then fetch the incident catalog, day files, labels, the validation report or a zip of the melt_data/ layout.\n\n' +
            '**Keys.** A server with API keys configured needs `Authorization: Bearer <key>` on every /v1 call, and a key sees only its own jobs; ask the server’s operator for a key. ' +
            'A server without keys runs open.\n\n' +
            '**Errors** are application/problem+json (RFC 9457) with a stable `code` (the `Problem` schema lists them all). ' +
            'A 400 names every bad field in `errors[].field` as a JSON pointer that starts with the request part: `/body/days`, `/query/limit`, `/params/signal`. ' +
            'Unknown fields and query parameters are refused, listing the allowed ones.\n\n' +
            '**Caching.** Dataset files never change once written: strong ETags, 304 on If-None-Match, gzip when accepted. ' +
            '**Limits.** /v1 calls are rate limited per key (X-RateLimit-* headers; 429 with Retry-After).',
        },
        servers: [{ url: '/', description: 'This server' }],
        tags: [
          { name: 'jobs', description: 'Generation jobs: submit a config, poll, list, cancel or delete.' },
          { name: 'datasets', description: 'A job’s dataset: the file list, day files of each signal, labels, the incident catalog, the validation report and the zip.' },
          { name: 'platforms', description: 'Observability platforms: replay a finished dataset into Prometheus, VictoriaMetrics or an OTLP receiver, or stream a config live with its ground truth announced as it happens.' },
          { name: 'service', description: 'The service itself: a page for people, health and its own metrics.' },
        ],
        components: {
          securitySchemes: {
            apiKey: {
              type: 'http',
              scheme: 'bearer',
              description:
                'An API key from the server’s operator, sent as `Authorization: Bearer <key>` on every /v1 call. ' +
                'Servers without keys configured run open and ignore the header.',
            },
          },
        },
      },
      refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
      transformObject: (documentObject) => finishDocument(('openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject) as unknown as Document),
    });
    await app.register(swaggerUi, { routePrefix: '/docs', theme: { title: 'meltgen API' }, uiConfig: { defaultModelsExpandDepth: 0, tryItOutEnabled: false } });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'openapi' },
);
