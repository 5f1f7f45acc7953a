// docker-compose.yml (cluster mode on one machine) against the Dockerfile, package.json and the
// service's own environment schema. No Docker engine here: this reads the files and checks that
// they agree (the stage each service builds exists and runs what the service expects, every node
// reaches the same Redis, PostgreSQL and dataset volume, the environment is one the code accepts).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadEnv, loadWorkerEnv } from '../../src/env.ts';
import { parseDockerfile } from '../helpers/dockerfile.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Service {
  image?: string;
  build?: string | { context?: string; target?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  ports?: (string | number | { published?: string | number; target?: number })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  deploy?: { replicas?: number };
  healthcheck?: { test?: string | string[] };
  stop_grace_period?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

interface Stage {
  readonly name: string;
  /** The image or earlier stage it starts from. */
  readonly base: string;
  readonly instructions: { op: string; args: string }[];
}

/** The Dockerfile's stages. */
async function dockerStages(): Promise<Stage[]> {
  const stages: Stage[] = [];
  for (const { op, args } of await parseDockerfile()) {
    if (op === 'FROM') {
      const from = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(args);
      stages.push({ base: from?.[1] as string, name: from?.[2] ?? `stage${stages.length}`, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ op, args });
    }
  }
  return stages;
}

/** The last value of `op` in a stage, else in the stage it is built FROM, and so on. */
function inherited(stages: Stage[], name: string, op: string): string | undefined {
  const stage = stages.find((s) => s.name === name);
  if (!stage) return undefined;
  const own = stage.instructions.filter((i) => i.op === op).pop();
  return own?.args ?? inherited(stages, stage.base, op);
}

/** A stage's CMD, exec form (`["node", "x.js"]`). */
function stageCmd(stages: Stage[], name: string): string[] | undefined {
  const cmd = inherited(stages, name, 'CMD');
  return cmd === undefined ? undefined : (JSON.parse(cmd) as string[]);
}

async function compose(): Promise<Compose> {
  // Docker Compose merges `<<:` keys (YAML 1.1); the file uses them for the shared environment.
  return parse(await readFile(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as Compose;
}

function environment(s: Service): Record<string, string> {
  const env = s.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v ?? '')]));
}

const targetOf = (s: Service): string | undefined => (typeof s.build === 'object' ? s.build.target : undefined);
const argv = (c: string | string[]): string[] => (Array.isArray(c) ? c : c.split(/\s+/));

/** What a service runs: its command, else its build target's CMD. */
function commandOf(s: Service, stages: Stage[]): string[] | undefined {
  if (s.command !== undefined) return argv(s.command);
  const target = targetOf(s);
  return target ? stageCmd(stages, target) : undefined;
}

const SERVER = ['node', 'dist/server.js'];
const WORKER = ['node', 'dist/cli/worker.js'];

/** The services running the API and the worker, by what they run. */
async function roles(): Promise<{ file: Compose; stages: Stage[]; apis: [string, Service][]; workers: [string, Service][] }> {
  const [file, stages] = await Promise.all([compose(), dockerStages()]);
  const entries = Object.entries(file.services);
  const runs = (cmd: string[]) => entries.filter(([, s]) => JSON.stringify(commandOf(s, stages)) === JSON.stringify(cmd));
  return { file, stages, apis: runs(SERVER), workers: runs(WORKER) };
}

