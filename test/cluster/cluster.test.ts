// Cluster mode with real processes against the machine's Redis and PostgreSQL: two API nodes and
// three workers (each `node src/...` in a process of its own), a shared data directory, and the
// faults the issue lists: kill -9 of a worker mid-day and of an API node, SIGTERM of a worker,
// cancels from either node, keys/quotas/rate limits across nodes, and (with a redis-server of the
// test's own) Redis restarted mid-job. Skipped with the reason where Redis or PostgreSQL is not
// reachable, never in CI.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { build, submit, waitFor } from '../helpers/build.ts';
import { call, pollJob, privateRedis, startProcess, startRedisServer, type ClusterProcess, type LogLine } from '../helpers/cluster.ts';
import { hashDir, listFiles, tempDir } from '../helpers/dataset.ts';
import { privateDatabase } from '../helpers/postgres.ts';
import { freePort } from '../helpers/servers.ts';
import { createHash } from 'node:crypto';

const KEYS = {
  alice: 'alice-key-0123456789abcdef',
  bob: 'bob-key-0123456789abcdef',
  carol: 'carol-key-0123456789abcdef',
  dave: 'dave-key-0123456789abcdef',
  erin: 'erin-key-0123456789abcdef',
  frank: 'frank-key-0123456789abcdef',
  rl: 'rl-key-0123456789abcdef',
};
const RATE_LIMIT = 60;
/** Small days (about 0.2 s each to render) in two formats, one of them binary. */
const CONFIG = { days: 8, seed: 1401, formats: ['json', 'parquet'] };

const cleanup: Array<() => unknown> = [];
let skipped: string | null = null;
let env: Record<string, string> = {};
let dataDir = '';
const api: ClusterProcess[] = [];
const workers: ClusterProcess[] = [];
/** Every process started, for MELT_TEST_DUMP. */
const everyone: ClusterProcess[] = [];

// The file's context: test() contexts end before `after`, so cleanups are collected here.
const fileContext = {
  after: (fn: () => unknown) => cleanup.push(fn),
  skip: (m: string) => {
    skipped = m;
  },
};

before(async () => {
  const redis = await privateRedis(fileContext, cleanup);
  const database = redis ? await privateDatabase(fileContext) : null;
  if (!redis || database === null) return;
  dataDir = await tempDirFor(cleanup);
  env = {
    MELT_REDIS_URL: redis.url,
    MELT_DATABASE_URL: database,
    MELT_QUEUE_PREFIX: redis.prefix,
    MELT_DATA_DIR: dataDir,
    MELT_API_KEYS: Object.entries(KEYS).map(([n, k]) => `${n}:${k}`).join(','),
    MELT_QUOTA_CONCURRENT_JOBS: '2',
    MELT_RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
    MELT_MIN_FREE_BYTES: '0',
    MELT_RECONCILE_SECONDS: '2',
    // Short locks: a killed worker's task is re-run within seconds, not the production 30.
    MELT_TASK_LOCK_SECONDS: '4',
    MELT_STALLED_CHECK_SECONDS: '2',
  };
  const started = await Promise.all([
    startProcess('api', 'api-a', env, cleanup, everyone),
    startProcess('api', 'api-b', env, cleanup, everyone),
    ...[1, 2, 3].map((i) => startProcess('worker', `worker-${i}`, env, cleanup, everyone)),
  ]);
  api.push(...started.slice(0, 2));
  workers.push(...started.slice(2));
});

after(async () => {
  // MELT_TEST_DUMP=<file>: every node's log, for a failure that needs more than the assertion.
  if (process.env.MELT_TEST_DUMP) await writeFile(process.env.MELT_TEST_DUMP, everyone.map((p) => `== ${p.name}\n${p.output()}`).join('\n'));
  for (const fn of cleanup.reverse()) await fn();
});

async function tempDirFor(list: Array<() => unknown>): Promise<string> {
  return tempDir({ after: (fn: () => unknown) => list.push(fn) } as unknown as Parameters<typeof tempDir>[0], 'meltgen-cluster-');
}

const isDayStart = (jobId: string) => (l: LogLine) => l.jobId === jobId && l.msg === 'rendering the day' && typeof l.day === 'number';

