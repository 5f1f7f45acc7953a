// Redis cost of cluster mode's BullMQ flows (docs/SCALING.md): bytes per waiting day task, per
// completed task kept, a parent's size with its children's return values, FlowProducer.add time
// for 365 and 3650 days (and the Redis CPU each add takes: a flow is one MULTI/EXEC), and how fast
// a no-op Worker drains day tasks at concurrency 8 and 50 (an upper bound on the queue's
// throughput, since it renders nothing; with the Redis CPU per task and the load average, since
// other processes on the machine move the figure).
//
// Run (a Redis on 127.0.0.1:6379; the db number must be one nothing else uses, it is FLUSHDB'd
// before and after):
//   node --import tsx scripts/flow-memory.ts
//   node --import tsx scripts/flow-memory.ts --redis redis://127.0.0.1:6379/13 --json out.json
//   node --import tsx scripts/flow-memory.ts --quick      (10× fewer flows and tasks: a smoke run)
// It refuses to run if the db holds keys other than its own prefix (`meltgen-memtest`).
//
// The flows are the service's own (jobFlow from src/jobs/cluster-queue.ts: a `job` parent in queue
// `jobs`, one `day` child per day plus a `meta` child in queue `days`, priority by day, 3 attempts
// with exponential backoff, failParentOnFailure, removeOnComplete), only the prefix differs.
// Memory is counted two ways: the sum of `MEMORY USAGE key SAMPLES 0` over this prefix's keys
// (exact for these keys, unaffected by other clients of the same Redis) and the change of
// `INFO memory` used_memory (the server's whole heap: other dbs' activity moves it too).
import { FlowProducer, Queue, Worker, type FlowJob } from 'bullmq';
import { Redis } from 'ioredis';
import { readFile, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { DAYS_QUEUE, JOBS_QUEUE, jobFlow, redisConnection, type DayTaskResult, type Unit } from '../src/jobs/cluster-queue.ts';

const { values: args } = parseArgs({
  options: {
    redis: { type: 'string', default: 'redis://127.0.0.1:6379/13' },
    json: { type: 'string' },
    quick: { type: 'boolean', default: false },
  },
});
const PREFIX = 'meltgen-memtest';
const BULLMQ_VERSION = (JSON.parse(await readFile(new URL('../node_modules/bullmq/package.json', import.meta.url), 'utf8')) as { version: string }).version;
const SCALE = args.quick ? 10 : 1;
const SETTINGS = { attempts: 3, backoffMs: 2000 };
/** What a day task returns in the service (DayTaskResult): small, kept in the parent until it runs. */
const RESULT: DayTaskResult = { files: 4, bytes: 12345 };

const admin = new Redis(args.redis as string, { maxRetriesPerRequest: 3 });
/** Set once the db is known to hold nothing but this script's keys: only then is it flushed. */
let owned = false;
const results: Record<string, unknown> = {};

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function info(section: string): Promise<Record<string, string>> {
  const text = await admin.info(section);
  return Object.fromEntries(
    text
      .split('\r\n')
      .filter((l) => l.includes(':'))
      .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]),
  );
}
const usedMemory = async (): Promise<number> => Number((await info('memory')).used_memory);
/** Seconds of CPU the Redis server has used (user + system, every thread). */
async function redisCpu(): Promise<number> {
  const c = await info('cpu');
  return Number(c.used_cpu_user) + Number(c.used_cpu_sys);
}

/** Every key of this prefix, by kind, with MEMORY USAGE summed. */
async function keyMemory(): Promise<{ total: number; keys: number; byKind: Record<string, { keys: number; bytes: number }> }> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await admin.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 5000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  const byKind: Record<string, { keys: number; bytes: number }> = {};
  let total = 0;
  for (let i = 0; i < keys.length; i += 2000) {
    const chunk = keys.slice(i, i + 2000);
    const pipe = admin.pipeline();
    for (const k of chunk) pipe.call('MEMORY', 'USAGE', k, 'SAMPLES', '0');
    const answers = (await pipe.exec()) ?? [];
    chunk.forEach((k, j) => {
      const bytes = Number(answers[j]?.[1] ?? 0);
      total += bytes;
      const kind = keyKind(k);
      const entry = (byKind[kind] ??= { keys: 0, bytes: 0 });
      entry.keys++;
      entry.bytes += bytes;
    });
  }
  return { total, keys: keys.length, byKind };
}

