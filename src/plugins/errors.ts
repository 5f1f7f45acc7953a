import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { STATUS_CODES } from 'node:http';
import { ConfigError } from '../core/config.ts';

/** An error meant for the client: its status, a stable code and a sentence saying what happened. */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** A field and what is wrong with it. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** RFC 9457 problem details, plus `code` (stable, for programs) and `errors` (per field). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance?: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
};

export function sendProblem(reply: FastifyReply, status: number, code: string, detail: string, extra: Record<string, unknown> = {}): FastifyReply {
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

/**
 * The one error handler: every 4xx and 5xx leaves as application/problem+json with a stable code.
 * Nothing of a 5xx's cause (message, stack, paths) reaches the client; it goes to the log.
 */
export const errorsPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError | Error, request, reply) => {
      if (error instanceof ConfigError) {
        return sendProblem(reply, 400, error.code, 'The generation config is invalid.', { errors: error.issues.map((i) => ({ field: i.field, message: i.message })) });
      }
      if (error instanceof AppError) return sendProblem(reply, error.statusCode, error.code, error.message, error.extra);
      const fe = error as FastifyError;
      if (fe.validation) {
        const where = fe.validationContext ?? 'request';
        const errors = fe.validation.map((v) => ({ field: `${where}${v.instancePath || ''}`, message: v.message ?? 'is invalid' }));
        return sendProblem(reply, 400, 'VALIDATION_ERROR', `The ${where} is invalid.`, { errors });
      }
      if (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500) {
        const code = FASTIFY_CODES[fe.code] ?? (fe.statusCode === 413 ? 'BODY_TOO_LARGE' : 'BAD_REQUEST');
        const detail = code === 'INVALID_JSON' ? 'The body is not valid JSON.' : code === 'BODY_TOO_LARGE' ? 'The body is larger than allowed.' : fe.message;
        return sendProblem(reply, fe.statusCode, code, detail);
      }
      request.log.error({ err: error }, 'unhandled error');
      return sendProblem(reply, 500, 'INTERNAL_ERROR', 'An internal error occurred; it has been logged.');
    });
    app.setNotFoundHandler((request, reply) => sendProblem(reply, 404, 'NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`));
  },
  { name: 'errors' },
);
