// Real cluster processes for the tests: API nodes (`src/server.ts`) and workers
// (`src/cli/worker.ts`) as child processes against the machine's Redis and PostgreSQL, with their
// pino log lines parsed so a test can wait for "worker 2 started day 3 of job X".
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { fileURLToPath } from 'node:url';
import { nodeArgs } from './compiled.ts';
import { freePort } from './servers.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The machine's Redis (or MELT_TEST_REDIS_URL), without a db number: tests pick theirs. */
const REDIS = process.env.MELT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A parsed log line. */
export type LogLine = Record<string, unknown> & { msg?: string; jobId?: string; day?: number | string; task?: string; pid?: number };

export interface ClusterProcess {
  readonly kind: 'api' | 'worker';
  readonly name: string;
  readonly child: ChildProcess;
  /** http://127.0.0.1:<port>: the API, or the worker's metrics and health port. */
  readonly url: string;
  readonly lines: LogLine[];
  /** Resolves with the first line (past or future) that matches; rejects after `ms`. */
  waitForLine(match: (l: LogLine) => boolean, ms?: number): Promise<LogLine>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

/**
 * Starts an API node or a worker with `env` on free ports and waits until it is up. Killed when
 * `cleanup` runs (the test file's `after`).
 */
export async function startProcess(kind: 'api' | 'worker', name: string, env: Record<string, string>, cleanup: Array<() => unknown>, started?: ClusterProcess[]): Promise<ClusterProcess> {
  const port = await freePort();
  const entry = kind === 'api' ? 'src/server.ts' : 'src/cli/worker.ts';
  const child = spawn(process.execPath, nodeArgs(entry), {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'info', ...(kind === 'api' ? { PORT: String(port), MELT_NODE_NAME: name } : { MELT_WORKER_PORT: String(port) }), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const waiters: Array<{ match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }> = [];
  let out = '';
  let partial = '';
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    out += text;
    partial += text;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const raw of parts) {
      if (!raw.startsWith('{')) continue;
      let line: LogLine;
      try {
        line = JSON.parse(raw) as LogLine;
      } catch {
        continue;
      }
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.match(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const proc: ClusterProcess = {
    kind,
    name,
    child,
    url: `http://127.0.0.1:${port}`,
    lines,
    output: () => out,
    exited,
    waitForLine(match, ms = 60_000) {
      const seen = lines.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no matching log line in ${ms} ms; output:\n${out.slice(-3000)}`)), ms);
        waiters.push({
          match,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      });
    },
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  cleanup.push(() => proc.kill('SIGKILL'));
  started?.push(proc);
  const up = kind === 'api' ? (l: LogLine) => /Server listening at/.test(l.msg ?? '') : (l: LogLine) => /worker is up/.test(l.msg ?? '');
  await Promise.race([
    proc.waitForLine(up, 60_000),
    exited.then(({ code }) => {
      throw new Error(`${name} exited with ${code} before it was up:\n${out}`);
    }),
  ]);
  return proc;
}

/**
 * A Redis URL of the test's own on the machine's Redis: a db number and a key prefix no other run
 * uses; the prefix's keys are deleted at cleanup. Null (the test skipped, saying why) when Redis is
 * not reachable, except in CI, where it must be.
 */
export async function privateRedis(t: { skip: (m: string) => void }, cleanup: Array<() => unknown>): Promise<{ url: string; prefix: string } | null> {
  const db = 7;
  const url = `${REDIS}/${db}`;
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
  } catch (e) {
    probe.disconnect();
    const why = `Redis is not reachable at ${REDIS}: ${(e as Error).message}`;
    if (process.env.CI) throw new Error(`${why} (CI runs the cluster tests against the machine's Redis)`);
    t.skip(why);
    return null;
  }
  const prefix = `mt${process.pid}${Math.random().toString(36).slice(2, 7)}`;
  cleanup.push(async () => {
    let cursor = '0';
    do {
      const [next, keys] = await probe.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await probe.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    probe.disconnect();
  });
  return { url, prefix };
}

/** A redis-server process of the test's own (it is restarted by the test), on a free port. */
export async function startRedisServer(port: number, cleanup: Array<() => unknown>): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  cleanup.push(stop);
  const url = `redis://127.0.0.1:${port}/0`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const probe = new Redis(url, { lazyConnect: true, connectTimeout: 500, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return { url, stop };
    } catch {
      probe.disconnect();
      if (Date.now() > deadline) throw new Error(`redis-server did not start on ${port}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** A JSON request to a node, with a key. */
export async function call(base: string, key: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${key}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Polls a job on a node until `until` holds; waits out a 429; fails after `ms`. */
export async function pollJob(base: string, key: string, id: string, until: (j: Record<string, unknown>) => boolean, ms = 120_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const res = await call(base, key, `/v1/jobs/${id}`);
    if (res.status === 200 && until(res.body)) return res.body;
    if (res.status !== 200 && res.status !== 429) throw new Error(`GET job ${id}: ${res.status} ${JSON.stringify(res.body)}`);
    if (Date.now() > deadline) throw new Error(`job ${id} stuck: ${JSON.stringify(res.body).slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 700));
  }
}
