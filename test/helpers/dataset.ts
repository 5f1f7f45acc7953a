import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { TestContext } from 'node:test';
import type { IncidentCatalog } from '../../src/core/catalog.ts';
import { normalizeConfig, type GenerationConfig, type GenerationConfigInput, type Signal } from '../../src/core/config.ts';
import { createSimulation, type Simulation } from '../../src/core/simulation.ts';
import { CATALOG_PATH, dayFilePath, writeDataset } from '../../src/output/json-writer.ts';

/** A temporary folder removed when the test ends. */
export async function tempDir(t: TestContext, prefix = 'meltgen-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export function config(input: GenerationConfigInput): GenerationConfig {
  return normalizeConfig(input, 0);
}

/** Generates a dataset into a fresh temporary folder. */
export async function generate(t: TestContext, input: GenerationConfigInput): Promise<{ dir: string; sim: Simulation; catalog: IncidentCatalog }> {
  const dir = await tempDir(t);
  const sim = createSimulation(config(input));
  const catalog = await writeDataset(sim, dir);
  return { dir, sim, catalog };
}

/** Every file below `dir`, relative paths in sorted order. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** sha256 over every file's path and bytes, in path order. */
export async function hashDir(dir: string): Promise<string> {
  const h = createHash('sha256');
  for (const f of await listFiles(dir)) {
    h.update(f + '\0');
    h.update(await readFile(join(dir, f)));
  }
  return h.digest('hex');
}

export async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

export async function readDay<T = Record<string, unknown>>(dir: string, signal: Signal, date: string): Promise<T[]> {
  return readJson<T[]>(join(dir, dayFilePath(signal, date)));
}

export async function readCatalog(dir: string): Promise<IncidentCatalog> {
  return readJson<IncidentCatalog>(join(dir, CATALOG_PATH));
}

/** All records of one signal over every day of the dataset, in day order. */
export async function readAll<T = Record<string, unknown>>(dir: string, sim: Simulation, signal: Signal): Promise<T[]> {
  const out: T[] = [];
  for (let d = 0; d < sim.config.days; d++) {
    const date = new Date(sim.startMs + d * 86_400_000).toISOString().slice(0, 10);
    out.push(...(await readDay<T>(dir, signal, date)));
  }
  return out;
}
