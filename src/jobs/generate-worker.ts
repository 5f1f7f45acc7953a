// Worker-thread entry: renders a job's days off the main thread, so generation never blocks the
// event loop. It reports each finished day; a 'stop' message ends it after the day in flight, and
// a cancel terminates the thread.
import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { buildCatalog } from '../core/catalog.ts';
import { generateDay } from '../core/day.ts';
import { createSimulation, dayRng } from '../core/simulation.ts';
import { dayFiles, metadataFiles, writeFileAtomic } from '../output/json-writer.ts';
import type { DatasetFile } from './job-types.ts';
import type { RunnerMessage, WorkerInput, WorkerMessage } from './worker-protocol.ts';

class StopError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function writeAll(outDir: string, files: Map<string, string>, dayIndex: number | null): Promise<DatasetFile[]> {
  const out: DatasetFile[] = [];
  for (const [path, data] of files) {
    await writeFileAtomic(join(outDir, path), data);
    out.push({ path, dayIndex, bytes: Buffer.byteLength(data), sha256: createHash('sha256').update(data).digest('hex') });
  }
  return out;
}

/** Refuses to write a day that would leave less than the reserve free on the dataset's disk. */
async function checkSpace(input: WorkerInput): Promise<void> {
  const fs = await statfs(input.outDir);
  const free = fs.bavail * fs.bsize;
  if (free - input.dayBytes < input.minFreeBytes) {
    throw new StopError('INSUFFICIENT_STORAGE', `stopped before the disk fills: ${free} bytes free, a day needs about ${input.dayBytes} and ${input.minFreeBytes} must stay free`);
  }
}

/** Removes temporary files a killed run may have left: never served, but they take space. */
async function removeStaleTemps(dir: string): Promise<void> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  await Promise.all(entries.filter((e) => e.isFile() && e.name.includes('.tmp-')).map((e) => rm(join(e.parentPath, e.name), { force: true })));
}

async function run(input: WorkerInput): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('generate-worker must run in a worker thread');
  let stopping = false;
  port.on('message', (m: RunnerMessage) => {
    if (m.type === 'stop') stopping = true;
  });
  const post = (m: WorkerMessage): void => port.postMessage(m);
  try {
    await mkdir(input.outDir, { recursive: true });
    await removeStaleTemps(input.outDir);
    const sim = createSimulation(input.config);
    if (input.writeMetadata) post({ type: 'metadata', files: await writeAll(input.outDir, metadataFiles(buildCatalog(sim)), null) });
    for (const d of input.days) {
      if (stopping) break;
      await checkSpace(input);
      const day = generateDay(dayRng(sim, d), sim, d);
      post({ type: 'day', dayIndex: d, files: await writeAll(input.outDir, dayFiles(sim, day), d) });
    }
  } catch (e) {
    const err = e as Error & { code?: unknown };
    post({ type: 'failed', code: e instanceof StopError ? e.code : 'GENERATION_FAILED', message: err.message });
  } finally {
    port.close();
  }
}

await run(workerData as WorkerInput);