test('the compose file has two API nodes running node dist/server.js and a scalable worker running node dist/cli/worker.js', async () => {
  const { apis, workers } = await roles();
  assert.ok(apis.length >= 2, `two API services at least, found ${apis.map(([n]) => n).join(', ') || 'none'}`);
  assert.equal(workers.length, 1, 'one worker service (scaled by replicas)');
  const [, worker] = workers[0] as [string, Service];
  assert.deepEqual(worker.command, WORKER, 'the worker command is spelled out in the compose file');
  assert.ok((worker.deploy?.replicas ?? 1) >= 2, 'several worker replicas by default');
  // Replicas of one service cannot share a host port: `--scale worker=N` would fail.
  assert.equal(worker.ports, undefined, 'no host port on the worker');

  // Each API node on its own host port, forwarded to the port it listens on.
  const published = apis.map(([name, s]) => {
    const env = environment(s);
    const port = s.ports?.[0];
    assert.equal(typeof port, 'string', `${name} publishes a port`);
    const [host, container] = (port as string).split(':');
    assert.equal(container, env.PORT ?? '3000', `${name} publishes the port it listens on`);
    assert.equal(env.HOST, '0.0.0.0', `${name} listens on every interface of its container`);
    return host;
  });
  assert.deepEqual(published.slice(0, 2), ['3000', '3002']);
  assert.equal(new Set(published).size, published.length, 'distinct host ports');
});

test('every API node and worker reaches the compose file’s Redis and PostgreSQL and mounts one dataset volume at MELT_DATA_DIR', async () => {
  const { file, apis, workers } = await roles();
  const byImage = (prefix: string): string[] => Object.entries(file.services).filter(([, s]) => s.image?.split(':')[0] === prefix).map(([n]) => n);
  const [redisName] = byImage('redis');
  const [pgName] = byImage('postgres');
  assert.ok(redisName && pgName, 'redis and postgres services');
  const pgEnv = environment(file.services[pgName] as Service);
  const dataVolumes = new Set<string>();
  for (const [name, s] of [...apis, ...workers]) {
    const env = environment(s);
    const redis = new URL(env.MELT_REDIS_URL ?? '');
    assert.equal(redis.protocol, 'redis:', `${name}: MELT_REDIS_URL`);
    assert.equal(redis.hostname, redisName, `${name}: MELT_REDIS_URL points at the redis service`);
    assert.equal(redis.port || '6379', '6379');
    const db = new URL(env.MELT_DATABASE_URL ?? '');
    assert.match(db.protocol, /^postgres(ql)?:$/, `${name}: MELT_DATABASE_URL`);
    assert.equal(db.hostname, pgName, `${name}: MELT_DATABASE_URL points at the postgres service`);
    assert.equal(db.port || '5432', '5432');
    // The credentials and database the postgres service creates.
    assert.equal(db.username, pgEnv.POSTGRES_USER, `${name}: database user`);
    assert.equal(decodeURIComponent(db.password), pgEnv.POSTGRES_PASSWORD, `${name}: database password`);
    assert.equal(db.pathname.slice(1), pgEnv.POSTGRES_DB ?? pgEnv.POSTGRES_USER, `${name}: database name`);

    const dataDir = env.MELT_DATA_DIR;
    assert.ok(dataDir?.startsWith('/'), `${name}: an absolute MELT_DATA_DIR`);
    const mounts = (s.volumes ?? []).map((v) => (typeof v === 'string' ? { source: v.split(':')[0], target: v.split(':')[1] } : v));
    const data = mounts.find((m) => m.target === dataDir);
    assert.ok(data?.source, `${name}: a volume mounted at MELT_DATA_DIR (${dataDir})`);
    assert.ok(file.volumes && data.source in file.volumes, `${name}: ${data.source} is a named volume of the file, not a host folder`);
    dataVolumes.add(data.source);

    // Both stores must be up before a node starts (the migrations run at start).
    const deps = s.depends_on as Record<string, { condition?: string }>;
    assert.equal(deps?.[redisName]?.condition, 'service_healthy', `${name} waits for redis`);
    assert.equal(deps?.[pgName]?.condition, 'service_healthy', `${name} waits for postgres`);
  }
  assert.deepEqual([...dataVolumes], ['meltgen-data'], 'one shared dataset volume');
  assert.equal(new Set([...apis, ...workers].map(([, s]) => environment(s).MELT_QUEUE_PREFIX ?? 'meltgen')).size, 1, 'one queue prefix');

  // Redis as production wants it; PostgreSQL's healthcheck is pg_isready.
  const redisCmd = argv((file.services[redisName] as Service).command ?? []).join(' ');
  assert.match(redisCmd, /--maxmemory-policy noeviction/);
  assert.match(redisCmd, /--appendonly yes/);
  assert.match(argv((file.services[pgName] as Service).healthcheck?.test ?? []).join(' '), /pg_isready/);
});

