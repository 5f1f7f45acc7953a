import type { FastifyError, FastifyInstance, FastifyReply, FastifySchemaValidationError } from 'fastify';
import fp from 'fastify-plugin';
import { STATUS_CODES } from 'node:http';
import { ConfigError } from '../core/config.ts';

/**
 * Every `code` a problem document can carry, with the status it comes with. The OpenAPI document's
 * `Problem.code` enum is this list; `AppError` and `sendProblem` accept nothing else, so a new code
 * cannot be sent without being documented.
 */
export const PROBLEM_CODES = {
  BAD_REQUEST: 400,
  BAD_URL: 400,
  INVALID_JSON: 400,
  INVALID_CONFIG: 400,
  VALIDATION_ERROR: 400,
  UNAUTHORIZED: 401,
  SINK_NOT_ALLOWED: 403,
  NOT_FOUND: 404,
  JOB_NOT_FOUND: 404,
  DAY_OUT_OF_RANGE: 404,
  SIGNAL_NOT_GENERATED: 404,
  FILE_NOT_FOUND: 404,
  FORMAT_NOT_GENERATED: 404,
  REPLAY_NOT_FOUND: 404,
  STREAM_NOT_FOUND: 404,
  CATALOG_NOT_READY: 409,
  DAY_NOT_READY: 409,
  JOB_NOT_FINISHED: 409,
  JOB_EXPIRED: 410,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  JOB_TOO_LARGE: 422,
  TOO_MANY_HOSTS: 422,
  RATE_LIMITED: 429,
  TOO_MANY_JOBS: 429,
  TOO_MANY_STREAMS: 429,
  INTERNAL_ERROR: 500,
  VALIDATION_FAILED: 500,
  EVALUATION_FAILED: 500,
  INSUFFICIENT_STORAGE: 507,
  STORAGE_QUOTA_EXCEEDED: 507,
} as const;
export type ProblemCode = keyof typeof PROBLEM_CODES;

/** An error meant for the client: its status, a stable code and a sentence saying what happened. */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ProblemCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** A field and what is wrong with it. */
export interface FieldError {
  /** A JSON pointer that starts with the request part: `/body/days`, `/query/limit`, `/params/signal`. */
  readonly field: string;
  readonly message: string;
}

/** RFC 9457 problem details, plus `code` (stable, for programs) and `errors` (per field). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ProblemCode;
  detail: string;
  instance?: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

/** A 400 naming each bad field, in the one convention every part of a request uses. */
export class FieldsError extends AppError {
  constructor(detail: string, errors: readonly FieldError[]) {
    super(400, 'VALIDATION_ERROR', detail, { errors });
  }
}

const FASTIFY_CODES: Record<string, ProblemCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
};

/** Fastify's names of the request parts, as they appear in `field`. */
const PART: Record<string, { pointer: string; noun: string }> = {
  body: { pointer: '/body', noun: 'body' },
  querystring: { pointer: '/query', noun: 'query parameter' },
  params: { pointer: '/params', noun: 'path parameter' },
  headers: { pointer: '/headers', noun: 'header' },
};

/** Messages for the patterns the routes use, worded for people rather than as a regular expression. */
const PATTERN_MESSAGES: Record<string, string> = {
  '^[0-9a-f-]{36}$': 'must be a job id (a UUID such as 3f2c1b9e-0d6a-4c3e-9a51-2b7d8e6f4a10)',
  '^\\d{4}-\\d{2}-\\d{2}$': 'must be a date as YYYY-MM-DD',
  '^[0-9]{1,15}$': 'must be the nextCursor of a previous page',
  '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,3})?)?Z$': 'must be a UTC instant such as 2024-06-01T10:00:00Z',
  '^[a-z0-9][a-z0-9-]{0,62}(,[a-z0-9][a-z0-9-]{0,62}){0,99}$': 'must be names (lower-case letters, digits, dashes), comma-separated, at most 100',
  '^[0-9a-f]{32}(,[0-9a-f]{32}){0,99}$': 'must be trace ids (32 hex digits), comma-separated, at most 100',
};

