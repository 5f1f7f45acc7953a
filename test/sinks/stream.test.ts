import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildCatalog } from '../../src/core/catalog.ts';
import { generateDay } from '../../src/core/day.ts';
import type { EventRecord, LogRecord, MetricRecord, SpanRecord } from '../../src/core/records.ts';
import { createSimulation, dayRng } from '../../src/core/simulation.ts';
import { isoSeconds, shiftIso } from '../../src/core/time.ts';
import { emptyStats, type Sink, type SinkBatch } from '../../src/sinks/sink.ts';
import { runStream, type Announcement } from '../../src/sinks/stream.ts';
import { config } from '../helpers/dataset.ts';

// The stream's pacing and content on a clock of the test's own: every interval goes out no earlier
// than its end on the stream's clock, the records are the job's records moved by the shift, and
// the announcements come in causal order with the catalog's times.

/** A sink that keeps what it is sent, with the clock's time of each send. */
function recordingSink(clock: { now: number }): Sink & { batches: { at: number; batch: SinkBatch }[] } {
  const batches: { at: number; batch: SinkBatch }[] = [];
  return {
    signals: ['metrics', 'traces', 'logs', 'events'],
    batches,
    async send(batch) {
      batches.push({ at: clock.now, batch });
    },
    async flush() {},
    stats: emptyStats,
  };
}

const CONFIG = { startDate: '2024-03-09', days: 2, hostsPerService: 1, granularityMinutes: 30, incidentRate: 3, seed: 4242 };

