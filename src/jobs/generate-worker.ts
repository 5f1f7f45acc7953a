// Worker-thread entry: renders a job's days off the main thread, so generation never blocks the
// event loop. It reports each finished day; cancellation terminates the thread.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { buildCatalog } from '../core/catalog.ts';
import { generateDay } from '../core/day.ts';
import { createSimulation, dayRng } from '../core/simulation.ts';
import { dayFiles, metadataFiles, writeFileAtomic } from '../output/json-writer.ts';
import type { DatasetFile } from './job-types.ts';
import type { WorkerInput, WorkerMessage } from './worker-protocol.ts';

async function writeAll(outDir: string, files: Map<string, string>, dayIndex: number | null): Promise<DatasetFile[]> {
  const out: DatasetFile[] = [];
  for (const [path, data] of files) {
    await writeFileAtomic(join(outDir, path), data);
    out.push({ path, dayIndex, bytes: Buffer.byteLength(data), sha256: createHash('sha256').update(data).digest('hex') });
  }
  return out;
}

async function run(input: WorkerInput): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('generate-worker must run in a worker thread');
  const post = (m: WorkerMessage): void => port.postMessage(m);
  const sim = createSimulation(input.config);
  if (input.writeMetadata) post({ type: 'metadata', files: await writeAll(input.outDir, metadataFiles(buildCatalog(sim)), null) });
  for (const d of input.days) {
    const day = generateDay(dayRng(sim, d), sim, d);
    post({ type: 'day', dayIndex: d, files: await writeAll(input.outDir, dayFiles(sim, day), d) });
  }
}

await run(workerData as WorkerInput);
