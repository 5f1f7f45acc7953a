// `npm run worker`: a worker node of a cluster. Reads the environment once, renders day tasks from
// the cluster's queue until SIGTERM, and serves its own GET /metrics and GET /healthz.
import { createServer } from 'node:http';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { pino } from 'pino';
import { EnvError, loadWorkerEnv, type WorkerEnv } from '../env.ts';
import { DEFAULT_CLUSTER } from '../jobs/cluster-queue.ts';
import { createClusterWorker } from '../jobs/cluster-worker.ts';
import { createPgJobStore } from '../storage/pg-job-store.ts';
import { GENERATOR_VERSION } from '../version.ts';

let env: WorkerEnv;
try {
  env = loadWorkerEnv(process.env);
} catch (e) {
  if (!(e instanceof EnvError)) throw e;
  process.stderr.write(`meltgen worker: ${e.message}\n`);
  process.exit(2);
}

const log = pino({ level: env.LOG_LEVEL, base: { role: 'worker', pid: process.pid } });
const concurrency = env.MELT_WORKER_CONCURRENCY ?? availableParallelism();
const store = await createPgJobStore(env.MELT_DATABASE_URL as string, Math.max(4, concurrency + 2));
const worker = createClusterWorker({
  store,
  dataDir: resolve(env.MELT_DATA_DIR),
  cluster: { ...DEFAULT_CLUSTER, redisUrl: env.MELT_REDIS_URL as string, prefix: env.MELT_QUEUE_PREFIX, attempts: env.MELT_TASK_ATTEMPTS },
  concurrency,
  minFreeBytes: env.MELT_MIN_FREE_BYTES,
  lockDurationMs: env.MELT_TASK_LOCK_SECONDS * 1000,
  stalledIntervalMs: env.MELT_STALLED_CHECK_SECONDS * 1000,
  log,
});

const http = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && path === '/metrics') {
    worker.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': worker.registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  } else if (req.method === 'GET' && path === '/healthz') {
    worker.healthy().then((h) => res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: h.ok ? 'ok' : 'unavailable', version: GENERATOR_VERSION, ...h })));
  } else {
    res.writeHead(404, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404, code: 'NOT_FOUND', detail: 'A worker serves GET /metrics and GET /healthz only.' }));
  }
});
http.listen(env.MELT_WORKER_PORT, env.HOST, () => {
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : env.MELT_WORKER_PORT;
  log.info({ concurrency, port, prefix: env.MELT_QUEUE_PREFIX }, `meltgen worker is up: ${concurrency} render threads; metrics at http://${env.HOST}:${port}/metrics`);
});

let closing = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down: no new tasks; the days in flight finish and are recorded');
    worker
      .close(env.MELT_SHUTDOWN_GRACE_SECONDS * 1000)
      .then(() => store.close())
      .then(
        () => {
          http.close();
          log.info({}, 'worker stopped');
          process.exit(0);
        },
        (err: unknown) => {
          log.error({ err: (err as Error).message }, 'shutdown failed');
          process.exit(1);
        },
      );
  });
}