/** Turns schema-validation errors of one request part into field errors with allowed values spelled out. */
export function validationFieldErrors(part: string, issues: readonly FastifySchemaValidationError[], allowedNames: readonly string[]): FieldError[] {
  const where = PART[part] ?? { pointer: `/${part}`, noun: part };
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const v of issues) {
    const params = (v.params ?? {}) as Record<string, unknown>;
    // An unknown field is reported twice (the `false` schema and the summary); keep the per-field one.
    if (v.keyword === 'additionalProperties') continue;
    // A union of literals fails once per literal and once as a whole: one message lists them, below.
    if (v.keyword === 'anyOf') continue;
    let message = v.message ?? 'is invalid';
    if (v.keyword === 'boolean') message = `is not a known ${where.noun}${allowedNames.length ? `; allowed: ${allowedNames.join(', ')}` : `; this route takes none`}`;
    else if (v.keyword === 'enum' && Array.isArray(params.allowedValues)) message = `must be one of: ${params.allowedValues.join(', ')}`;
    else if (v.keyword === 'const') {
      const allowed = issues.filter((o) => o.keyword === 'const' && o.instancePath === v.instancePath).map((o) => String((o.params as { allowedValue?: unknown }).allowedValue));
      message = `must be one of: ${allowed.join(', ')}`;
    } else if (v.keyword === 'pattern' && typeof params.pattern === 'string') message = PATTERN_MESSAGES[params.pattern] ?? `must match ${params.pattern}`;
    else if (v.keyword === 'required' && typeof params.missingProperty === 'string') {
      out.push({ field: `${where.pointer}${v.instancePath}/${params.missingProperty}`, message: 'is required' });
      continue;
    }
    const field = `${where.pointer}${v.instancePath}`;
    const key = `${field}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ field, message });
  }
  return out;
}

/** Sends a problem document: the one shape of every 4xx and 5xx. */
export function sendProblem(reply: FastifyReply, status: number, code: ProblemCode, detail: string, extra: Record<string, unknown> = {}): FastifyReply {
  const problem: Problem = {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    code,
    detail,
    instance: reply.request.url,
    ...extra,
  };
  return reply.status(status).type('application/problem+json; charset=utf-8').send(problem);
}

/** The property names a route's schema allows in one request part, for "allowed: ..." messages. */
function allowedNames(schema: unknown): string[] {
  const props = (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return props ? Object.keys(props) : [];
}

/**
 * The one error handler: every 4xx and 5xx leaves as application/problem+json with a stable code.
 * Nothing of a 5xx's cause (message, stack, paths) reaches the client; it goes to the log.
 */
export const errorsPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError | Error, request, reply) => {
      if (error instanceof ConfigError) {
        const errors = error.issues.map((i) => ({ field: i.field === '/' ? '/body' : `/body${i.field}`, message: i.message }));
        return sendProblem(reply, 400, error.code, 'The generation config is invalid; `errors` names each bad field.', { errors });
      }
      if (error instanceof AppError) return sendProblem(reply, error.statusCode, error.code, error.message, error.extra);
      const fe = error as FastifyError;
      if (fe.validation) {
        const part = fe.validationContext ?? 'request';
        const schema = request.routeOptions.schema as Record<string, unknown> | undefined;
        const errors = validationFieldErrors(part, fe.validation, allowedNames(schema?.[part]));
        const noun = PART[part]?.noun ?? part;
        return sendProblem(reply, 400, 'VALIDATION_ERROR', `A ${noun} is invalid; \`errors\` names each one.`, { errors });
      }
      if (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500) {
        const code = FASTIFY_CODES[fe.code] ?? (fe.statusCode === 413 ? 'BODY_TOO_LARGE' : fe.statusCode === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST');
        const detail =
          code === 'INVALID_JSON'
            ? 'The body is not valid JSON.'
            : code === 'BODY_TOO_LARGE'
              ? 'The body is larger than allowed.'
              : code === 'UNSUPPORTED_MEDIA_TYPE'
                ? 'The body must be JSON: send it with Content-Type: application/json.'
                : fe.message;
        return sendProblem(reply, fe.statusCode, code, detail);
      }
      request.log.error({ err: error }, 'unhandled error');
      return sendProblem(reply, 500, 'INTERNAL_ERROR', 'An internal error occurred; it has been logged.');
    });
    app.setNotFoundHandler((request, reply) => sendProblem(reply, 404, 'NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}. The API is described at /openapi.json and /docs.`));
  },
  { name: 'errors' },
);