/** `days:task` for a task's hash, `jobs:task:processed` for a parent's children's results, `days:events`... */
function keyKind(key: string): string {
  const [, queue, id, suffix] = key.split(':') as [string, string, string, string | undefined];
  const queueKeys = new Set(['events', 'meta', 'id', 'pc', 'prioritized', 'wait', 'paused', 'active', 'completed', 'failed', 'delayed', 'marker', 'stalled', 'stalled-check', 'waiting-children', 'limiter', 'metrics', 'de', 'repeat']);
  if (queueKeys.has(id)) return `${queue}:${id}`;
  return `${queue}:task${suffix ? `:${suffix}` : ''}`;
}

/** The units of a job of `days` days, as the API node enqueues them (the metadata first). */
const unitsOf = (days: number): Unit[] => ['meta', ...Array.from({ length: days }, (_, d) => d)];

function flowOf(jobId: string, days: number, removeOnComplete: boolean): FlowJob {
  const flow = jobFlow({ id: jobId }, unitsOf(days), SETTINGS);
  if (removeOnComplete) return flow;
  return { ...flow, children: flow.children?.map((c) => ({ ...c, opts: { ...c.opts, removeOnComplete: false } })) };
}

async function flush(): Promise<void> {
  if (owned) await admin.flushdb();
}

