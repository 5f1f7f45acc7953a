import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { SIGNALS } from '../core/config.ts';
import { GENERATOR_VERSION } from '../version.ts';
import { NoQuerySchema, problems, TextSchema } from './schemas.ts';

/** Whether the server asks for API keys: the page says how to get one only when it does. */
export interface HomeOptions {
  readonly keysRequired: boolean;
}

function page(keysRequired: boolean): string {
  const auth = keysRequired
    ? `<p>This server needs an API key on every <code>/v1</code> call. Ask its operator for one (they list keys in <code>MELT_API_KEYS</code> or <code>MELT_API_KEYS_FILE</code>), then send it as <code>Authorization: Bearer &lt;key&gt;</code>. Each key sees only its own jobs.</p>`
    : `<p>This server runs <strong>open</strong>: no key is needed and every client sees every job. An operator turns keys on with <code>MELT_API_KEYS</code>; then every <code>/v1</code> call sends <code>Authorization: Bearer &lt;key&gt;</code>.</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>meltgen ${GENERATOR_VERSION}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1d2330}
code,pre{font:14px ui-monospace,monospace;background:#f2f4f8;border-radius:4px}
code{padding:.1em .3em} pre{padding:.8rem;white-space:pre-wrap;word-break:break-all}
a{color:#1a5fb4} h1{margin-bottom:0} .sub{color:#5e6675;margin-top:.2rem}
</style>
</head>
<body>
<h1>meltgen</h1>
<p class="sub">Synthetic MELT telemetry with injected incidents and an exact ground truth · version ${GENERATOR_VERSION}</p>
<p>meltgen generates metrics, events, logs and traces of a simulated hybrid-cloud microservice system, with incidents, cascading failures and a catalog of what happened where: data to train and benchmark root-cause-analysis and anomaly-detection models, or to test observability platforms.</p>
<ul>
<li><a href="/docs">API documentation</a> (Swagger UI: try every call)</li>
<li><a href="/openapi.json">OpenAPI document</a> (generate a typed client from it)</li>
<li><a href="/healthz">Health</a> · <a href="/metrics">Service metrics</a> (Prometheus)</li>
</ul>
<h2 id="keys">API keys</h2>
${auth}
<h2 id="flow">The flow</h2>
<pre>curl -s -X POST $SERVER/v1/jobs -H 'content-type: application/json' -d '{"days": 7, "seed": 42}'
curl -s $SERVER/v1/jobs/$JOB                       # poll: queued → running → succeeded
curl -s $SERVER/v1/jobs/$JOB/catalog               # the incident catalog (ground truth)
curl -s $SERVER/v1/jobs/$JOB/files/metrics/2024-06-03
curl -s -OJ $SERVER/v1/jobs/$JOB/archive           # the whole melt_data/ folder as a zip</pre>
<h2 id="formats">Formats</h2>
<p>A dataset is the original generator’s <code>melt_data/</code> layout: one JSON array per signal per UTC day, <code>melt_data/&lt;signal&gt;/YYYY-MM/&lt;signal&gt;_YYYY-MM-DD.json</code> for ${SIGNALS.map((s) => `<code>${s}</code>`).join(', ')}, plus <code>metadata/incident_catalog.json</code> and the per-day labels <code>metadata/labels/YYYY-MM/labels_YYYY-MM-DD.json</code>. Every record type is a named schema in the <a href="/openapi.json">OpenAPI document</a>.</p>
<p>The README’s sections “Using the service”, “Output format” and “For operators” (API keys, limits, retention) say more.</p>
</body>
</html>
`;
}

/** `GET /`: a page for people who open the server in a browser. */
export const homeRoutes: FastifyPluginAsyncTypebox<HomeOptions> = async (app, opts) => {
  const html = page(opts.keysRequired);
  app.get(
    '/',
    {
      schema: {
        operationId: 'getHome',
        summary: 'A page for people: what the service is, where the docs are, how to get a key',
        tags: ['service'],
        querystring: NoQuerySchema,
        response: { 200: { description: 'An HTML page.', content: { 'text/html': { schema: TextSchema } } }, ...problems(400, 500) },
      },
    },
    async (_request, reply) => reply.type('text/html; charset=utf-8').send(html),
  );
};