test('the services’ environments are ones the API and the worker accept, and SIGTERM’s grace fits in stop_grace_period', async () => {
  const { apis, workers } = await roles();
  for (const [name, s] of apis) {
    const env = loadEnv(environment(s));
    assert.ok(env.MELT_REDIS_URL && env.MELT_DATABASE_URL, `${name} is in cluster mode`);
  }
  for (const [name, s] of workers) {
    const env = loadWorkerEnv(environment(s));
    assert.equal(env.MELT_DATA_DIR, '/data', name);
  }
  for (const [name, s] of [...apis, ...workers]) {
    const grace = Number(environment(s).MELT_SHUTDOWN_GRACE_SECONDS ?? 30);
    const stop = /^(\d+)s$/.exec(s.stop_grace_period ?? '10s');
    assert.ok(stop && Number(stop[1]) > grace, `${name}: stop_grace_period ${s.stop_grace_period ?? '10s (default)'} > ${grace} s, or Docker kills the days in flight`);
  }
});

test('the Dockerfile has the targets the compose file builds; the API is the default stage; the worker stage runs what compose runs', async () => {
  const { file, stages, apis, workers } = await roles();
  const names = stages.map((s) => s.name);
  for (const [name, s] of Object.entries(file.services)) {
    const target = targetOf(s);
    if (s.build === undefined) continue;
    assert.ok(target, `${name} names a build target`);
    assert.ok(names.includes(target), `${name}: the Dockerfile has a stage named ${target} (stages: ${names.join(', ')})`);
  }
  assert.equal(targetOf((apis[0] as [string, Service])[1]), 'api');
  assert.equal(targetOf((workers[0] as [string, Service])[1]), 'worker');
  // `docker build .` without --target builds the last stage: it must stay the API.
  assert.equal(stages.at(-1)?.name, 'api');
  assert.deepEqual(stageCmd(stages, 'api'), SERVER);
  assert.deepEqual(stageCmd(stages, 'worker'), WORKER);
  assert.deepEqual(argv((workers[0] as [string, Service])[1].command ?? []), stageCmd(stages, 'worker'), 'compose runs the worker stage’s CMD');
  for (const target of ['api', 'worker']) {
    const user = inherited(stages, target, 'USER');
    assert.ok(user && user !== 'root' && user !== '0', `${target} runs as a non-root user`);
    assert.match(inherited(stages, target, 'HEALTHCHECK') ?? '', /\/healthz/, `${target} has a HEALTHCHECK on /healthz`);
  }
  assert.match(inherited(stages, 'worker', 'HEALTHCHECK') ?? '', /MELT_WORKER_PORT/, 'the worker’s HEALTHCHECK calls the worker’s port');
  assert.match(inherited(stages, 'worker', 'ENV') ?? '', /MELT_WORKER_PORT=3001/);
  assert.match(inherited(stages, 'worker', 'EXPOSE') ?? '', /^3001$/);
  // The compiled entry points come from these sources (tsconfig.build.json: src → dist).
  for (const cmd of [SERVER, WORKER]) {
    const source = (cmd[1] as string).replace(/^dist\//, 'src/').replace(/\.js$/, '.ts');
    assert.ok(existsSync(join(ROOT, source)), `${source} exists`);
  }
});

test('package.json: `npm start` runs dist/server.js and `npm run worker` runs dist/cli/worker.js, as the images do', async () => {
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.equal(pkg.scripts.start, SERVER.join(' '));
  assert.equal(pkg.scripts.worker, WORKER.join(' '));
});