/** The dataset a single-node (embedded) service writes for `config`: its hash and file count. */
async function singleNode(t: Parameters<typeof build>[0], config: Record<string, unknown>): Promise<{ hash: string; files: number }> {
  const dir = await tempDir(t, 'meltgen-single-');
  const app = await build(t, { dataDir: dir, threadsPerJob: 1 });
  const { job } = await submit(app, config);
  assert.equal((await waitFor(app, job.id, (j) => j.status === 'succeeded', 120_000)).status, 'succeeded');
  const melt = join(dir, 'jobs', job.id, 'melt_data');
  return { hash: await hashDir(melt), files: (await listFiles(melt)).length };
}

/** Every recorded file's sha256 matches the file on disk, and no temporary file is left. */
async function checkRecords(base: string, key: string, id: string): Promise<number> {
  const melt = join(dataDir, 'jobs', id, 'melt_data');
  const onDisk = await listFiles(melt);
  assert.deepEqual(onDisk.filter((f) => f.includes('.tmp-')), [], 'no temporary file left');
  const res = await call(base, key, `/v1/jobs/${id}/files`);
  const files = res.body.files as Array<{ path: string; sha256: string }>;
  assert.deepEqual(files.map((f) => f.path).sort(), [...onDisk].sort());
  for (const f of files) assert.equal(createHash('sha256').update(await readFile(join(melt, f.path))).digest('hex'), f.sha256, f.path);
  return files.length;
}

test('kill -9 of a worker in the middle of a day: another worker re-runs it; the dataset is byte-identical to a single-node run', async (t) => {
  if (skipped) return t.skip(skipped);
  const sub = await call(api[0]!.url, KEYS.alice, '/v1/jobs', { method: 'POST', body: CONFIG });
  assert.equal(sub.status, 202);
  const id = sub.body.id as string;
  // The first worker to start a day of the job is killed while it renders it.
  const started = await Promise.race(workers.map((w) => w.waitForLine(isDayStart(id)).then((line) => ({ w, line }))));
  await started.w.kill('SIGKILL');
  const task = started.line.task as string;
  assert.equal(started.w.lines.filter((l) => l.task === task && l.msg !== 'rendering the day').length, 0, 'killed before it finished the day');
  // The single-node reference, computed while the cluster recovers (not before the kill: this
  // process must answer the worker's log line at once).
  const reference = singleNode(t, CONFIG);
  // A replacement, for the next tests (started now: an assertion failing below must not leave a dead worker in the list).
  workers.splice(workers.indexOf(started.w), 1, await startProcess('worker', 'worker-4', env, cleanup, everyone));
  assert.equal(started.line.day, Number(task.split('.').pop()), 'the log line names the job and the day');
  // Another worker takes the stalled day over and the job finishes; asked on the other API node.
  const others = workers.filter((w) => w !== started.w);
  const rerun = await Promise.any(others.map((w) => w.waitForLine((l) => l.task === task && l.msg === 'recorded', 90_000)));
  assert.equal(rerun.jobId, id);
  const done = await pollJob(api[1]!.url, KEYS.alice, id, (j) => j.status !== 'queued' && j.status !== 'running');
  assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
  const ref = await reference;
  assert.equal(await hashDir(join(dataDir, 'jobs', id, 'melt_data')), ref.hash, 'byte-identical to the single-node dataset');
  assert.equal(await checkRecords(api[1]!.url, KEYS.alice, id), ref.files);
  // The stall is counted (by the worker that found it, in Redis) on every API node's /metrics.
  const metrics = await (await fetch(`${api[0]!.url}/metrics`)).text();
  assert.match(metrics, /meltgen_cluster_tasks_stalled_total [1-9]/);
});

