import type { FastifyInstance } from 'fastify';
import { operationProblemCodes } from '../../src/plugins/openapi.ts';

/** Headers the document must name wherever a route sends them (the standard transport ones need not be). */
const DOCUMENTED_HEADERS = ['location', 'etag', 'cache-control', 'retry-after', 'content-disposition', 'www-authenticate', 'x-request-id', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'];

type Doc = { paths: Record<string, Record<string, { operationId?: string; responses: Record<string, { headers?: Record<string, unknown> }> }>> };

/**
 * Watches every response an app sends and collects what the OpenAPI document does not describe:
 * an undocumented route, status, header, or a problem code the operation does not list. Call the
 * returned function at the end of a test; it gives one line per finding (none: all documented).
 */
export function watchDocumented(app: FastifyInstance): () => string[] {
  const findings = new Set<string>();
  app.addHook('onSend', async (request, reply, payload) => {
    const route = request.routeOptions.url;
    // The not-found handler (no route) and the hidden routes (Swagger UI, the document itself).
    if (route === undefined || route.startsWith('/docs') || route === '/openapi.json' || request.routeOptions.schema?.hide) return payload;
    const doc = app.swagger() as unknown as Doc;
    const path = route.replace(/:([A-Za-z]+)/g, '{$1}');
    const method = request.method.toLowerCase();
    const op = doc.paths[path]?.[method];
    const where = `${request.method} ${path}`;
    if (!op) {
      findings.add(`${where}: no such operation in the document`);
      return payload;
    }
    const status = String(reply.statusCode);
    const res = op.responses[status];
    if (!res) {
      findings.add(`${where} ${status}: status not documented`);
      return payload;
    }
    const documented = new Set(Object.keys(res.headers ?? {}).map((h) => h.toLowerCase()));
    for (const name of Object.keys(reply.getHeaders())) {
      if (DOCUMENTED_HEADERS.includes(name) && !documented.has(name)) findings.add(`${where} ${status}: header ${name} not documented`);
    }
    if (reply.statusCode >= 400 && typeof payload === 'string' && path.startsWith('/v1/')) {
      const code = (JSON.parse(payload) as { code?: string }).code ?? '';
      // A HEAD operation answers as its GET does.
      const id = (method === 'head' ? doc.paths[path]?.get?.operationId : op.operationId) ?? '';
      if (!operationProblemCodes(id, reply.statusCode).some((c) => c === code)) {
        findings.add(`${where} ${status}: problem code ${code} not listed for ${op.operationId}`);
      }
    }
    return payload;
  });
  return () => [...findings].sort();
}
