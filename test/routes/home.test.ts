import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { build } from '../helpers/build.ts';
import { tempDir } from '../helpers/dataset.ts';
import { GENERATOR_VERSION } from '../../src/version.ts';

const KEY = 'home-test-key-0123456789';

/** A stand-in for the built console: an index.html with the server's placeholders, and one asset. */
async function fakeConsole(t: Parameters<typeof tempDir>[0]): Promise<string> {
  const dir = await tempDir(t, 'meltgen-console-dir-');
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), '<meta name="meltgen-keys" content="__MELTGEN_KEYS__"><b>__MELTGEN_VERSION__</b><h2 id="keys">Keys</h2><!--meltgen:auth-->');
  await writeFile(join(dir, 'assets', 'console.js'), 'console.log(1);\n');
  return dir;
}

test('GET / serves the built console with what the server knows filled in, and its assets without a key', async (t) => {
  const consoleDir = await fakeConsole(t);
  const keyed = await build(t, { consoleDir, apiKeys: [{ name: 'a', key: KEY }] });
  const page = await keyed.inject({ url: '/' });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /content="required"/);
  assert.ok(page.body.includes(`<b>${GENERATOR_VERSION}</b>`));
  assert.match(page.body, /Ask its operator for one/);
  const asset = await keyed.inject({ url: '/assets/console.js' });
  assert.equal(asset.statusCode, 200, 'assets need no key');
  assert.match(asset.headers['content-type'] as string, /javascript/);
  assert.equal(asset.headers['cache-control'], 'no-cache');
  assert.equal((await keyed.inject({ url: '/assets/console.js', headers: { 'if-none-match': asset.headers.etag as string } })).statusCode, 304);
  assert.equal((await keyed.inject({ url: '/assets/missing.js' })).statusCode, 404);

  const open = await build(t, { consoleDir });
  const openPage = await open.inject({ url: '/' });
  assert.match(openPage.body, /content="open"/);
  assert.match(openPage.body, /runs <strong>open<\/strong>/);
});

test('GET / without a built console is the plain page, and says how to build the console', async (t) => {
  const app = await build(t, { consoleDir: await tempDir(t, 'meltgen-no-console-') });
  const page = await app.inject({ url: '/' });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /npm run build/);
  assert.equal((await app.inject({ url: '/assets/console.js' })).statusCode, 404);
});
