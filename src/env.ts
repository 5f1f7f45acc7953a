import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Type, Value, type Static } from './typebox.ts';
import { parseAllowlist } from './sinks/destination-guard.ts';

/** The service's settings, from environment variables; checked once, at start. */
export const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000, description: 'TCP port to listen on.' }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1', description: 'Address to listen on; 0.0.0.0 for every interface (the Docker image sets it).' }),
  MELT_DATA_DIR: Type.String({ minLength: 1, default: './data', description: 'Where the job database and the datasets live.' }),
  MELT_MAX_CONCURRENT_JOBS: Type.Integer({ minimum: 1, maximum: 64, default: 1, description: 'Jobs generated at the same time; the rest wait in order.' }),
  MELT_THREADS_PER_JOB: Type.Optional(Type.Integer({ minimum: 1, maximum: 64, description: 'Threads rendering one job’s days in parallel; default: the machine’s cores.' })),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
  MELT_API_KEYS: Type.Optional(Type.String({ description: 'Comma-separated API keys, each `name:key` or a bare key.' })),
  MELT_API_KEYS_FILE: Type.Optional(Type.String({ minLength: 1, description: 'A file of API keys, one per line: `name key` or a bare key; # comments.' })),
  MELT_BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, maximum: 16 * 1024 * 1024, default: 1024 * 1024 }),
  MELT_SINK_ALLOWLIST: Type.String({
    default: '',
    description: 'Destinations replays and streams may push to: comma-separated host:port patterns (`vm.internal:8428`, `*.example.com:443`). Empty: none. Internal addresses only by exact name.',
  }),
  MELT_PREDICTIONS_LIMIT_BYTES: Type.Integer({
    minimum: 1024,
    maximum: 1024 ** 3,
    default: 64 * 1024 * 1024,
    description: 'Largest prediction document POST /v1/jobs/{id}/evaluations takes (a year of flagged host-intervals is tens of MB).',
  }),
  MELT_MAX_HOSTS: Type.Integer({ minimum: 1, maximum: 12_800, default: 1000, description: 'Most hosts (the sum of every service’s hosts) a job may simulate.' }),
  MELT_MAX_JOB_BYTES: Type.Number({ minimum: 1, default: 20e9, description: 'Largest estimated dataset a job may write.' }),
  MELT_QUOTA_CONCURRENT_JOBS: Type.Integer({ minimum: 1, default: 4, description: 'Queued plus running jobs per key.' }),
  MELT_QUOTA_STORED_BYTES: Type.Number({ minimum: 1, default: 50e9, description: 'Bytes of datasets per key, written plus still to write.' }),
  MELT_QUOTA_CONCURRENT_STREAMS: Type.Integer({ minimum: 1, default: 2, description: 'Running replays plus live streams per key.' }),
  MELT_MAX_STREAMS: Type.Integer({ minimum: 1, default: 8, description: 'Running replays plus live streams on the whole server (each holds a thread).' }),
  MELT_RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, default: 600, description: 'Requests per minute per key on /v1.' }),
  MELT_RETENTION_HOURS: Type.Number({ exclusiveMinimum: 0, default: 168, description: 'Datasets expire this long after their job finished.' }),
  MELT_MIN_FREE_BYTES: Type.Number({ minimum: 0, default: 1024 ** 3, description: 'Disk space kept free: a job that would go below fails cleanly.' }),
  MELT_SHUTDOWN_GRACE_SECONDS: Type.Number({ minimum: 0, default: 30, description: 'On SIGTERM, how long the day in flight may take to finish.' }),
  MELT_REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://', description: 'Cluster mode (with MELT_DATABASE_URL): the Redis of the BullMQ queues, e.g. redis://redis:6379/0.' })),
  MELT_DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://', description: 'Cluster mode (with MELT_REDIS_URL): the PostgreSQL of jobs and file records, e.g. postgres://meltgen@db:5432/meltgen.' })),
  MELT_QUEUE_PREFIX: Type.String({ pattern: '^[A-Za-z0-9_{}-]{1,40}$', default: 'meltgen', description: 'Cluster mode: the BullMQ key prefix (several deployments can share one Redis; a hash tag such as {meltgen} keeps every key in one slot of a Redis Cluster).' }),
  MELT_NODE_NAME: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$', description: 'Cluster mode: this API node’s name; its replays and streams are recorded under MELT_DATA_DIR/nodes/<name>/. Default: the host name.' })),
  MELT_RECONCILE_SECONDS: Type.Number({ minimum: 0.5, default: 15, description: 'Cluster mode: how often an API node checks that Redis holds the work PostgreSQL says is left (and re-enqueues it after Redis lost its data).' }),
  MELT_TASK_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 20, default: 5, description: 'Cluster mode: attempts per day task before its job fails; retries wait 2, 4, 8, 16 s…, so 5 rides out a PostgreSQL or Redis outage of about 30 s.' }),
});

