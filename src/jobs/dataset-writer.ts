// What a rendering thread does with files: write them atomically under a dataset folder, hash them,
// check the disk first, and clear what a killed run left half-written. Synchronous on purpose: the
// thread has nothing else to do meanwhile, and sync calls cost less than promises for a few
// thousand files. Used by the day pool's threads (embedded) and the cluster worker's threads.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DatasetFile } from './job-types.ts';

/** A refusal with a stable code (the job's error code). */
export class StopError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A tag unique to this thread, for its temporary file names. */
export const threadTag = (): string => `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

/**
 * Writes each file under `outDir` as `<name>.tmp-<tag>` then renames it: a reader (or another
 * node) sees a whole file or none. `made` remembers folders already created.
 */
export function writeDatasetFiles(outDir: string, files: Iterable<[string, string | Uint8Array]>, dayIndex: number | null, opts: { hash: boolean; tag: string; made: Set<string> }): DatasetFile[] {
  const out: DatasetFile[] = [];
  for (const [path, data] of files) {
    const target = join(outDir, path);
    const dir = dirname(target);
    if (!opts.made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      opts.made.add(dir);
    }
    const tmp = `${target}.tmp-${opts.tag}`;
    // Encoded once (day files are rendered as bytes), for the file and the hash.
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    writeFileSync(tmp, bytes);
    renameSync(tmp, target);
    out.push({ path, dayIndex, bytes: bytes.length, sha256: opts.hash ? createHash('sha256').update(bytes).digest('hex') : '' });
  }
  return out;
}

/** Refuses to write a day that would leave less than `minFreeBytes` free on the dataset's disk. */
export function checkFreeSpace(outDir: string, dayBytes: number, minFreeBytes: number): void {
  if (minFreeBytes <= 0) return;
  const fs = statfsSync(outDir);
  const free = fs.bavail * fs.bsize;
  if (free - dayBytes < minFreeBytes) {
    throw new StopError('INSUFFICIENT_STORAGE', `stopped before the disk fills: ${free} bytes free, a day needs about ${dayBytes} and ${minFreeBytes} must stay free`);
  }
}

/** Deletes the temporary files a killed writer left: they are never served, only in the way. */
export function removeTempFiles(outDir: string): void {
  let entries;
  try {
    entries = readdirSync(outDir, { recursive: true, withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isFile() && e.name.includes('.tmp-')) rmSync(join(e.parentPath, e.name), { force: true });
}
