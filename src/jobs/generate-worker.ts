// A thread of a day pool: renders and writes the units of work it is handed, one at a time, off
// the main thread. Files are written under a temporary name and renamed.
import { mkdirSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { buildCatalog } from '../core/catalog.ts';
import { createSimulation } from '../core/simulation.ts';
import { dayFormatFiles, loadFormatWriters } from '../output/formats.ts';
import { metadataFiles } from '../output/json-writer.ts';
import { checkFreeSpace, removeTempFiles, StopError, threadTag, writeDatasetFiles } from './dataset-writer.ts';
import { lowerThreadPriority } from './thread-priority.ts';
import type { WorkerInput, WorkerMessage, WorkerTask } from './worker-protocol.ts';

const input = workerData as WorkerInput;

// Generation yields to the main thread, so the API stays responsive while every core renders days.
lowerThreadPriority();
const port = parentPort;
if (!port) throw new Error('generate-worker must run in a worker thread');
// Before the first task is taken (the port keeps messages until a listener is attached).
await loadFormatWriters(input.config.formats);
const writeOpts = { hash: input.hash, tag: threadTag(), made: new Set<string>() };

let sim: ReturnType<typeof createSimulation> | null = null;
function simulation(): ReturnType<typeof createSimulation> {
  sim ??= createSimulation(input.config);
  return sim;
}

port.on('message', (task: WorkerTask) => {
  let reply: WorkerMessage;
  try {
    mkdirSync(input.outDir, { recursive: true });
    if (task.type === 'prepare') {
      removeTempFiles(input.outDir);
      reply = { type: 'prepared', files: task.writeMetadata ? writeDatasetFiles(input.outDir, metadataFiles(buildCatalog(simulation()), input.config.formats), null, writeOpts) : [] };
    } else {
      checkFreeSpace(input.outDir, input.dayBytes, input.minFreeBytes);
      reply = { type: 'day', dayIndex: task.dayIndex, files: writeDatasetFiles(input.outDir, dayFormatFiles(simulation(), task.dayIndex, true), task.dayIndex, writeOpts) };
    }
  } catch (e) {
    reply = { type: 'failed', code: e instanceof StopError ? e.code : 'GENERATION_FAILED', message: (e as Error).message };
  }
  port.postMessage(reply);
});
