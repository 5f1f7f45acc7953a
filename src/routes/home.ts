import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SIGNALS } from '../core/config.ts';
import { GENERATOR_VERSION } from '../version.ts';
import { NoQuerySchema, problems, TextSchema } from './schemas.ts';

/** Whether the server asks for API keys: the page says how to get one only when it does. */
export interface HomeOptions {
  readonly keysRequired: boolean;
  /** Where the built console is (index.html and assets/); default: dist/web, found from this file. */
  readonly consoleDir?: string;
}

/** What the page says about keys: where to get one, or that the server runs open. */
function authText(keysRequired: boolean): string {
  return keysRequired
    ? `<p>This server needs an API key on every <code>/v1</code> call. Ask its operator for one (they list keys in <code>MELT_API_KEYS</code> or <code>MELT_API_KEYS_FILE</code>), then send it as <code>Authorization: Bearer &lt;key&gt;</code>. Each key sees only its own jobs.</p>`
    : `<p>This server runs <strong>open</strong>: no key is needed and every client sees every job. An operator turns keys on with <code>MELT_API_KEYS</code>; then every <code>/v1</code> call sends <code>Authorization: Bearer &lt;key&gt;</code>.</p>`;
}

/**
 * The built console (`vite build web`, part of `npm run build`): dist/web beside the compiled
 * server (dist/routes/ → dist/web), or from the sources (src/routes/ → dist/web) under tsx.
 */
const CONSOLE_DIRS = [fileURLToPath(new URL('../web/', import.meta.url)), fileURLToPath(new URL('../../dist/web/', import.meta.url))];

function findConsole(given: string | undefined): string | null {
  if (given !== undefined) return existsSync(join(given, 'index.html')) ? given : null;
  return CONSOLE_DIRS.find((d) => existsSync(join(d, 'index.html'))) ?? null;
}

/**
 * The console's page: its index.html with what the server knows filled in (whether keys are
 * required, what to do about them, the version), so the page says it before any script runs.
 */
function consolePage(dir: string, keysRequired: boolean): string {
  return readFileSync(join(dir, 'index.html'), 'utf8')
    .replaceAll('<!--meltgen:auth-->', authText(keysRequired))
    .replaceAll('__MELTGEN_KEYS__', keysRequired ? 'required' : 'open')
    .replaceAll('__MELTGEN_VERSION__', GENERATOR_VERSION);
}

/** The page without the console (not built: `npm run build` builds it). */
function page(keysRequired: boolean): string {
  const auth = authText(keysRequired);
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
<p>The web console is not built on this server: <code>npm run build</code> builds it into <code>dist/web</code>.</p>
</body>
</html>
`;
}

/**
 * `GET /`: the web console for people who open the server in a browser (submit, watch, look at
 * the data, download), and its scripts and styles under /assets/, served by the server itself.
 */
export const homeRoutes: FastifyPluginAsyncTypebox<HomeOptions> = async (app, opts) => {
  const dir = findConsole(opts.consoleDir);
  const html = dir ? consolePage(dir, opts.keysRequired) : page(opts.keysRequired);
  if (dir) {
    await app.register(fastifyStatic, {
      root: join(dir, 'assets'),
      prefix: '/assets/',
      // The file names carry no hash (the OpenAPI example of the page stays the same across
      // builds), so browsers revalidate: a 304 on the ETag when nothing changed.
      cacheControl: false,
      setHeaders: (res) => res.header('cache-control', 'no-cache'),
    });
  }
  app.get(
    '/',
    {
      schema: {
        operationId: 'getHome',
        summary: 'The web console: submit, watch and look at jobs; what the service is, where the docs are, how to get a key',
        tags: ['service'],
        querystring: NoQuerySchema,
        response: { 200: { description: 'An HTML page.', content: { 'text/html': { schema: TextSchema } } }, ...problems(400, 500) },
      },
    },
    async (_request, reply) => reply.type('text/html; charset=utf-8').send(html),
  );
};