test('SIGTERM on a worker: it finishes the day it renders, records it, and exits 0', async (t) => {
  if (skipped) return t.skip(skipped);
  const sub = await call(api[1]!.url, KEYS.carol, '/v1/jobs', { method: 'POST', body: { ...CONFIG, seed: 1402 } });
  const id = sub.body.id as string;
  const started = await Promise.race(workers.map((w) => w.waitForLine(isDayStart(id)).then((line) => ({ w, line }))));
  const exit = started.w.kill('SIGTERM');
  const recorded = await started.w.waitForLine((l) => l.task === started.line.task && l.msg === 'recorded', 60_000);
  assert.equal(recorded.jobId, id);
  assert.deepEqual(await exit, { code: 0, signal: null });
  workers.splice(workers.indexOf(started.w), 1, await startProcess('worker', 'worker-5', env, cleanup, everyone));
  const done = await pollJob(api[0]!.url, KEYS.carol, id, (j) => j.status !== 'queued' && j.status !== 'running');
  assert.equal(done.status, 'succeeded');
  // Its day was not rendered a second time elsewhere.
  assert.equal(workers.flatMap((w) => w.lines).filter((l) => l.task === started.line.task && l.msg === 'rendering the day').length, 0);
  await checkRecords(api[0]!.url, KEYS.carol, id);
});

test('kill -9 of an API node: the other keeps serving every job, files and archives included', async (t) => {
  if (skipped) return t.skip(skipped);
  const sub = await call(api[0]!.url, KEYS.dave, '/v1/jobs', { method: 'POST', body: { ...CONFIG, seed: 1403, days: 4 } });
  const id = sub.body.id as string;
  await api[0]!.kill('SIGKILL');
  const done = await pollJob(api[1]!.url, KEYS.dave, id, (j) => j.status === 'succeeded');
  assert.equal((done.progress as { daysDone: number }).daysDone, 4);
  // The jobs of the earlier tests, submitted on either node.
  const list = await call(api[1]!.url, KEYS.alice, '/v1/jobs');
  assert.equal((list.body.jobs as unknown[]).length, 1);
  const archive = await fetch(`${api[1]!.url}/v1/jobs/${id}/archive`, { headers: { authorization: `Bearer ${KEYS.dave}` } });
  assert.equal(archive.status, 200);
  assert.equal(Buffer.from(await archive.arrayBuffer()).subarray(0, 2).toString('latin1'), 'PK');
  const catalog = await call(api[1]!.url, KEYS.dave, `/v1/jobs/${id}/catalog`);
  assert.equal(catalog.status, 200);
  // A restarted node serves again, from the same PostgreSQL.
  api[0] = await startProcess('api', 'api-a', env, cleanup, everyone);
  assert.equal((await call(api[0].url, KEYS.dave, `/v1/jobs/${id}`)).body.status, 'succeeded');
});

