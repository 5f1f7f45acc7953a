// A thread of a day pool: renders and writes the units of work it is handed, one at a time, off
// the main thread. Files are written under a temporary name and renamed.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { buildCatalog } from '../core/catalog.ts';
import { createSimulation } from '../core/simulation.ts';
import { dayFormatFiles } from '../output/formats.ts';
import { metadataFiles } from '../output/json-writer.ts';
import { lowerThreadPriority } from './thread-priority.ts';
import type { DatasetFile } from './job-types.ts';
import type { WorkerInput, WorkerMessage, WorkerTask } from './worker-protocol.ts';

class StopError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const input = workerData as WorkerInput;

// Generation yields to the main thread, so the API stays responsive while every core renders days.
lowerThreadPriority();
const port = parentPort;
if (!port) throw new Error('generate-worker must run in a worker thread');
const threadTag = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const made = new Set<string>();

// Synchronous writes: this thread has nothing else to do meanwhile, and they cost less than
// promises for a few thousand files.
function writeAll(files: Iterable<[string, string | Uint8Array]>, dayIndex: number | null): DatasetFile[] {
  const out: DatasetFile[] = [];
  for (const [path, data] of files) {
    const target = join(input.outDir, path);
    const dir = dirname(target);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    const tmp = `${target}.tmp-${threadTag}`;
    // Encoded once (day files are rendered as bytes), for the file and the hash.
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    writeFileSync(tmp, bytes);
    renameSync(tmp, target);
    out.push({ path, dayIndex, bytes: bytes.length, sha256: input.hash ? createHash('sha256').update(bytes).digest('hex') : '' });
  }
  return out;
}

/** Refuses to write a day that would leave less than the reserve free on the dataset's disk. */
function checkSpace(): void {
  if (input.minFreeBytes <= 0) return;
  const fs = statfsSync(input.outDir);
  const free = fs.bavail * fs.bsize;
  if (free - input.dayBytes < input.minFreeBytes) {
    throw new StopError('INSUFFICIENT_STORAGE', `stopped before the disk fills: ${free} bytes free, a day needs about ${input.dayBytes} and ${input.minFreeBytes} must stay free`);
  }
}

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
      // Whatever a killed run left half-written goes first: it is never served, only in the way.
      for (const e of readdirSync(input.outDir, { recursive: true, withFileTypes: true })) {
        if (e.isFile() && e.name.includes('.tmp-')) rmSync(join(e.parentPath, e.name), { force: true });
      }
      reply = { type: 'prepared', files: task.writeMetadata ? writeAll(metadataFiles(buildCatalog(simulation()), input.config.formats), null) : [] };
    } else {
      checkSpace();
      reply = { type: 'day', dayIndex: task.dayIndex, files: writeAll(dayFormatFiles(simulation(), task.dayIndex), task.dayIndex) };
    }
  } catch (e) {
    reply = { type: 'failed', code: e instanceof StopError ? e.code : 'GENERATION_FAILED', message: (e as Error).message };
  }
  port.postMessage(reply);
});
