import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Instruction {
  readonly op: string;
  readonly args: string;
}

/** The Dockerfile's instructions, with line continuations joined and comments dropped. */
export async function parseDockerfile(): Promise<Instruction[]> {
  const text = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
  const out: Instruction[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!current && (line.startsWith('#') || line === '')) continue;
    current += (current ? ' ' : '') + line.replace(/\\$/, '').trim();
    if (line.endsWith('\\')) continue;
    const m = /^(\w+)\s+(.*)$/.exec(current);
    if (m) out.push({ op: (m[1] as string).toUpperCase(), args: m[2] as string });
    current = '';
  }
  return out;
}
