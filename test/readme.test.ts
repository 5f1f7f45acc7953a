import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { generate, readJson, tempDir } from './helpers/dataset.ts';
import { startServer } from './helpers/server.ts';

const run = promisify(execFile);
const README = new URL('../README.md', import.meta.url);

/** The fenced blocks of one language in the README. */
async function blocks(language: string): Promise<string[]> {
  const text = await readFile(README, 'utf8');
  return [...text.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1] as string);
}

test('the README’s labels example prints the rows its own job (seed 42, 7 days) really has', async (t) => {
  const { dir } = await generate(t, { days: 7, seed: 42 });
  const rows = await readJson<{ incidents: { role: string }[] }[]>(join(dir, 'metadata/labels/2024-06/labels_2024-06-05.json'));
  const text = await readFile(README, 'utf8');
  assert.ok(text.includes(`# ${JSON.stringify(rows[0])}\n`), 'the first label row, as jq -c prints it');
  const roles: Record<string, number> = {};
  for (const r of rows) for (const i of r.incidents) roles[i.role] = (roles[i.role] ?? 0) + 1;
  assert.ok(text.includes(`# ${JSON.stringify(roles)}\n`), `the role counts ${JSON.stringify(roles)}`);
});

test('the README’s Python snippet runs against a real server and prints what it says', async (t) => {
  const python = await run('python3', ['--version']).then(
    () => 'python3',
    () => null,
  );
  if (python === null) {
    t.skip('python3 is not installed');
    return;
  }
  const snippet = (await blocks('python')).find((b) => b.includes('MELTGEN_URL'));
  assert.ok(snippet, 'the python client block');
  const server = await startServer(t, { MELT_DATA_DIR: await tempDir(t, 'meltgen-readme-') });
  const { stdout } = await run(python, ['-c', snippet], { env: { ...process.env, MELTGEN_URL: server.url } });
  const expected = /^# (.+)$/m.exec(snippet.split('\n').filter((l) => l.startsWith('# ')).pop() ?? '')?.[1];
  assert.equal(stdout.trim(), expected);
});
