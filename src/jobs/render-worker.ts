// A render thread of a cluster worker: renders whatever task it is handed, for any job, and writes
// it atomically to the shared dataset folder. Same generation code as the embedded day pool, so the
// bytes are the same.
import { mkdirSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { buildCatalog } from '../core/catalog.ts';
import { createSimulation } from '../core/simulation.ts';
import { dayFormatFiles, loadFormatWriters } from '../output/formats.ts';
import { metadataFiles } from '../output/json-writer.ts';
import { checkFreeSpace, StopError, threadTag, writeDatasetFiles } from './dataset-writer.ts';
import type { RenderReply, RenderTask } from './render-protocol.ts';
import { lowerThreadPriority } from './thread-priority.ts';

lowerThreadPriority();
const port = parentPort;
if (!port) throw new Error('render-worker must run in a worker thread');
const writeOpts = { hash: true, tag: threadTag(), made: new Set<string>() };

// The last few jobs' simulations: a worker usually takes several days of one job in a row.
const KEEP = 2;
const sims = new Map<string, ReturnType<typeof createSimulation>>();
function simulation(task: RenderTask): ReturnType<typeof createSimulation> {
  let sim = sims.get(task.jobId);
  if (sim) {
    sims.delete(task.jobId);
  } else {
    sim = createSimulation(task.config);
    if (sims.size >= KEEP) sims.delete(sims.keys().next().value as string);
  }
  sims.set(task.jobId, sim);
  return sim;
}

const render = async (task: RenderTask): Promise<void> => {
  let reply: RenderReply;
  try {
    await loadFormatWriters(task.config.formats);
    mkdirSync(task.outDir, { recursive: true });
    const sim = simulation(task);
    if (task.unit === 'meta') {
      reply = { seq: task.seq, ok: true, files: writeDatasetFiles(task.outDir, metadataFiles(buildCatalog(sim), task.config.formats), null, writeOpts) };
    } else {
      checkFreeSpace(task.outDir, task.dayBytes, task.minFreeBytes);
      reply = { seq: task.seq, ok: true, files: writeDatasetFiles(task.outDir, dayFormatFiles(sim, task.unit, true), task.unit, writeOpts) };
    }
  } catch (e) {
    reply = { seq: task.seq, ok: false, code: e instanceof StopError ? e.code : 'GENERATION_FAILED', message: (e as Error).message };
  }
  port.postMessage(reply);
};

// Tasks are handled one after another, in the order they came: a task may first load a writer.
let queue: Promise<void> = Promise.resolve();
port.on('message', (task: RenderTask) => {
  queue = queue.then(() => render(task));
});