/** A worker node's settings: the service's, plus its own. */
export const WorkerEnvSchema = Type.Object({
  ...EnvSchema.properties,
  MELT_WORKER_CONCURRENCY: Type.Optional(Type.Integer({ minimum: 1, maximum: 256, description: 'Day tasks a worker renders at once (one thread each); default: the machine’s cores.' })),
  MELT_WORKER_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3001, description: 'Port of a worker’s GET /metrics and GET /healthz.' }),
  MELT_TASK_LOCK_SECONDS: Type.Number({ minimum: 1, default: 30, description: 'A task’s lock: renewed every half of it while its worker lives; a killed worker’s task is re-run after it expires.' }),
  MELT_STALLED_CHECK_SECONDS: Type.Number({ minimum: 1, default: 30, description: 'How often a worker looks for tasks whose lock expired (stalled) to re-run them.' }),
});

export type WorkerEnv = Static<typeof WorkerEnvSchema>;

export type ServiceEnv = Static<typeof EnvSchema>;

/** Thrown at start when a variable is invalid; the message names each one. */
export class EnvError extends Error {
  override readonly name = 'EnvError';
}

/** Reads the settings from `env`, filling defaults; throws EnvError naming every bad variable. */
export function loadEnv(env: Record<string, string | undefined>): ServiceEnv {
  return loadWith(EnvSchema, env);
}

/** A worker node's settings; both cluster URLs are required. */
export function loadWorkerEnv(env: Record<string, string | undefined>): WorkerEnv {
  const value = loadWith(WorkerEnvSchema, env);
  if (!value.MELT_REDIS_URL || !value.MELT_DATABASE_URL) throw new EnvError('a worker needs MELT_REDIS_URL and MELT_DATABASE_URL (the cluster it works for)');
  return value;
}

function loadWith<S extends typeof EnvSchema | typeof WorkerEnvSchema>(schema: S, env: Record<string, string | undefined>): Static<S> {
  const known = Object.keys(schema.properties);
  const picked: Record<string, unknown> = {};
  for (const k of known) if (env[k] !== undefined && env[k] !== '') picked[k] = env[k];
  // Convert may change its argument in place; keep the raw text for the messages.
  const value = Value.Default(schema, Value.Convert(schema, { ...picked }));
  const errors = [...Value.Errors(schema, value)];
  if (errors.length > 0) {
    const lines = errors.map((e) => `${e.instancePath.slice(1) || '(env)'}=${JSON.stringify(picked[e.instancePath.slice(1)] ?? '')}: ${e.message}`);
    throw new EnvError(`invalid environment: ${lines.join('; ')}`);
  }
  const v = value as ServiceEnv;
  try {
    parseAllowlist(v.MELT_SINK_ALLOWLIST);
  } catch (e) {
    throw new EnvError(`invalid environment: ${(e as Error).message}`);
  }
  if (Boolean(v.MELT_REDIS_URL) !== Boolean(v.MELT_DATABASE_URL)) {
    throw new EnvError('invalid environment: cluster mode needs both MELT_REDIS_URL and MELT_DATABASE_URL (set neither for the embedded mode)');
  }
  return value as Static<S>;
}

/** An API key and the name its jobs are owned by. */
export interface ApiKey {
  readonly name: string;
  readonly key: string;
}

function parseKey(entry: string, sep: RegExp): ApiKey {
  const parts = entry.trim().split(sep);
  if (parts.length >= 2 && parts[0] && parts[1]) return { name: parts[0], key: parts.slice(1).join(':') };
  // A bare key is named after a hash of itself, never after the key.
  return { name: `key-${createHash('sha256').update(entry.trim()).digest('hex').slice(0, 8)}`, key: entry.trim() };
}

/** The API keys from MELT_API_KEYS and MELT_API_KEYS_FILE; empty means the server runs open. */
export function loadApiKeys(env: ServiceEnv): ApiKey[] {
  const keys: ApiKey[] = [];
  if (env.MELT_API_KEYS) for (const e of env.MELT_API_KEYS.split(',')) if (e.trim()) keys.push(parseKey(e, /:/));
  if (env.MELT_API_KEYS_FILE) {
    let text: string;
    try {
      text = readFileSync(env.MELT_API_KEYS_FILE, 'utf8');
    } catch (e) {
      throw new EnvError(`MELT_API_KEYS_FILE: cannot read ${env.MELT_API_KEYS_FILE}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    for (const line of text.split('\n')) {
      const l = line.trim();
      if (l && !l.startsWith('#')) keys.push(parseKey(l, /\s+/));
    }
  }
  const short = keys.filter((k) => k.key.length < 16);
  if (short.length > 0) throw new EnvError(`API keys must be at least 16 characters (${short.map((k) => k.name).join(', ')})`);
  const names = new Set<string>();
  for (const k of keys) {
    if (names.has(k.name)) throw new EnvError(`API key name ${k.name} is used twice`);
    names.add(k.name);
  }
  return keys;
}