test('a stream pushes the job’s records interval by interval at its speed, and announces the ground truth in causal order', async () => {
  const cfg = config(CONFIG);
  const clock = { now: Date.parse('2026-01-01T10:07:00Z') };
  const start = clock.now;
  const sink = recordingSink(clock);
  const announced: { at: number; a: Announcement }[] = [];
  const speed = 600;
  const result = await runStream({
    config: cfg,
    sinks: [sink],
    speed,
    timeShift: 'now',
    now: () => clock.now,
    sleep: async (ms) => {
      clock.now += ms;
    },
    onAnnouncement: (a) => announced.push({ at: clock.now, a }),
  });

  // Shift: the first interval starts at the current 30-minute interval.
  const sim = createSimulation(cfg);
  assert.equal(result.shiftMs, Date.parse('2026-01-01T10:00:00Z') - sim.startMs);
  assert.equal(sink.batches.length, 2 * 48, 'one batch per interval');
  assert.equal(result.progress.intervalsDone, 96);

  // Each interval goes out once it has passed on the stream's clock, never earlier.
  const g = 30 * 60_000;
  sink.batches.forEach(({ at }, i) => assert.ok(at >= start + ((i + 1) * g) / speed, `interval ${i} sent at +${at - start} ms`));

  // The records are the job's, moved by the shift, in the job's order.
  const move = <T extends { timestamp: string }>(rows: T[]): T[] => rows.map((r) => ({ ...r, timestamp: shiftIso(r.timestamp, result.shiftMs) }));
  // Spans and log lines keep their milliseconds.
  const firstSpan = (sink.batches.find((b) => (b.batch.spans ?? []).length > 0)?.batch.spans ?? [])[0] as SpanRecord;
  assert.match(firstSpan.timestamp, /\.\d{3}Z$/);
  for (let d = 0; d < 2; d++) {
    const day = generateDay(dayRng(sim, d), sim, d);
    const slice = sink.batches.slice(d * 48, (d + 1) * 48);
    assert.deepEqual(slice.flatMap((b) => b.batch.metrics as MetricRecord[]), move(day.metrics));
    assert.deepEqual(slice.flatMap((b) => b.batch.spans as SpanRecord[]), move(day.traces));
    assert.deepEqual(slice.flatMap((b) => b.batch.logs as LogRecord[]), move(day.logs));
    assert.deepEqual(slice.flatMap((b) => b.batch.events as EventRecord[]), move(day.events));
    // No record is ahead of the stream's clock when sent.
    for (const { at, batch } of slice) for (const r of batch.metrics ?? []) assert.ok(Date.parse(r.timestamp) - result.shiftMs <= sim.startMs + (at - start) * speed);
  }

  // The ground truth: every incident started (or cascaded) once, with its catalog times moved by the shift.
  const catalog = buildCatalog(sim);
  assert.ok(catalog.incidents.length >= 3, 'the fixture has incidents');
  const starts = announced.filter(({ a }) => a.type === 'incident.started' || a.type === 'incident.cascaded');
  assert.deepEqual(starts.map(({ a }) => a.incident.id).sort(), catalog.incidents.map((i) => i.id).sort());
  for (const { at, a } of announced) {
    const entry = catalog.incidents.find((i) => i.id === a.incident.id);
    assert.ok(entry);
    assert.equal(a.incident.start_time, isoSeconds(Date.parse(entry.start_time) + result.shiftMs));
    if (a.type === 'incident.started' || a.type === 'incident.cascaded') assert.equal(a.type === 'incident.started', entry.is_primary, 'started for a primary, cascaded for the others');
    const when = a.type === 'incident.detected' ? entry.detected_at : a.type === 'incident.resolved' ? entry.end_time : entry.start_time;
    assert.equal(a.simulated_time, when);
    assert.equal(a.time, isoSeconds(Date.parse(when as string) + result.shiftMs));
    assert.ok(at >= start + (Date.parse(a.simulated_time) - sim.startMs) / speed, 'announced once its instant has passed');
  }
  // Causal order: sequence numbers in order, times non-decreasing, a cause announced before what it caused.
  assert.deepEqual(announced.map(({ a }) => a.seq), announced.map((_, i) => i + 1));
  for (let i = 1; i < announced.length; i++) assert.ok((announced[i]?.a.time ?? '') >= (announced[i - 1]?.a.time ?? ''));
  const seqOf = (id: string, type: string): number | undefined => announced.find(({ a }) => a.incident.id === id && a.type === type)?.a.seq;
  for (const e of catalog.incidents) {
    const started = seqOf(e.id, e.is_primary ? 'incident.started' : 'incident.cascaded') as number;
    if (e.parent_incident_id !== null) assert.ok((seqOf(e.parent_incident_id, 'incident.started') ?? seqOf(e.parent_incident_id, 'incident.cascaded') ?? Infinity) < started, 'a parent before its child');
    const detected = seqOf(e.id, 'incident.detected');
    if (detected !== undefined) assert.ok(started < detected, 'started before detected');
    const resolved = seqOf(e.id, 'incident.resolved');
    if (resolved !== undefined) assert.ok(started < resolved, 'started before resolved');
    assert.equal(resolved !== undefined, Date.parse(e.end_time) <= sim.endMs, 'resolved when it ends inside the stream');
  }
});

test('the same config streams the same records; timeShift none keeps the dataset’s dates; a stream stops when aborted', async () => {
  const cfg = config({ ...CONFIG, days: 1 });
  const run = async (shift: 'none' | 'now', signal?: AbortSignal): Promise<SinkBatch[]> => {
    const clock = { now: Date.parse('2026-05-05T00:00:00Z') };
    const sink = recordingSink(clock);
    await runStream({ config: cfg, sinks: [sink], speed: 1e6, timeShift: shift, now: () => clock.now, sleep: async (ms) => void (clock.now += ms), ...(signal ? { signal } : {}) }).catch((e: unknown) => {
      if (!signal?.aborted) throw e;
    });
    return sink.batches.map((b) => b.batch);
  };
  const a = await run('none');
  assert.deepEqual(await run('none'), a);
  assert.equal((a[0]?.metrics?.[0] as MetricRecord).timestamp, '2024-03-09T00:00:00Z');

  const controller = new AbortController();
  const clock = { now: 0 };
  const sink = recordingSink(clock);
  const stopped = runStream({
    config: cfg,
    sinks: [sink],
    speed: 1,
    now: () => clock.now,
    sleep: async (ms) => {
      clock.now += ms;
      if (sink.batches.length === 3) controller.abort(new Error('stop'));
    },
    signal: controller.signal,
  });
  await assert.rejects(stopped);
  assert.ok(sink.batches.length <= 4, `stopped after ${sink.batches.length} intervals`);
});
