// `npm run bench`: the performance figures of issue 5 on this machine. Not a test: it asserts
// nothing, it measures and prints a table (and writes it as JSON next to docs/PERFORMANCE.md when
// --json FILE is given). Every server it starts listens on 127.0.0.1 only.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
// The same servers the tests start (Debian's packages, a free port, a fresh folder).
import { freePort, launchPlatform } from '../test/helpers/servers.ts';
import pg from 'pg';
import { createHash } from 'node:crypto';

const run = promisify(execFile);
// The production path: the compiled dist/ (npm run bench builds it first).
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

interface Row {
  case: string;
  wall_s?: number;
  mb?: number;
  mb_per_s?: number;
  records_per_s?: number;
  peak_rss_mb?: number;
  p50_ms?: number;
  p99_ms?: number;
  note?: string;
}
const rows: Row[] = [];

async function datasetSize(dir: string): Promise<{ bytes: number; records: number }> {
  let bytes = 0;
  let records = 0;
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || !e.name.endsWith('.json') || e.parentPath.endsWith('metadata')) continue;
    const path = join(e.parentPath, e.name);
    bytes += (await stat(path)).size;
    // One record per line between '[' and ']'.
    const text = readFileSync(path, 'latin1');
    let lines = 0;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
    records += Math.max(0, lines - 2);
  }
  return { bytes, records };
}

/** Runs the compiled CLI into a fresh folder: its melt_data, the wall time and the peak RSS. */
async function generateTimed(args: string[]): Promise<{ out: string; dir: string; wall: number; rss: number | undefined }> {
  const out = await mkdtemp(join(tmpdir(), 'meltgen-bench-'));
  const cmd = [process.execPath, 'dist/cli/generate.js', '--out', join(out, 'melt_data'), '--seed', '42', '--quiet', ...args];
  const started = performance.now();
  const { stderr } = TIME ? await run(TIME, ['-f', '%M', ...cmd], { cwd: ROOT, maxBuffer: 1 << 26 }) : await run(cmd[0] as string, cmd.slice(1), { cwd: ROOT, maxBuffer: 1 << 26 });
  const wall = (performance.now() - started) / 1000;
  const rss = TIME ? Number(stderr.trim().split('\n').pop()) / 1024 : undefined;
  return { out, dir: join(out, 'melt_data'), wall, rss };
}

async function cli(name: string, args: string[]): Promise<void> {
  const { out, wall, rss } = await generateTimed(args);
  const { bytes, records } = await datasetSize(join(out, 'melt_data'));
  rows.push({ case: name, wall_s: wall, mb: bytes / 1e6, mb_per_s: bytes / 1e6 / wall, records_per_s: records / wall, peak_rss_mb: rss });
  await rm(out, { recursive: true, force: true });
}