interface Snapshot {
  used: number;
  keys: Awaited<ReturnType<typeof keyMemory>>;
}
async function snapshot(): Promise<Snapshot> {
  // Let Redis settle lazily-freed memory before reading used_memory.
  await new Promise((r) => setTimeout(r, 200));
  return { used: await usedMemory(), keys: await keyMemory() };
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;

/**
 * Adds `flows` flows of `days` days, timing each add; returns the add times and the Redis CPU time
 * of each add in ms (a flow is one MULTI/EXEC: Redis serves no other client while it runs).
 */
async function addFlows(producer: FlowProducer, flows: number, days: number, removeOnComplete: boolean): Promise<{ ms: number[]; redisMs: number[] }> {
  const ms: number[] = [];
  const redisMs: number[] = [];
  for (let f = 0; f < flows; f++) {
    const cpu0 = await redisCpu();
    const t0 = performance.now();
    // Job ids are UUIDs in the service (their length is in every key and in the parent's results).
    await producer.add(flowOf(randomUUID(), days, removeOnComplete));
    ms.push(performance.now() - t0);
    redisMs.push(((await redisCpu()) - cpu0) * 1000);
  }
  return { ms: ms.sort((a, b) => a - b), redisMs: redisMs.sort((a, b) => a - b) };
}

const stats = (sorted: number[]): { min: number; median: number; p95: number; max: number } => ({ min: sorted[0] as number, median: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted[sorted.length - 1] as number });

/** Runs a no-op worker on `queue` until `count` tasks completed; returns seconds and Redis CPU seconds. */
async function drain(queue: string, count: number, concurrency: number, result: unknown): Promise<{ seconds: number; redisCpuSeconds: number }> {
  const connection = redisConnection(args.redis as string);
  let done = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((r) => (finish = r));
  const cpu0 = await redisCpu();
  const t0 = performance.now();
  const worker = new Worker(queue, async () => result, { connection, prefix: PREFIX, concurrency, autorun: false });
  worker.on('completed', () => {
    if (++done === count) finish();
  });
  worker.on('failed', (_t, err) => log(`  task failed: ${err.message}`));
  worker.on('error', (err) => log(`  worker error: ${err.message}`));
  void worker.run();
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  const redisCpuSeconds = (await redisCpu()) - cpu0;
  await worker.close();
  connection.disconnect();
  return { seconds, redisCpuSeconds };
}

/**
 * One memory scenario: `flows` flows of `days` days waiting, then their children completed (the
 * parents waiting with the children's results), then the parents completed.
 */
async function memoryScenario(name: string, producer: FlowProducer, flows: number, days: number, removeOnComplete: boolean): Promise<Record<string, unknown>> {
  await flush();
  const base = await snapshot();
  const children = flows * (days + 1);
  const tasks = children + flows;
  const added = await addFlows(producer, flows, days, removeOnComplete);
  const waiting = await snapshot();
  const w = waiting.keys;
  const childHash = w.byKind['days:task'] as { keys: number; bytes: number };
  const parentHash = w.byKind['jobs:task'] as { keys: number; bytes: number };
  const deps = w.byKind['jobs:task:dependencies'] as { keys: number; bytes: number };
  const events = (w.byKind['days:events']?.bytes ?? 0) + (w.byKind['jobs:events']?.bytes ?? 0);
  const perWaitingKeys = (w.total - base.keys.total) / children;
  const perWaitingKeysNoEvents = (w.total - base.keys.total - events) / children;
  const perWaitingUsed = (waiting.used - base.used) / children;

  const drainChildren = await drain(DAYS_QUEUE, children, 50, RESULT);
  const childrenDone = await snapshot();
  const processed = childrenDone.keys.byKind['jobs:task:processed'] ?? { keys: 0, bytes: 0 };
  const parentNow = childrenDone.keys.byKind['jobs:task'] ?? { keys: 0, bytes: 0 };
  const completedKept = childrenDone.keys.byKind['days:task'] ?? { keys: 0, bytes: 0 };
  const completedZset = childrenDone.keys.byKind['days:completed'] ?? { keys: 0, bytes: 0 };

  await drain(JOBS_QUEUE, flows, 2, undefined);
  const parentsDone = await snapshot();

  const out = {
    flows,
    daysPerFlow: days,
    childrenPerFlow: days + 1,
    children,
    tasks,
    removeOnComplete,
    addMs: stats(added.ms),
    addRedisCpuMs: stats(added.redisMs),
    waiting: {
      keys: w.keys,
      keyBytes: w.total - base.keys.total,
      usedMemoryDelta: waiting.used - base.used,
      perChildKeyBytes: perWaitingKeys,
      perChildKeyBytesWithoutEventStreams: perWaitingKeysNoEvents,
      perChildUsedMemory: perWaitingUsed,
      childHashAvg: childHash.bytes / childHash.keys,
      parentHashAvg: parentHash.bytes / parentHash.keys,
      dependenciesSetAvg: deps.bytes / deps.keys,
      eventStreamsBytes: events,
      byKind: w.byKind,
    },
    childrenCompleted: {
      seconds: drainChildren.seconds,
      keyBytes: childrenDone.keys.total - base.keys.total,
      usedMemoryDelta: childrenDone.used - base.used,
      parentWithResultsAvg: (parentNow.bytes + processed.bytes) / flows,
      processedHashAvg: processed.keys ? processed.bytes / processed.keys : 0,
      perChildResultBytes: processed.bytes / children,
      completedTasksKept: completedKept.keys,
      perCompletedTaskKeptBytes: completedKept.keys ? (completedKept.bytes + completedZset.bytes) / completedKept.keys : 0,
      byKind: childrenDone.keys.byKind,
    },
    parentsCompleted: {
      keyBytes: parentsDone.keys.total - base.keys.total,
      usedMemoryDelta: parentsDone.used - base.used,
      byKind: parentsDone.keys.byKind,
    },
  };
  log(`\n## ${name}: ${flows} flows × ${days} days (+1 meta child each) = ${fmt(children)} children, removeOnComplete ${removeOnComplete ? 'on' : 'off'}`);
  log(`FlowProducer.add per flow: median ${fmt(out.addMs.median, 1)} ms, p95 ${fmt(out.addMs.p95, 1)} ms, max ${fmt(out.addMs.max, 1)} ms; Redis CPU per add: median ${fmt(out.addRedisCpuMs.median, 1)} ms, max ${fmt(out.addRedisCpuMs.max, 1)} ms`);
  log(`waiting: ${fmt(w.total - base.keys.total)} B in ${fmt(w.keys)} keys (used_memory +${fmt(waiting.used - base.used)} B)`);
  log(`  per waiting child: ${fmt(perWaitingKeys)} B by MEMORY USAGE (${fmt(perWaitingKeysNoEvents)} B without the event streams), ${fmt(perWaitingUsed)} B by used_memory`);
  log(`  child hash ${fmt(out.waiting.childHashAvg)} B; parent hash ${fmt(out.waiting.parentHashAvg)} B; its dependencies set ${fmt(out.waiting.dependenciesSetAvg)} B; event streams ${fmt(events)} B`);
  log(`children completed in ${fmt(drainChildren.seconds, 2)} s (no-op, concurrency 50): ${fmt(out.childrenCompleted.keyBytes)} B left (used_memory +${fmt(out.childrenCompleted.usedMemoryDelta)} B)`);
  log(`  a parent with its children's results: ${fmt(out.childrenCompleted.parentWithResultsAvg)} B (${fmt(out.childrenCompleted.perChildResultBytes, 1)} B per child result)`);
  if (!removeOnComplete) log(`  completed tasks kept: ${fmt(completedKept.keys)}, ${fmt(out.childrenCompleted.perCompletedTaskKeptBytes)} B each (hash + completed-set entry)`);
  log(`parents completed: ${fmt(out.parentsCompleted.keyBytes)} B left (used_memory +${fmt(out.parentsCompleted.usedMemoryDelta)} B): ${Object.entries(parentsDone.keys.byKind).map(([k, v]) => `${k} ${fmt(v.bytes)}`).join(', ')}`);
  return out;
}

/** A no-op worker draining `tasks` day tasks (flows of 999 days + meta), at `concurrency`. */
async function throughput(producer: FlowProducer, tasks: number, concurrency: number): Promise<Record<string, unknown>> {
  await flush();
  const perFlow = 1000;
  const flows = Math.ceil(tasks / perFlow);
  await addFlows(producer, flows, perFlow - 1, true);
  const { seconds, redisCpuSeconds } = await drain(DAYS_QUEUE, flows * perFlow, concurrency, RESULT);
  const rate = (flows * perFlow) / seconds;
  // Other processes on the machine slow both the worker and Redis: the 1-minute load goes with the figure.
  const load = loadavg()[0] as number;
  const redisCpuPerTaskUs = (redisCpuSeconds / (flows * perFlow)) * 1e6;
  log(`\n## no-op worker, concurrency ${concurrency}: ${fmt(flows * perFlow)} tasks in ${fmt(seconds, 2)} s = ${fmt(rate)} tasks/s; Redis CPU ${fmt(redisCpuSeconds, 2)} s (${fmt(redisCpuPerTaskUs)} µs a task: one Redis core saturates near ${fmt(1e6 / redisCpuPerTaskUs)} tasks/s); load average ${fmt(load, 1)}`);
  return { concurrency, tasks: flows * perFlow, seconds, tasksPerSecond: rate, redisCpuSeconds, redisCpuPerTaskUs, redisBoundTasksPerSecond: 1e6 / redisCpuPerTaskUs, loadAverage: load };
}

async function main(): Promise<void> {
  const foreign: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'COUNT', 1000);
    cursor = next;
    foreign.push(...keys.filter((k) => !k.startsWith(`${PREFIX}:`)));
  } while (cursor !== '0' && foreign.length === 0);
  if (foreign.length > 0) throw new Error(`${args.redis} holds keys that are not ${PREFIX}'s (${foreign.slice(0, 3).join(', ')}…): pick an unused db number with --redis`);
  owned = true;
  const server = await info('server');
  const memory = await info('memory');
  results.environment = {
    redis: server.redis_version,
    allocator: memory.mem_allocator,
    bullmq: BULLMQ_VERSION,
    node: process.version,
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
    url: args.redis,
    quick: args.quick,
  };
  log(`# flow memory: Redis ${server.redis_version} (${memory.mem_allocator}), BullMQ ${BULLMQ_VERSION}, Node ${process.version}, ${cpus().length} cores${args.quick ? ' (quick)' : ''}`);

  const connection = redisConnection(args.redis as string);
  const producer = new FlowProducer({ connection, prefix: PREFIX });
  // Queue objects as the API node holds them (they write the queues' meta keys).
  const queues = [new Queue(DAYS_QUEUE, { connection, prefix: PREFIX }), new Queue(JOBS_QUEUE, { connection, prefix: PREFIX })];
  try {
    results.year = await memoryScenario('year', producer, 100 / SCALE, 365, true);
    results.decade = await memoryScenario('decade', producer, 10 / SCALE, 3650, true);
    results.yearKept = await memoryScenario('year-kept', producer, 100 / SCALE, 365, false);
    results.throughput = [];
    for (const c of [8, 50]) (results.throughput as unknown[]).push(await throughput(producer, 10_000 / SCALE, c));
  } finally {
    await flush();
    await Promise.allSettled([producer.close(), ...queues.map((q) => q.close())]);
    connection.disconnect();
  }
  if (args.json) await writeFile(args.json, `${JSON.stringify(results, null, 2)}\n`);
  admin.disconnect();
}

main().catch(async (err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  await flush().catch(() => undefined);
  admin.disconnect();
  process.exit(1);
});
