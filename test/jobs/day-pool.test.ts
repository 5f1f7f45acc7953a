import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeConfig } from '../../src/core/config.ts';
import { createSimulation } from '../../src/core/simulation.ts';
import { createDayPool, DayPoolError } from '../../src/jobs/day-pool.ts';
import { writeMetadata } from '../../src/output/json-writer.ts';
import { generate, hashDir, tempDir } from '../helpers/dataset.ts';

const CONFIG = { days: 9, hostsPerService: 2, seed: 31, incidentRate: 2 };

async function render(t: Parameters<typeof tempDir>[0], threads: number, order: number[]): Promise<string> {
  const dir = await tempDir(t);
  const config = normalizeConfig(CONFIG, 0);
  await writeMetadata(createSimulation(config), dir);
  const pool = createDayPool({ config, outDir: dir, threads, hash: true, minFreeBytes: 0, dayBytes: 0 });
  const seen: number[] = [];
  await pool.run(order, false, { prepared: () => undefined, day: (d) => seen.push(d) });
  await pool.terminate();
  assert.deepEqual([...seen].sort((a, b) => a - b), [...order].sort((a, b) => a - b), 'every day reported once');
  return hashDir(dir);
}

test('the bytes do not depend on the number of threads nor on the order of the days', async (t) => {
  const reference = await hashDir((await generate(t, CONFIG)).dir);
  const days = Array.from({ length: CONFIG.days }, (_, d) => d);
  assert.equal(await render(t, 1, days), reference, '1 thread');
  assert.equal(await render(t, 3, days), reference, '3 threads');
  assert.equal(await render(t, 2, [...days].reverse()), reference, '2 threads, days backwards');
});

test('a pool reports a failure of its threads as a DayPoolError', async (t) => {
  const dir = await tempDir(t);
  const config = normalizeConfig({ ...CONFIG, days: 2 }, 0);
  const pool = createDayPool({ config, outDir: dir, threads: 2, hash: false, minFreeBytes: 1e18, dayBytes: 1 });
  await assert.rejects(
    pool.run([0, 1], true, { prepared: () => undefined, day: () => undefined }),
    (e: unknown) => e instanceof DayPoolError && e.failure.code === 'INSUFFICIENT_STORAGE',
  );
  await pool.terminate();
});