test('cancel from either API node: every worker stops the job within seconds and its files are deleted', async (t) => {
  if (skipped) return t.skip(skipped);
  // Long enough that several workers are on it when it is canceled.
  const sub = await call(api[0]!.url, KEYS.erin, '/v1/jobs', { method: 'POST', body: { ...CONFIG, seed: 1404, days: 60 } });
  const id = sub.body.id as string;
  await Promise.all(workers.slice(0, 2).map((w) => w.waitForLine(isDayStart(id))));
  const metrics = await (await fetch(`${api[1]!.url}/metrics`)).text();
  assert.match(metrics, /meltgen_cluster_tasks\{queue="days",state="active"\} [1-9]/);
  const canceledAt = Date.now();
  const res = await call(api[1]!.url, KEYS.erin, `/v1/jobs/${id}`, { method: 'DELETE' });
  assert.equal(res.status, 200);
  assert.equal(res.body.status, 'canceled');
  // Within seconds: no task of the job is active, none starts, and the folder is gone for good.
  const dir = join(dataDir, 'jobs', id);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const m = await (await fetch(`${api[0]!.url}/metrics`)).text();
    // Nothing else runs now: every task left in the days queue would be the canceled job's.
    const left = ['active', 'waiting', 'prioritized', 'delayed'].reduce((a, state) => a + Number(new RegExp(`meltgen_cluster_tasks\\{queue="days",state="${state}"\\} (\\d+)`).exec(m)?.[1]), 0);
    if (left === 0 && !existsSync(dir)) break;
    assert.ok(Date.now() < deadline, `still ${left} tasks in the queue or files 15 s after the cancel`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const stoppedWithin = Date.now() - canceledAt;
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(existsSync(dir), false, 'nothing written after the cancel');
  const lateStarts = workers.flatMap((w) => w.lines).filter((l) => l.jobId === id && l.msg === 'rendering the day' && (l.time as number) > canceledAt + 2000);
  assert.deepEqual(lateStarts, [], 'no day of the job started 2 s after the cancel');
  assert.equal((await call(api[0]!.url, KEYS.erin, `/v1/jobs/${id}`)).body.status, 'canceled');
  t.diagnostic(`stopped on every worker and out of the queue within ${stoppedWithin} ms`);

  // And from the first node, a job just queued.
  const second = await call(api[1]!.url, KEYS.erin, '/v1/jobs', { method: 'POST', body: { ...CONFIG, seed: 1405, days: 60 } });
  const again = await call(api[0]!.url, KEYS.erin, `/v1/jobs/${second.body.id as string}`, { method: 'DELETE' });
  assert.equal(again.body.status, 'canceled');
  await pollJob(api[1]!.url, KEYS.erin, second.body.id as string, (j) => j.status === 'canceled');
  const deadline2 = Date.now() + 15_000;
  while (existsSync(join(dataDir, 'jobs', second.body.id as string))) {
    assert.ok(Date.now() < deadline2, 'files of the second canceled job deleted');
    await new Promise((r) => setTimeout(r, 250));
  }
});

test('keys, isolation, quotas and rate limits hold across API nodes', async (t) => {
  if (skipped) return t.skip(skipped);
  // Quota 2 per key, counted in PostgreSQL: two on one node, the third refused on the other.
  const big = { ...CONFIG, days: 200 };
  const one = await call(api[0]!.url, KEYS.bob, '/v1/jobs', { method: 'POST', body: { ...big, seed: 1 } });
  const two = await call(api[1]!.url, KEYS.bob, '/v1/jobs', { method: 'POST', body: { ...big, seed: 2 } });
  assert.deepEqual([one.status, two.status], [202, 202]);
  const three = await call(api[0]!.url, KEYS.bob, '/v1/jobs', { method: 'POST', body: { ...big, seed: 3 } });
  assert.equal(three.status, 429);
  assert.equal(three.body.code, 'TOO_MANY_JOBS');
  // Isolation: bob's job is not found with alice's key on either node.
  for (const node of api) assert.equal((await call(node.url, KEYS.alice, `/v1/jobs/${one.body.id as string}`)).status, 404);
  for (const j of [one, two]) assert.equal((await call(api[1]!.url, KEYS.bob, `/v1/jobs/${j.body.id as string}`, { method: 'DELETE' })).body.status, 'canceled');
  // The rate limit is per key across nodes: half the requests on each, then the next is refused.
  let ok = 0;
  for (let i = 0; i < RATE_LIMIT; i++) if ((await call(api[i % 2]!.url, KEYS.rl, '/v1/jobs')).status === 200) ok++;
  assert.equal(ok, RATE_LIMIT);
  const limited = await call(api[0]!.url, KEYS.rl, '/v1/jobs');
  assert.equal(limited.status, 429);
  assert.equal(limited.body.code, 'RATE_LIMITED');
  assert.equal((await call(api[1]!.url, KEYS.rl, '/v1/jobs')).status, 429);
});

test('workers serve /healthz and /metrics on their port', async (t) => {
  if (skipped) return t.skip(skipped);
  for (const w of workers) {
    const health = await fetch(`${w.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual({ ...((await health.json()) as Record<string, unknown>), version: undefined, active: undefined }, { status: 'ok', ok: true, redis: 'ready', database: true, version: undefined, active: undefined });
  }
  const all = await Promise.all(workers.map(async (w) => (await fetch(`${w.url}/metrics`)).text()));
  const days = all.map((m) => Number(/^meltgen_worker_days_generated_total (\d+)/m.exec(m)?.[1] ?? 'NaN'));
  assert.ok(days.every((d) => Number.isInteger(d)), 'every worker reports the days it generated');
  assert.ok(days.reduce((a, b) => a + b, 0) > 0);
  assert.match(all[0] as string, /meltgen_worker_task_wait_seconds_bucket/);
  assert.equal((await fetch(`${workers[0]!.url}/nope`)).status, 404);
});

test('a job’s event stream from the other API node: each day once, then the end (the stream polls the shared store)', async (t) => {
  if (skipped) return t.skip(skipped);
  const sub = await call(api[0]!.url, KEYS.frank, '/v1/jobs', { method: 'POST', body: { ...CONFIG, seed: 1406, days: 3 } });
  const id = sub.body.id as string;
  const res = await fetch(`${api[1]!.url}/v1/jobs/${id}/events`, { headers: { authorization: `Bearer ${KEYS.frank}` } });
  assert.equal(res.status, 200);
  // The server closes the stream after `end`: the whole text is every event.
  const events = [...(await res.text()).matchAll(/^event: (\w+)\ndata: (.+)$/gm)].map((m) => ({ event: m[1], data: JSON.parse(m[2] as string) as { status?: string; date?: string } }));
  assert.equal(events[0]?.event, 'status');
  // Each day once; in the order the workers finished them (two workers render days in parallel).
  assert.deepEqual(
    events
      .filter((e) => e.event === 'day')
      .map((e) => e.data.date)
      .sort(),
    ['2024-06-01', '2024-06-02', '2024-06-03'],
  );
  assert.deepEqual([events.at(-1)?.event, events.at(-1)?.data.status], ['end', 'succeeded']);
});

test('Redis restarted mid-job (its data lost): the job completes, byte-identical, nothing corrupt', async (t) => {
  if (skipped) return t.skip(skipped);
  // A Redis of this test's own, to restart; its own database and folder, so the main cluster's
  // unfinished jobs are not re-enqueued into it.
  const local: Array<() => unknown> = [];
  t.after(async () => {
    for (const fn of local.reverse()) await fn();
  });
  const port = await freePort();
  let redis = await startRedisServer(port, local);
  const database = await privateDatabase({ after: (fn) => local.push(fn), skip: () => undefined });
  assert.ok(database);
  const dir = await tempDirFor(local);
  const localEnv = { ...env, MELT_REDIS_URL: redis.url, MELT_DATABASE_URL: database, MELT_DATA_DIR: dir, MELT_QUEUE_PREFIX: 'restart' };
  const node = await startProcess('api', 'api-r', localEnv, local, everyone);
  const worker = await startProcess('worker', 'worker-r', { ...localEnv, MELT_WORKER_CONCURRENCY: '1' }, local, everyone);
  const config = { ...CONFIG, seed: 1406, days: 16 };
  const reference = singleNode(t, config);
  const id = (await call(node.url, KEYS.alice, '/v1/jobs', { method: 'POST', body: config })).body.id as string;
  // Redis dies while the worker renders day 3: the day in flight finishes after the restart, into
  // a Redis that no longer knows its task.
  await worker.waitForLine((l) => l.jobId === id && l.msg === 'rendering the day' && l.day === 3);
  await redis.stop();
  await new Promise((r) => setTimeout(r, 1000));
  redis = await startRedisServer(port, local);
  const done = await pollJob(node.url, KEYS.alice, id, (j) => j.status !== 'queued' && j.status !== 'running', 120_000);
  assert.equal(done.status, 'succeeded', JSON.stringify(done));
  const melt = join(dir, 'jobs', id, 'melt_data');
  assert.equal(await hashDir(melt), (await reference).hash);
  assert.deepEqual((await listFiles(melt)).filter((f) => f.includes('.tmp-')), []);
  assert.ok(node.lines.some((l) => l.jobId === id && /flow missing from Redis/.test(l.msg ?? '')), 'the API node re-enqueued the missing days');
  assert.deepEqual(await worker.kill('SIGTERM'), { code: 0, signal: null });

  // A failure is final and clean: a worker whose disk would pass its reserve fails the day without
  // retrying (not a transient error), and the job fails with the day's error code.
  await startProcess('worker', 'worker-full', { ...localEnv, MELT_WORKER_CONCURRENCY: '1', MELT_MIN_FREE_BYTES: '999999999999999999' }, local, everyone);
  const doomed = (await call(node.url, KEYS.alice, '/v1/jobs', { method: 'POST', body: { ...config, seed: 1407 } })).body.id as string;
  const failed = await pollJob(node.url, KEYS.alice, doomed, (j) => j.status !== 'queued' && j.status !== 'running', 60_000);
  assert.equal(failed.status, 'failed');
  assert.equal((failed.error as { code: string }).code, 'INSUFFICIENT_STORAGE');
});
