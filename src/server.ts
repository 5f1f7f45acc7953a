// Starts the service: reads the environment once, builds the app and listens. Nothing else.
import { buildApp } from './app.ts';
import { EnvError, loadApiKeys, loadEnv, type ApiKey, type ServiceEnv } from './env.ts';
import { limitsFromEnv } from './limits.ts';
import { parseAllowlist } from './sinks/destination-guard.ts';

let env: ServiceEnv;
let apiKeys: ApiKey[];
try {
  env = loadEnv(process.env);
  apiKeys = loadApiKeys(env);
} catch (e) {
  if (!(e instanceof EnvError)) throw e;
  process.stderr.write(`meltgen: ${e.message}\n`);
  process.exit(2);
}

const app = await buildApp({
  dataDir: env.MELT_DATA_DIR,
  maxConcurrentJobs: env.MELT_MAX_CONCURRENT_JOBS,
  threadsPerJob: env.MELT_THREADS_PER_JOB,
  apiKeys,
  limits: limitsFromEnv(env),
  sinkAllowlist: parseAllowlist(env.MELT_SINK_ALLOWLIST),
  ...(env.MELT_REDIS_URL && env.MELT_DATABASE_URL
    ? { cluster: { redisUrl: env.MELT_REDIS_URL, databaseUrl: env.MELT_DATABASE_URL, prefix: env.MELT_QUEUE_PREFIX, attempts: env.MELT_TASK_ATTEMPTS, reconcileIntervalMs: env.MELT_RECONCILE_SECONDS * 1000, ...(env.MELT_NODE_NAME ? { nodeName: env.MELT_NODE_NAME } : {}) } }
    : {}),
  logger: { level: env.LOG_LEVEL },
});

let closing = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: no new requests; the days in flight finish, progress is recorded');
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}

const address = await app.listen({ port: env.PORT, host: env.HOST });
// The URL people can open: a wildcard address is reached as localhost.
const home = address.replace('://0.0.0.0', '://localhost').replace('://[::]', '://localhost');
app.log.info({ docs: `${home}/docs`, openapi: `${home}/openapi.json` }, `meltgen is up: open ${home}/ (API docs at ${home}/docs)`);
if (apiKeys.length > 0) app.log.info({ keys: apiKeys.map((k) => k.name) }, 'API keys loaded');