interface Server {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

async function server(dataDir: string, env: Record<string, string> = {}): Promise<Server> {
  const child = spawn(process.execPath, ['dist/server.js'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', MELT_DATA_DIR: dataDir, LOG_LEVEL: 'info', MELT_RATE_LIMIT_PER_MINUTE: '1000000', MELT_QUOTA_CONCURRENT_JOBS: '100', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    let found = false;
    const onData = (c: Buffer): void => {
      if (found) return; // the request logs are read and dropped
      out += c.toString();
      const m = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        found = true;
        resolve(m[1] as string);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  return {
    url,
    pid: child.pid as number,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Peak resident memory of a process so far (Linux), in MB. */
function peakRss(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function postJob(base: string, config: object): Promise<string> {
  const res = await fetch(`${base}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(config) });
  if (res.status !== 202) throw new Error(`POST ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

async function waitJob(base: string, id: string, until: (j: { status: string; progress: { daysDone: number } }) => boolean, everyMs = 10): Promise<void> {
  for (;;) {
    const j = (await (await fetch(`${base}/v1/jobs/${id}`)).json()) as { status: string; progress: { daysDone: number } };
    if (until(j)) return;
    if (j.status === 'failed') throw new Error(`job ${id} failed`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Load from a process of its own at nice 5: below the server's event loop (nice 0), so the loader
 * does not take its core, and above the generation threads (nice 10, src/jobs/thread-priority.ts),
 * so the loader's own event loop is not starved by them and its clock measures the server, not
 * itself. `connections` requests are in flight at most; autocannon paces them to `rate` per second.
 */
async function load(url: string, rate: number, seconds: number, connections = 10): Promise<{ p50: number; p99: number; errors: number; non2xx: number }> {
  const { stdout } = await run('nice', ['-n', '5', process.execPath, join(ROOT, 'node_modules/autocannon/autocannon.js'), '-c', String(connections), '-R', String(rate), '-d', String(seconds), '-j', url], { maxBuffer: 1 << 26 });
  const r = JSON.parse(stdout) as { latency: { p50: number; p99: number }; errors: number; non2xx: number };
  return { p50: r.latency.p50, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx };
}

async function service(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'meltgen-bench-svc-'));
  const s = await server(dataDir);
  try {
    const started = performance.now();
    const id = await postJob(s.url, { seed: 42 });
    await waitJob(s.url, id, (j) => j.status === 'succeeded');
    const wall = (performance.now() - started) / 1000;
    const files = (await (await fetch(`${s.url}/v1/jobs/${id}/files`)).json()) as { totalBytes: number };
    rows.push({ case: 'service: full year, POST -> succeeded', wall_s: wall, mb: files.totalBytes / 1e6, mb_per_s: files.totalBytes / 1e6 / wall, peak_rss_mb: peakRss(s.pid) });

    const t0 = performance.now();
    const res = await fetch(`${s.url}/v1/jobs/${id}/archive`);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let first = 0;
    let zipBytes = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!first) first = performance.now() - t0;
      zipBytes += value.length;
    }
    const secs = (performance.now() - t0) / 1000;
    rows.push({ case: 'archive download, full year (fast)', wall_s: secs, mb: files.totalBytes / 1e6, mb_per_s: files.totalBytes / 1e6 / secs, note: `first byte ${first.toFixed(0)} ms, zip ${(zipBytes / 1e6).toFixed(0)} MB` });

    // Under load while another full-year job runs.
    const busy = await postJob(s.url, { seed: 43 });
    await waitJob(s.url, busy, (j) => j.progress.daysDone >= 5);
    const status = await load(`${s.url}/v1/jobs/${busy}`, 500, 5);
    rows.push({ case: 'GET /v1/jobs/{id} at 500 req/s, job running', p50_ms: status.p50, p99_ms: status.p99, note: `errors ${status.errors}, non-2xx ${status.non2xx}` });
    const day = await load(`${s.url}/v1/jobs/${id}/files/metrics/2024-07-01`, 50, 5);
    rows.push({ case: 'one day file (metrics) at 50 req/s, job running', p50_ms: day.p50, p99_ms: day.p99, note: `errors ${day.errors}, non-2xx ${day.non2xx}` });
    await fetch(`${s.url}/v1/jobs/${busy}`, { method: 'DELETE' });
  } finally {
    await s.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** A cluster worker (`dist/cli/worker.js`) until stopped; resolves once it is up. */
async function clusterWorker(env: Record<string, string>): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/cli/worker.js'], { cwd: ROOT, env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'warn', MELT_WORKER_PORT: String(port), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`worker exited: ${out}`);
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) break;
    if (i > 300) throw new Error(`worker not up: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, pid: child.pid as number, stop: () => new Promise((resolve) => (child.once('exit', () => resolve()), child.kill('SIGTERM'))) };
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Sums a metric's samples in a Prometheus text page. */
function metricSum(text: string, name: string): number {
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'gm'))) sum += Number(m[1]);
  return sum;
}

/** sha256 of every file of a dataset, in path order. */
async function datasetHash(dir: string): Promise<string> {
  const h = createHash('sha256');
  const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort();
  for (const f of files) h.update(f.slice(dir.length)).update(readFileSync(f));
  return h.digest('hex');
}

/**
 * Cluster mode on this machine (issue 14): the default year through one API node and 1 or 3
 * workers on the machine's Redis and PostgreSQL, against the embedded single node; same bytes; the
 * per-day overhead of the queue.
 */
async function cluster(): Promise<void> {
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  const runOnce = async (label: string, workers: number): Promise<{ wall: number; hash: string }> => {
    const db = `meltgen_bench_${process.pid}_${workers}_${Date.now() % 100000}`;
    await admin.query(`CREATE DATABASE ${db}`);
    const dataDir = await mkdtemp(join(tmpdir(), 'meltgen-bench-cluster-'));
    const env = { MELT_REDIS_URL: 'redis://127.0.0.1:6379/8', MELT_DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${db}`, MELT_QUEUE_PREFIX: `bench${process.pid}${workers}`, MELT_DATA_DIR: dataDir, MELT_MIN_FREE_BYTES: '0' };
    const s = await server(dataDir, env);
    const ws = await Promise.all(Array.from({ length: workers }, () => clusterWorker(env)));
    try {
      // An idle cluster's overhead: a one-day job, enqueue to start and recording, from the workers' metrics.
      const tiny = await postJob(s.url, { seed: 7, days: 1 });
      await waitJob(s.url, tiny, (j) => j.status === 'succeeded');
      const before = await Promise.all(ws.map(async (w) => (await fetch(`${w.url}/metrics`)).text()));
      const waitMs = (before.reduce((a, m) => a + metricSum(m, 'meltgen_worker_task_wait_seconds_sum'), 0) / before.reduce((a, m) => a + metricSum(m, 'meltgen_worker_task_wait_seconds_count'), 0)) * 1000;
      const cpu0 = ws.reduce((a, w) => a + cpuSeconds(w.pid), 0);
      const api0 = cpuSeconds(s.pid);
      const started = performance.now();
      const id = await postJob(s.url, { seed: 42 });
      // Polled every 50 ms in both modes: each poll is a PostgreSQL query here, a SQLite one there.
      await waitJob(s.url, id, (j) => j.status === 'succeeded', 50);
      const wall = (performance.now() - started) / 1000;
      const cpu = ws.reduce((a, w) => a + cpuSeconds(w.pid), 0) - cpu0;
      const apiCpu = cpuSeconds(s.pid) - api0;
      const after = await Promise.all(ws.map(async (w) => (await fetch(`${w.url}/metrics`)).text()));
      const rec = after.reduce((a, m) => a + metricSum(m, 'meltgen_worker_record_seconds_sum'), 0) - before.reduce((a, m) => a + metricSum(m, 'meltgen_worker_record_seconds_sum'), 0);
      const recN = after.reduce((a, m) => a + metricSum(m, 'meltgen_worker_record_seconds_count'), 0) - before.reduce((a, m) => a + metricSum(m, 'meltgen_worker_record_seconds_count'), 0);
      const files = (await (await fetch(`${s.url}/v1/jobs/${id}/files`)).json()) as { totalBytes: number };
      const hash = await datasetHash(join(dataDir, 'jobs', id, 'melt_data'));
      rows.push({ case: label, wall_s: wall, mb: files.totalBytes / 1e6, mb_per_s: files.totalBytes / 1e6 / wall, note: `idle enqueue->start ${waitMs.toFixed(1)} ms; recording ${((rec / Math.max(1, recN)) * 1000).toFixed(1)} ms/day; CPU: workers ${cpu.toFixed(1)} s, API ${apiCpu.toFixed(1)} s; dataset ${hash.slice(0, 12)}` });
      return { wall, hash };
    } finally {
      await Promise.all(ws.map((w) => w.stop()));
      await s.stop();
      await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await run('redis-cli', ['-n', '8', '--scan', '--pattern', `${env.MELT_QUEUE_PREFIX}:*`]).then(({ stdout }) => {
        const keys = stdout.split('\n').filter(Boolean);
        return keys.length > 0 ? run('redis-cli', ['-n', '8', 'del', ...keys]) : undefined;
      });
      await rm(dataDir, { recursive: true, force: true });
    }
  };
  const single = async (): Promise<{ wall: number; hash: string }> => {
    const dataDir = await mkdtemp(join(tmpdir(), 'meltgen-bench-single-'));
    const s = await server(dataDir);
    try {
      const cpu0 = cpuSeconds(s.pid);
      const started = performance.now();
      const id = await postJob(s.url, { seed: 42 });
      await waitJob(s.url, id, (j) => j.status === 'succeeded', 50);
      const wall = (performance.now() - started) / 1000;
      const cpu = cpuSeconds(s.pid) - cpu0;
      const hash = await datasetHash(join(dataDir, 'jobs', id, 'melt_data'));
      rows.push({ case: 'single node: full year, POST -> succeeded', wall_s: wall, note: `CPU ${cpu.toFixed(1)} s; dataset ${hash.slice(0, 12)}` });
      return { wall, hash };
    } finally {
      await s.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  };
  try {
    // Single node and cluster in turn, and the ratio taken pair by pair: the machine's speed drifts
    // by tens of percent between minutes here, and pairing keeps the ratio meaningful.
    const rounds = 5;
    const ratios: number[] = [];
    const walls = { single: [] as number[], one: [] as number[] };
    let reference = '';
    for (let round = 0; round < rounds; round++) {
      const a = await single();
      const b = await runOnce('cluster, 1 worker: full year, POST -> succeeded', 1);
      walls.single.push(a.wall);
      walls.one.push(b.wall);
      ratios.push(b.wall / a.wall);
      reference = a.hash;
      if (b.hash !== a.hash) throw new Error('cluster dataset differs from the single-node one');
    }
    const three = await runOnce('cluster, 3 workers on this machine: full year', 3);
    rows.push({
      case: `cluster / single node (${rounds} pairs)`,
      note: `median ${median(ratios).toFixed(3)}x (pairs ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}); per-day overhead ${(((median(walls.one) - median(walls.single)) / 366) * 1000).toFixed(1)} ms (medians ${median(walls.one).toFixed(2)} / ${median(walls.single).toFixed(2)} s); 3 workers same bytes: ${three.hash === reference}`,
    });
  } finally {
    await admin.end();
  }
}

/** Replay throughput into local VictoriaMetrics and Prometheus, and a live stream's cost to the API. */
async function platforms(): Promise<void> {
  const out = await mkdtemp(join(tmpdir(), 'meltgen-bench-replay-'));
  await run(process.execPath, ['dist/cli/generate.js', '--out', join(out, 'melt_data'), '--seed', '42', '--quiet', '--signals', 'metrics'], { cwd: ROOT, maxBuffer: 1 << 26 });
  const dataset = join(out, 'melt_data');
  for (const [kind, sink, path] of [
    ['victoria-metrics', 'victoriametrics', ''],
    ['prometheus', 'prometheus-remote-write', '/api/v1/write'],
  ] as const) {
    const p = await launchPlatform(kind);
    if (!p) {
      rows.push({ case: `replay, default year into ${kind}`, note: `${kind} is not installed (apt-get install ${kind})` });
      continue;
    }
    try {
      const started = performance.now();
      const { stdout } = await run(process.execPath, ['dist/cli/replay.js', '--sink', sink, '--url', `${p.url}${path}`, '--dataset', dataset], { cwd: ROOT });
      const wall = (performance.now() - started) / 1000;
      const samples = Number(/^(\d+) samples/.exec(stdout)?.[1]);
      // The command's own clock: from its first read to the last answer, without process start and exit.
      const sending = Number(/ in ([\d.]+) s/.exec(stdout)?.[1]);
      rows.push({
        case: `replay, default year into ${kind} (fresh)`,
        wall_s: wall,
        records_per_s: samples / wall,
        note: `${samples.toLocaleString('en')} samples; records/s = samples/s over the whole command; sending alone ${sending} s = ${((samples / sending) / 1e6).toFixed(2)} M/s`,
      });
    } finally {
      await p.stop();
    }
  }
  await rm(out, { recursive: true, force: true });

  // A live stream's cost to the event loop: the API's latency while a stream runs.
  const vm = await launchPlatform('victoria-metrics');
  if (!vm) return;
  const dataDir = await mkdtemp(join(tmpdir(), 'meltgen-bench-stream-'));
  const s = await server(dataDir, { MELT_SINK_ALLOWLIST: new URL(vm.url).host, MELT_QUOTA_CONCURRENT_STREAMS: '10' });
  try {
    // Warm-up: the first POST /v1/streams of a process compiles its response serializer (about
    // 0.1-0.2 s, once); the figures below are a warm server's.
    const warm = (await (await fetch(`${s.url}/v1/streams`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ config: { days: 1 }, sinks: [{ type: 'victoriametrics', url: vm.url }], speed: 1 }) })).json()) as { id: string };
    await fetch(`${s.url}/v1/streams/${warm.id}`, { method: 'DELETE' });
    // The same load with no stream first: a warm server's own figure to compare with.
    // Each route's first answers compile its serializer (a few hundred ms once per process): warmed too.
    await load(`${s.url}/v1/streams`, 500, 3);
    const idle = await load(`${s.url}/v1/streams`, 500, 10);
    rows.push({ case: 'GET /v1/streams at 500 req/s, no stream running', p50_ms: idle.p50, p99_ms: idle.p99, note: `errors ${idle.errors}, non-2xx ${idle.non2xx}` });
    for (const [speed, hosts] of [
      [100, 1],
      [100, 20],
      [10_000, 1],
    ] as const) {
      const res = await fetch(`${s.url}/v1/streams`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ config: { days: 30, seed: 42, hostsPerService: hosts }, sinks: [{ type: 'victoriametrics', url: vm.url }], speed }),
      });
      const id = ((await res.json()) as { id: string }).id;
      await new Promise((r) => setTimeout(r, 1000));
      // Two windows of 10 s: the stream's first seconds (its thread starting, its first day), then its steady state.
      for (const window of ['first 10 s', 'next 10 s']) {
        const l = await load(`${s.url}/v1/streams`, 500, 10);
        const st = (await (await fetch(`${s.url}/v1/streams/${id}`)).json()) as { status: string; progress: { intervalsDone: number; sinks: { samplesSent: number }[] } | null };
        rows.push({
          case: `GET /v1/streams at 500 req/s, stream at ${speed}×, ${hosts * 5} hosts, ${window}`,
          p50_ms: l.p50,
          p99_ms: l.p99,
          note: `${st.progress?.intervalsDone ?? 0} intervals, ${st.progress?.sinks[0]?.samplesSent ?? 0} samples pushed so far; errors ${l.errors}, non-2xx ${l.non2xx}`,
        });
      }
      await fetch(`${s.url}/v1/streams/${id}`, { method: 'DELETE' });
    }
  } finally {
    await s.stop();
    await vm.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Bytes of each format's files in a dataset folder, by the ending after the date. */
async function bytesByFormat(dir: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const m = /_\d{4}-\d{2}-\d{2}(\.[a-z.]+)$/.exec(e.name) ?? /^incident_catalog(\.[a-z]+)$/.exec(e.name);
    const ext = m?.[1] ?? 'other';
    out[ext] = (out[ext] ?? 0) + (await stat(join(e.parentPath, e.name))).size;
  }
  return out;
}

/** The open formats: the default year in every format beside JSON alone, in the same run; sizes; DuckDB loading a year of Parquet metrics. */
async function formats(): Promise<void> {
  const gen = async (name: string, args: string[]): Promise<{ dir: string; wall: number }> => {
    const { dir, wall, rss } = await generateTimed(args);
    const sizes = await bytesByFormat(dir);
    const mb = Object.values(sizes).reduce((a, b) => a + b, 0) / 1e6;
    rows.push({ case: name, wall_s: wall, mb, mb_per_s: mb / wall, peak_rss_mb: rss, note: Object.entries(sizes).map(([k, v]) => `${k} ${(v / 1e6).toFixed(0)}`).join(', ') });
    return { dir, wall };
  };
  const json = await gen('cli: 365 days, json only', []);
  const all = await gen('cli: 365 days, every format', ['--formats', 'json,ndjson,parquet,otlp,openmetrics']);
  const gz = await gen('cli: 365 days, every format, gzip', ['--formats', 'json,ndjson,parquet,otlp,openmetrics', '--compression', 'gzip']);
  const sizes = await bytesByFormat(all.dir);
  const jsonBytes = (sizes['.json'] ?? 0) - (await stat(join(all.dir, 'metadata', 'incident_catalog.json'))).size;
  rows.push({ case: 'every format / json only, wall', note: `${(all.wall / json.wall).toFixed(2)}x (gzip ${(gz.wall / json.wall).toFixed(2)}x); goal 2.5x` });
  rows.push({ case: 'parquet bytes / json bytes', mb: (sizes['.parquet'] ?? 0) / 1e6, note: `${((100 * (sizes['.parquet'] ?? 0)) / jsonBytes).toFixed(1)} % of ${(jsonBytes / 1e6).toFixed(0)} MB; goal 15 %` });
  // DuckDB in a child process, as a user would run it: a year of metrics into a table.
  const script = `import { DuckDBInstance } from '@duckdb/node-api'; const t = performance.now(); const db = await (await DuckDBInstance.create(':memory:')).connect();
    const r = await db.runAndReadAll("CREATE TABLE m AS SELECT * FROM read_parquet('${join(all.dir, 'metrics', '*', '*.parquet')}'); SELECT count(*)::INTEGER AS n FROM m");
    process.stdout.write(JSON.stringify({ n: r.getRowObjectsJS()[0].n, s: (performance.now() - t) / 1000 }));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT });
  const loaded = JSON.parse(stdout) as { n: number; s: number };
  rows.push({ case: 'DuckDB: a year of Parquet metrics into a table', wall_s: loaded.s, records_per_s: loaded.n / loaded.s, note: `${loaded.n} rows; goal < 1 s` });
  for (const d of [json.dir, all.dir, gz.dir]) await rm(join(d, '..'), { recursive: true, force: true });
}

const median = (v: readonly number[]): number => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)] as number;

/** The default year with the original Python script, run in a fresh folder as its README says. */
async function original(script: string): Promise<{ wall: number; rss: number | undefined } | { error: string }> {
  const cwd = await mkdtemp(join(tmpdir(), 'meltgen-bench-original-'));
  try {
    const started = performance.now();
    const cmd = ['python3', script];
    const { stderr } = TIME ? await run(TIME, ['-f', '%M', ...cmd], { cwd, maxBuffer: 1 << 28 }) : await run(cmd[0] as string, cmd.slice(1), { cwd, maxBuffer: 1 << 28 });
    const wall = (performance.now() - started) / 1000;
    return { wall, rss: TIME ? Number(stderr.trim().split('\n').pop()) / 1024 : undefined };
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    return { error: (err.stderr || err.message).trim().split('\n').slice(-1)[0] ?? 'failed' };
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}

/** The default year through the service: POST to succeeded, polled every 50 ms. */
async function serviceYear(env: Record<string, string> = {}): Promise<number> {
  const dataDir = await mkdtemp(join(tmpdir(), 'meltgen-bench-svc-'));
  const s = await server(dataDir, env);
  try {
    const started = performance.now();
    const id = await postJob(s.url, { seed: 42 });
    await waitJob(s.url, id, (j) => j.status === 'succeeded', 50);
    return (performance.now() - started) / 1000;
  } finally {
    await s.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** API latency idle and while a full-year job runs on `threads` generation threads; and that job's wall time. */
async function apiUnderLoad(threads: number): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'meltgen-bench-api-'));
  const s = await server(dataDir, { MELT_THREADS_PER_JOB: String(threads) });
  try {
    const small = await postJob(s.url, { seed: 41, days: 3 });
    await waitJob(s.url, small, (j) => j.status === 'succeeded');
    // Warm: each route's first answers compile its serializer (once per process).
    await load(`${s.url}/v1/jobs/${small}`, 100, 1);
    await load(`${s.url}/v1/jobs/${small}/files/metrics/2024-06-02`, 20, 1);
    const idle1 = await load(`${s.url}/v1/jobs/${small}`, 500, 5, 1);
    const idle10 = await load(`${s.url}/v1/jobs/${small}`, 500, 5, 10);
    const started = performance.now();
    const busy = await postJob(s.url, { seed: 43 });
    await waitJob(s.url, busy, (j) => j.progress.daysDone >= 3);
    const one = await load(`${s.url}/v1/jobs/${busy}`, 500, 4, 1);
    const ten = await load(`${s.url}/v1/jobs/${busy}`, 500, 4, 10);
    const day = await load(`${s.url}/v1/jobs/${small}/files/metrics/2024-06-02`, 50, 4, 10);
    await waitJob(s.url, busy, (j) => j.status === 'succeeded', 50);
    const wall = (performance.now() - started) / 1000;
    const n = (r: { errors: number; non2xx: number }): string => `errors ${r.errors}, non-2xx ${r.non2xx}`;
    rows.push({ case: `threads ${threads}: GET /v1/jobs/{id} at 500 req/s, idle, 1 connection`, p50_ms: idle1.p50, p99_ms: idle1.p99, note: n(idle1) });
    rows.push({ case: `threads ${threads}: GET /v1/jobs/{id} at 500 req/s, idle, 10 connections`, p50_ms: idle10.p50, p99_ms: idle10.p99, note: n(idle10) });
    rows.push({ case: `threads ${threads}: GET /v1/jobs/{id} at 500 req/s during a year's job, 1 connection`, p50_ms: one.p50, p99_ms: one.p99, note: `goal p99 <= 10 ms; ${n(one)}` });
    rows.push({ case: `threads ${threads}: GET /v1/jobs/{id} at 500 req/s during it, 10 connections`, p50_ms: ten.p50, p99_ms: ten.p99, note: `goal p99 <= 10 ms; ${n(ten)}` });
    rows.push({ case: `threads ${threads}: a day file (metrics) at 50 req/s during it, 10 connections`, p50_ms: day.p50, p99_ms: day.p99, note: `goal p99 <= 50 ms; ${n(day)}` });
    rows.push({ case: `threads ${threads}: that year's job, under the load`, wall_s: wall });
  } finally {
    await s.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * The performance goals of issue 16 in one table, each ratio taken in this run on this machine
 * (its speed drifts by tens of percent between minutes: pairs, medians).
 */
async function goals(originalScript: string | null): Promise<void> {
  const cliYear = async (): Promise<number> => {
    const r = await generateTimed([]);
    await rm(r.out, { recursive: true, force: true });
    return r.wall;
  };
  // 1. The CLI's default year against the original script's, side by side.
  if (originalScript) {
    const o = await original(originalScript);
    const c = await cliYear();
    if ('error' in o) rows.push({ case: 'original script, default year', note: `could not run: ${o.error}` });
    else {
      rows.push({ case: 'original script (python3), default year', wall_s: o.wall, peak_rss_mb: o.rss });
      rows.push({ case: 'meltgen CLI, default year, same run', wall_s: c, note: `${(o.wall / c).toFixed(1)}x faster than the original (goal >= 24x)` });
    }
  } else rows.push({ case: 'original script', note: 'not given (--original PATH/generate_melt_data.py): meltgen alone below' });
  // 2. The service's year against the CLI's, in pairs.
  const ratios: number[] = [];
  const cli: number[] = [];
  const svc: number[] = [];
  for (let i = 0; i < 3; i++) {
    const c = await cliYear();
    const v = await serviceYear();
    cli.push(c);
    svc.push(v);
    ratios.push(v / c);
  }
  rows.push({ case: 'CLI, default year (3 runs)', wall_s: median(cli), note: `runs ${cli.map((w) => w.toFixed(2)).join(', ')}` });
  rows.push({ case: 'service, default year, POST -> succeeded (3 runs)', wall_s: median(svc), note: `service / CLI median ${median(ratios).toFixed(2)}x (pairs ${ratios.map((r) => r.toFixed(2)).join(', ')}); goal <= 1.2x` });
  // 3. The API while a year's job runs, with 1 and 2 threads (cores - 1 = 1 here).
  const cores = availableParallelism();
  for (const threads of [...new Set([1, Math.max(1, cores - 1), cores])]) await apiUnderLoad(threads);
}

const only = process.argv.includes('--quick')
  ? 'quick'
  : process.argv.includes('--service')
    ? 'service'
    : process.argv.includes('--formats')
      ? 'formats'
      : process.argv.includes('--platforms')
        ? 'platforms'
        : process.argv.includes('--cluster')
          ? 'cluster'
          : process.argv.includes('--goals')
            ? 'goals'
            : 'all';
const machine = {
  date: new Date().toISOString(),
  cores: availableParallelism(),
  cpu: cpus()[0]?.model ?? 'unknown',
  memory_gb: Math.round(totalmem() / 2 ** 30),
  node: process.version,
};
process.stdout.write(`meltgen bench — ${machine.cores} cores (${machine.cpu}), ${machine.memory_gb} GiB, Node ${machine.node}\n`);
const originalAt = process.argv.indexOf('--original');
const originalScript = originalAt > 0 ? (process.argv[originalAt + 1] ?? null) : null;
if (only === 'goals') await goals(originalScript);
if (only === 'formats') await formats();
if (only === 'platforms') await platforms();
if (only === 'cluster' || only === 'all') await cluster();
if (only === 'quick' || only === 'all') {
  await cli('cli: 1 day', ['--days', '1']);
  await cli('cli: 30 days', ['--days', '30']);
}
if (only === 'all') {
  await cli('cli: 365 days (default)', []);
  await cli('cli: 30 days, 100 hosts', ['--days', '30', '--hosts-per-service', '20']);
  await cli('cli: 30 days, 5-minute steps', ['--days', '30', '--granularity', '5']);
  await cli('cli: 3650 days (memory)', ['--days', '3650', '--signals', 'metrics']);
  await formats();
  await platforms();
}
if (only === 'all' || only === 'service') await service();

const fmt = (v: number | undefined, d = 1): string => (v === undefined ? '' : v.toFixed(d));
const header = ['case', 'wall s', 'MB', 'MB/s', 'records/s', 'peak RSS MB', 'p50 ms', 'p99 ms', 'note'];
const lines = rows.map((r) => [r.case, fmt(r.wall_s, 2), fmt(r.mb, 0), fmt(r.mb_per_s, 0), r.records_per_s ? Math.round(r.records_per_s).toLocaleString('en') : '', fmt(r.peak_rss_mb, 0), fmt(r.p50_ms, 1), fmt(r.p99_ms, 1), r.note ?? '']);
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
const show = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
process.stdout.write(`${show(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${lines.map(show).join('\n')}\n`);
const jsonAt = process.argv.indexOf('--json');
if (jsonAt > 0 && process.argv[jsonAt + 1]) await writeFile(process.argv[jsonAt + 1] as string, JSON.stringify({ machine, rows }, null, 2) + '\n');
