// Which code a child process runs. `npm test` builds dist/ from the sources first and sets
// MELT_RUN_COMPILED=1: child processes (servers, workers, the command line) then run the compiled
// JavaScript, as `npm start` and `npm run generate` do, and start in a third of the time of tsx
// (0.5 s against 1.2–1.9 s here, and a thread 0.1 s against ~1 s). A test file run on its own
// (`node --import tsx --test test/x.test.ts`) runs the sources through tsx, so it never tests a
// stale build.
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Whether child processes run dist/ (set by `npm test` after it builds). */
export const RUN_COMPILED = process.env.MELT_RUN_COMPILED === '1';

/**
 * The Node arguments that run a source entry point (a path under src/, absolute or relative to the
 * repository): its compiled twin under dist/ when RUN_COMPILED, else the source through tsx.
 */
export function nodeArgs(sourcePath: string): string[] {
  const rel = sourcePath.startsWith(ROOT) ? sourcePath.slice(ROOT.length) : sourcePath;
  if (!RUN_COMPILED) return ['--import', 'tsx', sourcePath];
  if (!rel.startsWith('src/') || !rel.endsWith('.ts')) throw new Error(`not a source entry point: ${sourcePath}`);
  return [`${ROOT}dist/${rel.slice('src/'.length, -'.ts'.length)}.js`];
}
